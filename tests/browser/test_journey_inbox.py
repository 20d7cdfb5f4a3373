"""Story 4 on a phone: the 横江村 safety office finds the overdue reminder in its inbox and opens the finding.

A finding of a workshop in 横江村 passed its deadline two days ago; the reminder sweep ran this
morning. The village office signs in at 375 px: the bell shows the unread count, the inbox lists the
overdue reminder in bold, opening it lands on the finding, and back in the inbox the count is one less.
Screenshots of each step go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chashan_safety.demo import DEMO_PASSWORD
from chashan_safety.models import Notification, User
from chashan_safety.reminders import sweep
from inspections.models import Finding, Inspection, Site
from inspections.services import FindingDraft, inspection_record
from responsibility.models import SupervisionLetter, Village
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def overdue_finding(demo_data) -> Finding:
    """A blocked fire exit found at a 横江村 workshop, due two days ago and not fixed; then the sweep."""
    officer = User.objects.get(username="officer")
    village = Village.objects.get(name="横江村")
    site, _ = Site.objects.get_or_create(
        village=village,
        name="横江村鸿发五金加工厂",
        defaults={"address": "横江村工业大道18号", "contact_name": "何老板", "contact_phone": "13712345678"},
    )
    today = timezone.localdate()
    deadline = today - dt.timedelta(days=2)
    found = timezone.make_aware(dt.datetime.combine(deadline - dt.timedelta(days=3), dt.time(21, 40)))
    draft = FindingDraft(
        category=Finding.Category.FIRE,
        description="二楼车间安全出口被纸箱和货架堵塞，出口门被链条锁住",
        location="二楼车间东侧安全出口",
        measures="清除杂物，拆除链条锁，保持安全出口畅通",
        deadline=deadline,
    )
    inspection, _ = inspection_record(
        by=officer, site=site, kind=Inspection.Kind.NIGHT, started_at=found, findings=[draft]
    )
    sweep(today)
    return inspection.findings.get()


def badge_count(page) -> int:
    badge = page.get_by_test_id("inbox-badge")
    return int(badge.inner_text()) if badge.count() else 0


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_village_office_opens_the_overdue_reminder_from_its_inbox(overdue_finding, live_server, open_context):
    village_office = User.objects.get(username="village")
    unread = Notification.objects.for_user(village_office).unread().count()
    assert unread >= 1

    page = open_context(viewport=PHONE).new_page()
    sign_in(page, live_server.url, "village", DEMO_PASSWORD)

    # the bell sits beside the menu button: visible at 375 px without opening the menu
    bell = page.get_by_test_id("inbox-bell")
    assert bell.is_visible()
    assert page.get_by_test_id("inbox-badge").is_visible()
    assert badge_count(page) == unread
    assert fits_the_phone(page)
    screenshot(page, "inbox-1-village-home-badge-phone")

    bell.click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/inbox/"
    reminder = page.locator("[data-unread]", has_text=overdue_finding.number)
    assert reminder.count() == 1
    assert reminder.locator(".fw-bold").is_visible()
    assert overdue_finding.site.name in reminder.inner_text()
    assert fits_the_phone(page)
    screenshot(page, "inbox-2-village-inbox-phone")

    reminder.click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}{overdue_finding.get_absolute_url()}"
    assert overdue_finding.number in page.locator("h1").inner_text()
    assert badge_count(page) == unread - 1
    screenshot(page, "inbox-3-village-finding-phone")

    page.go_back()
    page.reload()
    page.wait_for_load_state("networkidle")
    assert badge_count(page) == unread - 1
    opened = page.locator(f'[data-notification]:has-text("{overdue_finding.number}")')
    assert opened.get_attribute("data-unread") is None
    assert fits_the_phone(page)
    screenshot(page, "inbox-4-village-inbox-after-phone")


@pytest.fixture
def red_card_letter(demo_data):
    """A 横江村 finding sixteen days overdue: after the sweep, a yellow and a red card and a drafted letter."""
    officer = User.objects.get(username="officer")
    village = Village.objects.get(name="横江村")
    site, _ = Site.objects.get_or_create(
        village=village, name="横江村兴隆塑料制品厂", defaults={"address": "横江村兴业路6号", "contact_name": "陈老板"}
    )
    deadline = timezone.localdate() - dt.timedelta(days=16)
    found = timezone.make_aware(dt.datetime.combine(deadline - dt.timedelta(days=5), dt.time(15, 0)))
    draft = FindingDraft(
        category=Finding.Category.FIRE,
        description="仓库内塑料原料堆放占用消防通道，灭火器过期未更换",
        location="一号仓库",
        deadline=deadline,
    )
    inspection, _ = inspection_record(
        by=officer, site=site, kind=Inspection.Kind.ROUTINE, started_at=found, findings=[draft]
    )
    sweep(timezone.localdate())
    finding = inspection.findings.get()
    return SupervisionLetter.objects.get(card__source=f"finding:{finding.pk}"), finding


def test_the_administrator_sends_the_letter_and_the_village_sees_card_and_letter(
    red_card_letter, live_server, open_context
):
    letter, finding = red_card_letter
    village = letter.card.village

    admin = open_context(viewport=DESKTOP).new_page()
    sign_in(admin, live_server.url, "admin", DEMO_PASSWORD)
    admin.goto(f"{live_server.url}/reminders/")
    assert admin.get_by_test_id("reminder-table").is_visible()
    screenshot(admin, "inbox-5-admin-reminders-desktop")

    admin.locator(".nav-tabs a[href='/cards/']").click()
    admin.wait_for_url("**/cards/")
    assert admin.get_by_test_id("card-table").is_visible()
    screenshot(admin, "inbox-6-admin-cards-desktop")

    admin.goto(f"{live_server.url}/supervision-letters/{letter.pk}/")
    assert finding.number in admin.inner_text("main")
    admin.get_by_test_id("letter-send").click()
    admin.wait_for_load_state("networkidle")
    letter.refresh_from_db()
    assert letter.status == SupervisionLetter.Status.SENT
    assert letter.number in admin.locator("h1").inner_text()
    screenshot(admin, "inbox-7-admin-letter-sent-desktop")
    pdf = admin.request.get(f"{live_server.url}/supervision-letters/{letter.pk}/pdf/")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    # the overview works on a phone too
    admin_phone = open_context(viewport=PHONE).new_page()
    sign_in(admin_phone, live_server.url, "admin", DEMO_PASSWORD)
    for path, name in [("/reminders/", "reminders"), ("/cards/", "cards"), ("/supervision-letters/", "letters")]:
        admin_phone.goto(f"{live_server.url}{path}")
        assert fits_the_phone(admin_phone), path
        screenshot(admin_phone, f"inbox-admin-{name}-phone")

    phone = open_context(viewport=PHONE).new_page()
    sign_in(phone, live_server.url, "village", DEMO_PASSWORD)
    phone.goto(f"{live_server.url}{village.get_absolute_url()}")
    cards = phone.get_by_test_id("party-cards")
    assert cards.locator('[data-card="red"]', has_text=finding.number).count() == 1
    assert cards.get_by_role("link", name=letter.number).is_visible()
    assert fits_the_phone(phone)
    screenshot(phone, "inbox-8-village-cards-phone")

    phone.goto(f"{live_server.url}/inbox/")
    phone.locator("[data-unread]", has_text=letter.number).click()
    phone.wait_for_load_state("networkidle")
    assert phone.url == f"{live_server.url}/supervision-letters/{letter.pk}/"
    assert fits_the_phone(phone)
    screenshot(phone, "inbox-9-village-letter-phone")

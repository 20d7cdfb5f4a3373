"""Stories 2 and 3 on a phone: the village office submits the fix, the officer verifies and closes.

After a night inspection by officer 陈志强 at a workshop in 横江村 (two fire findings), the 横江村
safety office submits both fixes with an after-photo; the officer passes the first (closed, 销号)
and sends the second back with a new deadline. Screenshots of each step go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chashan_safety.demo import DEMO_PASSWORD
from chashan_safety.models import User
from inspections.models import Finding, Inspection, Site
from inspections.photos import process_photo
from inspections.services import FindingDraft, inspection_record
from responsibility.models import Village
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.builders import jpeg_bytes, jpeg_upload

pytestmark = pytest.mark.browser


@pytest.fixture
def night_findings(demo_data, settings, tmp_path) -> list[Finding]:
    """Last night's inspection at a workshop in 横江村: a blocked fire exit and a tangle of extension leads."""
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = User.objects.get(username="officer")
    village = Village.objects.get(name="横江村")
    site, _ = Site.objects.get_or_create(
        village=village,
        name="横江村鸿发五金加工厂",
        defaults={"address": "横江村工业大道18号", "contact_name": "何老板", "contact_phone": "13712345678"},
    )
    found = timezone.now() - dt.timedelta(hours=14)
    deadline = timezone.localdate(found) + dt.timedelta(days=3)
    drafts = [
        FindingDraft(
            category=Finding.Category.FIRE,
            description="二楼车间安全出口被纸箱和货架堵塞，出口门被链条锁住",
            location="二楼车间东侧安全出口",
            measures="清除杂物，拆除链条锁，保持安全出口畅通",
            deadline=deadline,
            photos=[process_photo(jpeg_upload("exit.jpg", colour=(120, 60, 30)))],
        ),
        FindingDraft(
            category=Finding.Category.FIRE,
            description="车间内多个插线板串接使用，电线乱拉乱接",
            location="一楼冲压车间",
            measures="拆除串接插线板，由电工规范敷设线路",
            deadline=deadline,
            photos=[process_photo(jpeg_upload("leads.jpg", colour=(60, 60, 140)))],
        ),
    ]
    inspection, _ = inspection_record(
        by=officer, site=site, kind=Inspection.Kind.NIGHT, started_at=found, findings=drafts
    )
    return list(inspection.findings.order_by("pk"))


def status_of(page) -> str:
    return page.locator("h1 [data-status]").get_attribute("data-status")


def photos_shown(page) -> int:
    """How many photos on the page were served and decoded (lazy ones are scrolled into view first)."""
    images = page.locator("[data-photo-gallery] img")
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('[data-photo-gallery] img')].every(i => i.complete)")
    page.evaluate("window.scrollTo(0, 0)")
    return images.evaluate_all("items => items.filter(i => i.naturalWidth > 0).length")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_village_office_fixes_and_officer_verifies_and_closes_on_a_phone(live_server, open_context, night_findings):
    exit_finding, leads_finding = night_findings
    exit_url = f"{live_server.url}{exit_finding.get_absolute_url()}"
    leads_url = f"{live_server.url}{leads_finding.get_absolute_url()}"

    # --- the village office, next morning ---------------------------------------------------------
    village = open_context(viewport=PHONE).new_page()
    sign_in(village, live_server.url, "village", DEMO_PASSWORD)
    screenshot(village, "fix-and-close-1-village-home-phone")
    link = village.locator(f'a[href="{exit_finding.get_absolute_url()}"]')
    if link.count():
        link.first.click()
    else:  # the home panels list findings once they are built; until then, the finding's address
        village.goto(exit_url)
    assert status_of(village) == "open"
    assert "二楼车间安全出口被纸箱和货架堵塞" in village.inner_text("main")
    assert photos_shown(village) == 2  # the before-photo, in the gallery and on "recorded" in the timeline
    assert fits_the_phone(village)
    screenshot(village, "fix-and-close-2-village-finding-open-phone")

    village.locator("#submit_fix-note").fill("已清除安全出口杂物，拆除链条锁，出口畅通")
    village.locator("#submit_fix-photos").set_input_files(
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(colour=(40, 160, 60))}]
    )
    screenshot(village, "fix-and-close-3-village-fix-filled-phone")
    village.get_by_test_id("submit-submit_fix").click()
    village.wait_for_load_state("networkidle")

    assert village.url.split("#")[0] == exit_url  # the form's anchor rides along the redirect
    assert status_of(village) == "fix_submitted"
    submitted = village.locator('[data-timeline] [data-action="fix_submitted"]')
    assert "袁伟明" in submitted.inner_text()
    assert "已清除安全出口杂物" in submitted.inner_text()
    assert submitted.locator("img").count() == 1
    assert photos_shown(village) == 3  # before, in the gallery and on "recorded"; after, on "fix submitted"
    assert village.locator("[data-next-step]").is_visible()
    assert fits_the_phone(village)
    screenshot(village, "fix-and-close-4-village-awaiting-verification-phone")

    # the extension leads were "fixed" too, or so the village says
    village.goto(leads_url)
    village.locator("#submit_fix-note").fill("已整理电线")
    village.locator("#submit_fix-photos").set_input_files(
        files=[{"name": "leads-after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    village.get_by_test_id("submit-submit_fix").click()
    village.wait_for_load_state("networkidle")
    assert status_of(village) == "fix_submitted"

    # --- the officer, back at the site two days later -----------------------------------------------
    officer = open_context(viewport=PHONE).new_page()
    sign_in(officer, live_server.url, "officer", DEMO_PASSWORD)
    officer.goto(exit_url)
    assert status_of(officer) == "fix_submitted"
    # the new deadline is asked for only when the fix fails
    assert not officer.locator("#verify-deadline").is_visible()
    officer.locator("#verify-result_0").check()
    officer.locator("#verify-note").fill("现场复查：安全出口已畅通")
    screenshot(officer, "fix-and-close-5-officer-verify-pass-phone")
    officer.get_by_test_id("submit-verify").click()
    officer.wait_for_load_state("networkidle")

    assert status_of(officer) == "closed"
    timeline = officer.locator("[data-timeline]")
    actions = timeline.locator("[data-action]").evaluate_all("items => items.map(i => i.dataset.action)")
    assert actions == ["created", "fix_submitted", "verified_passed", "closed"]
    who = timeline.locator("[data-by]").all_inner_texts()
    assert who == ["陈志强", "袁伟明", "陈志强", "陈志强"]
    assert officer.locator("#actions form").count() == 1  # only "reopen" is left
    assert fits_the_phone(officer)
    screenshot(officer, "fix-and-close-6-officer-closed-phone")

    officer.goto(leads_url)
    officer.locator("#verify-result_1").check()
    assert officer.locator("#verify-deadline").is_visible()
    new_deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    officer.locator("#verify-note").fill("插线板仍在串接使用，未按要求整改")
    officer.locator("#verify-deadline").fill(new_deadline)
    screenshot(officer, "fix-and-close-7-officer-verify-fail-phone")
    officer.get_by_test_id("submit-verify").click()
    officer.wait_for_load_state("networkidle")

    assert status_of(officer) == "open"
    assert officer.locator("[data-deadline]").get_attribute("data-deadline") == new_deadline
    failed = officer.locator('[data-timeline] [data-action="verified_failed"]')
    assert "插线板仍在串接使用" in failed.inner_text()
    assert new_deadline in failed.inner_text()
    screenshot(officer, "fix-and-close-8-officer-sent-back-phone")

    # the database agrees with what the pages showed
    exit_finding.refresh_from_db()
    leads_finding.refresh_from_db()
    assert (exit_finding.status, leads_finding.status) == (Finding.Status.CLOSED, Finding.Status.OPEN)
    assert leads_finding.deadline.isoformat() == new_deadline

    # the village sees the finding back on its desk, with the new deadline
    village.goto(leads_url)
    assert status_of(village) == "open"
    assert village.locator("#submit_fix-note").is_visible()
    screenshot(village, "fix-and-close-9-village-sent-back-phone")

    # the town's view on a desktop: the whole story, and the change history of the record
    admin = open_context(viewport=DESKTOP).new_page()
    sign_in(admin, live_server.url, "admin", DEMO_PASSWORD)
    admin.goto(exit_url)
    assert status_of(admin) == "closed"
    assert admin.locator("#history-title").is_visible()
    assert photos_shown(admin) == 3
    screenshot(admin, "fix-and-close-10-admin-closed-desktop")

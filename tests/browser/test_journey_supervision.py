"""Supervision on a phone: the 回头看 round that finds a hazard back, a major hazard closed by the town
once its 五落实 plan is complete, and the night plan with a rectification notice printed as a PDF.

Screenshots of each step go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from chashan_safety.demo import DEMO_PASSWORD
from chashan_safety.models import User
from inspections.models import Finding, FindingEvent, Inspection, Site
from inspections.services import FindingDraft, inspection_record
from responsibility.models import Village
from supervision.models import FollowUp, InspectionPlan, RectificationPlan
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.builders import jpeg_bytes
from tests.supervision.test_notices import notice_title

pytestmark = pytest.mark.browser


def status_of(page) -> str:
    return page.locator("h1 [data-status]").first.get_attribute("data-status")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def record_at_workshop(*, grade: str, description: str, location: str) -> Finding:
    officer = User.objects.get(username="officer")
    site, _ = Site.objects.get_or_create(
        village=Village.objects.get(name="横江村"),
        name="横江村鸿发五金加工厂",
        defaults={"address": "横江村工业大道18号", "contact_name": "何老板", "contact_phone": "13712345678"},
    )
    found = timezone.now() - dt.timedelta(hours=14)
    draft = FindingDraft(
        category=Finding.Category.GAS if grade == Finding.Grade.MAJOR else Finding.Category.FIRE,
        grade=grade,
        description=description,
        location=location,
        measures="停用并更换老化管道，加装可燃气体报警装置",
        deadline=timezone.localdate(found) + dt.timedelta(days=10),
    )
    inspection, _ = inspection_record(
        by=officer, site=site, kind=Inspection.Kind.NIGHT, started_at=found, findings=[draft]
    )
    return inspection.findings.get()


def test_an_officer_runs_a_follow_up_round_records_a_relapse_and_sees_the_finding_reopen(
    demo_data, live_server, open_context, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = open_context(viewport=PHONE, color_scheme="dark").new_page()
    sign_in(page, live_server.url, "officer", DEMO_PASSWORD)

    page.goto(f"{live_server.url}/follow-ups/")
    assert fits_the_phone(page)
    screenshot(page, "supervision-1-follow-ups-phone-dark")
    page.get_by_test_id("new-round").click()
    page.locator("#id_name").fill("横江片回头看（11月）")
    page.locator("#id_share").fill("5")
    page.locator("#id_seed").fill("2026")
    screenshot(page, "supervision-2-round-form-phone-dark")
    page.get_by_test_id("draw-round").click()
    page.wait_for_load_state("networkidle")

    assert "横江片回头看（11月）" in page.inner_text("h1")
    items = page.get_by_test_id("round-item")
    assert items.count() >= 1
    assert fits_the_phone(page)
    screenshot(page, "supervision-3-round-drawn-phone-dark")
    number = items.first.inner_text().strip()
    items.first.click()
    page.wait_for_load_state("networkidle")

    new_deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    page.locator("#follow_up-result_1").check()
    page.locator("#follow_up-note").fill("回头看发现：消防通道又被货物堵塞")
    page.locator("#follow_up-deadline").fill(new_deadline)
    page.locator("#follow_up-photos").set_input_files(
        files=[{"name": "relapse.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(colour=(160, 40, 40))}]
    )
    screenshot(page, "supervision-4-relapse-filled-phone-dark")
    page.get_by_test_id("record-follow-up").click()
    page.wait_for_load_state("networkidle")

    # the finding's own page: open again, with the new deadline, and the timeline says why
    assert number in page.inner_text("h1")
    assert status_of(page) == "open"
    assert page.locator("[data-deadline]").get_attribute("data-deadline") == new_deadline
    relapse = page.locator('[data-timeline] [data-action="relapsed"]')
    assert "消防通道又被货物堵塞" in relapse.inner_text()
    assert new_deadline in relapse.inner_text()
    assert relapse.locator("img").count() == 1
    assert fits_the_phone(page)
    screenshot(page, "supervision-5-finding-reopened-phone-dark")

    finding = Finding.objects.get(number=number)
    assert finding.status == Finding.Status.OPEN and finding.deadline.isoformat() == new_deadline
    assert FollowUp.objects.get(finding=finding, round__name="横江片回头看（11月）").result == "relapsed"


def test_the_town_admin_closes_a_major_finding_once_its_plan_is_complete(
    demo_data, live_server, open_context, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    finding = record_at_workshop(
        grade=Finding.Grade.MAJOR,
        description="液化石油气瓶组间管道老化漏气，未设可燃气体报警装置",
        location="厨房后侧瓶组间",
    )
    url = f"{live_server.url}{finding.get_absolute_url()}"

    # the village office opens it before the plan is there: the page says what is missing where the fix form
    # would be, before any note is written or photo taken
    village = open_context(viewport=PHONE).new_page()
    sign_in(village, live_server.url, "village", DEMO_PASSWORD)
    village.goto(url)
    assert village.get_by_test_id("plan-card").locator('[data-plan="incomplete"]').is_visible()
    assert "提交整改前请先完善整改方案" in village.get_by_test_id("refusal-submit_fix").inner_text()
    assert village.locator("#submit_fix-note").count() == 0
    assert status_of(village) == "open"
    screenshot(village, "supervision-6-fix-refused-without-plan-phone")

    # it writes the plan: what the finding said is already there; funds and the contingency plan are added
    village.get_by_test_id("edit-plan").click()
    assert village.locator("#id_measures").input_value() == "停用并更换老化管道，加装可燃气体报警装置"
    village.locator("#id_funds").fill("38000")
    village.locator("#id_contingency_plan").fill("整改期间停用瓶组间，设置警戒线，配备灭火器，专人值守")
    assert fits_the_phone(village)
    screenshot(village, "supervision-7-plan-form-phone")
    village.get_by_test_id("save-plan").click()
    village.wait_for_load_state("networkidle")
    assert village.get_by_test_id("plan-card").locator('[data-plan="complete"]').is_visible()

    village.locator("#submit_fix-note").fill("已更换管道并加装报警装置")
    village.locator("#submit_fix-photos").set_input_files(
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(colour=(40, 160, 60))}]
    )
    village.get_by_test_id("submit-submit_fix").click()
    village.wait_for_load_state("networkidle")
    assert status_of(village) == "fix_submitted"

    officer = open_context(viewport=PHONE).new_page()
    sign_in(officer, live_server.url, "officer", DEMO_PASSWORD)
    officer.goto(url)
    officer.locator("#verify-result_0").check()
    officer.locator("#verify-note").fill("现场复查：管道已更换，报警装置工作正常")
    officer.get_by_test_id("submit-verify").click()
    officer.wait_for_load_state("networkidle")
    assert status_of(officer) == "verified"
    assert officer.get_by_test_id("submit-close").count() == 0  # only the town closes a listed hazard

    # the town administrator, on the board, closes it out
    admin = open_context(viewport=DESKTOP).new_page()
    sign_in(admin, live_server.url, "admin", DEMO_PASSWORD)
    admin.goto(f"{live_server.url}/supervision/")
    row = admin.locator(f'[data-finding="{finding.number}"]')
    assert row.locator('[data-plan="complete"]').is_visible()
    screenshot(admin, "supervision-8-board-desktop")
    row.get_by_role("link", name=finding.number).click()
    admin.locator("#close-note").fill("重大隐患已整改到位，摘牌销号")
    admin.get_by_test_id("submit-close").click()
    admin.wait_for_load_state("networkidle")
    assert status_of(admin) == "closed"
    follow_ups = admin.get_by_test_id("follow-up-card")
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert due in follow_ups.inner_text()
    screenshot(admin, "supervision-9-closed-desktop")

    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED
    assert finding.events.last().by.username == "admin"
    assert RectificationPlan.objects.get(finding=finding).is_complete
    admin.goto(f"{live_server.url}/supervision/")
    assert admin.locator(f'[data-finding="{finding.number}"]').count() == 0


def test_an_officer_draws_a_night_plan_and_downloads_a_rectification_notice(
    demo_data, live_server, open_context, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    finding = record_at_workshop(
        grade=Finding.Grade.GENERAL, description="二楼车间安全出口被纸箱和货架堵塞", location="二楼车间东侧安全出口"
    )
    page = open_context(viewport=PHONE, color_scheme="dark", accept_downloads=True).new_page()
    sign_in(page, live_server.url, "officer", DEMO_PASSWORD)

    page.goto(f"{live_server.url}/planner/")
    page.locator("#id_kind_1").check()  # night
    page.locator("#id_size").fill("3")
    assert fits_the_phone(page)
    page.get_by_test_id("draw-plan").click()
    page.wait_for_load_state("networkidle")
    visits = page.get_by_test_id("plan-visits").locator("[data-visit]")
    assert visits.count() == 3
    screenshot(page, "supervision-10-night-plan-drawn-phone-dark")

    swapped = visits.nth(1).get_attribute("data-site")
    page.get_by_test_id("swap-2").click()
    page.wait_for_load_state("networkidle")
    sites = (
        page.get_by_test_id("plan-visits")
        .locator("[data-visit]")
        .evaluate_all("items => items.map(i => i.dataset.site)")
    )
    assert len(sites) == 3 and swapped not in sites
    page.get_by_test_id("accept").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-plan-status]").get_attribute("data-plan-status") == "accepted"
    assert fits_the_phone(page)

    plan = InspectionPlan.objects.filter(created_by__username="officer").order_by("-pk").first()
    assert plan.kind == "night" and plan.status == "accepted"
    assert sorted(plan.visits.values_list("site__name", flat=True)) == sorted(sites)

    page.goto(f"{live_server.url}/")
    todays = page.get_by_test_id("todays-plan")
    for name in sites:
        assert name in todays.inner_text()
    screenshot(page, "supervision-11-home-todays-plan-phone-dark")

    page.goto(f"{live_server.url}{finding.get_absolute_url()}")
    with page.expect_download() as download_info:
        page.get_by_test_id("notice-finding").click()
    path = tmp_path / "notice.pdf"
    download_info.value.save_as(path)
    text = "".join(  # without white space: pdftotext breaks the lines the layout wrapped
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    for fact in (
        finding.number,
        "二楼车间安全出口被纸箱和货架堵塞",
        "二楼车间东侧安全出口",
        "横江村鸿发五金加工厂",
        notice_title(),
    ):
        assert fact in text
    assert "陈志强" in text
    assert FindingEvent.objects.filter(finding=finding).count() == 1  # the notice moves nothing

"""Story 7: the duty desk. The duty officer on duty tonight (the demo's ``officer`` login) logs a call about
a gas smell in a restaurant in 茶山圩社区 (接), reports it to the leader on duty (报) and passes on the
leader's order (传), then turns the entry into an incident: the call-out list for a gas leak opens with
phone numbers — emergency, police, fire, the community and the gas company — and he records when each
was called and when the fire crew arrived. The town leader then finds the incident on the leadership
dashboard. On a 375 px phone in dark mode the duty calendar fits the screen. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from chashan_safety.demo import DEMO_PASSWORD
from duty.models import DutyLogEntry, DutyShift, ResponseActivation
from incidents.models import Incident
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser


def dashboard_count(page, year: int) -> int:
    return int(page.locator(f'[data-testid="year-table"] tr[data-year="{year}"] a[data-figure="count"]').inner_text())


def test_the_duty_officer_logs_a_call_and_calls_out_the_units(demo_data, live_server, open_context):
    year = timezone.localdate().year
    leader_page = open_context(viewport=DESKTOP).new_page()
    sign_in(leader_page, live_server.url, "leader", DEMO_PASSWORD)
    leader_page.goto(f"{live_server.url}/dashboard/")
    leader_page.wait_for_load_state("networkidle")
    before = dashboard_count(leader_page, year)

    page = open_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, "officer", DEMO_PASSWORD)
    on_duty = page.get_by_test_id("on-duty-now")
    assert "陈志强" in on_duty.inner_text()
    screenshot(page, "duty-1-home-on-duty-now")

    # --- 接: the call -----------------------------------------------------------------------------
    page.goto(f"{live_server.url}/duty/")
    page.get_by_test_id("log-call").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("#id_caller_name").fill("张老板")
    page.locator("#id_caller_unit").fill("茶山圩某餐馆店主")
    page.locator("#id_caller_phone").fill("13800009999")
    page.locator("#id_event_type").select_option(label="燃气泄漏")
    page.locator("#id_village").select_option(label="茶山圩社区")
    page.locator("#id_place").fill("茶山圩社区东岳路某餐馆")
    page.locator("#id_what_happened").fill("后厨闻到浓烈燃气味，已关闭总阀，顾客已疏散")
    page.locator("#id_casualties").fill("无")
    page.locator("#id_already_told").fill("已拨打119")
    screenshot(page, "duty-2-log-form")
    page.get_by_test_id("log-form").locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    entry = DutyLogEntry.objects.get(caller_phone="13800009999")
    assert page.url == f"{live_server.url}/duty/log/{entry.pk}/"
    assert entry.village.name == "茶山圩社区" and entry.recorded_by.username == "officer"
    assert entry.already_told == "已拨打119"

    # --- 报 and 传 ---------------------------------------------------------------------------------
    form = page.get_by_test_id("step-form")
    form.locator("#id_step").select_option("report")
    form.locator("#id_report_kind").select_option("initial")
    form.locator("#id_counterpart").fill("带班领导")
    form.locator("#id_content").fill("电话报告：茶山圩社区餐馆燃气泄漏，无人员伤亡")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    form = page.get_by_test_id("step-form")
    form.locator("#id_step").select_option("pass_on")
    form.locator("#id_counterpart").fill("茶山消防救援站")
    form.locator("#id_content").fill("传达带班领导指示：立即出警，燃气公司到场抢修")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    steps = page.get_by_test_id("steps")
    assert steps.locator('[data-report="initial"]').count() == 1
    assert steps.locator('[data-step="pass_on"]').count() == 1
    screenshot(page, "duty-3-log-entry-with-steps")

    # --- one action: incident and call-out list ------------------------------------------------------
    activate = page.get_by_test_id("activate-form")
    assert activate.locator("#id_template option:checked").inner_text() == "燃气泄漏"
    activate.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    activation = ResponseActivation.objects.get(log_entry=entry)
    assert page.url == f"{live_server.url}/duty/activations/{activation.pk}/"
    units = page.locator("[data-testid=callouts] li[data-unit]")
    names = [units.nth(i).get_attribute("data-unit") for i in range(units.count())]
    assert names[:4] == ["茶山镇应急管理分局", "东莞市公安局茶山分局", "茶山消防救援站", "茶山圩社区"]
    assert "茶山镇燃气有限公司" in names
    assert "0769-86643119" in page.locator('li[data-unit="茶山消防救援站"]').inner_text()
    assert page.locator('li[data-unit="茶山镇燃气有限公司"] a[href^="tel:"]').count() >= 1

    for unit in ["茶山镇应急管理分局", "茶山消防救援站", "茶山镇燃气有限公司"]:
        page.locator(f'li[data-unit="{unit}"] [data-action="called-now"]').click()
        page.wait_for_load_state("networkidle")
    page.locator('li[data-unit="茶山消防救援站"] [data-action="arrived-now"]').click()
    page.wait_for_load_state("networkidle")
    fire = activation.callouts.get(unit_name="茶山消防救援站")
    assert fire.called_at is not None and fire.arrived_at is not None
    assert page.locator('li[data-unit="茶山消防救援站"] [data-arrived]').inner_text() != "—"
    timeline = page.get_by_test_id("timeline")
    assert timeline.locator('[data-kind="called"]').count() == 3
    assert timeline.locator('[data-kind="arrived"]').count() == 1
    assert timeline.locator("li").first.get_attribute("data-kind") == "opened"
    assert timeline.locator("li").last.get_attribute("data-kind") == "arrived"
    screenshot(page, "duty-4-call-out-list")

    # --- the leader sees it on the dashboard ---------------------------------------------------------
    incident = Incident.objects.get(pk=activation.incident_id)
    leader_page.reload()
    leader_page.wait_for_load_state("networkidle")
    assert dashboard_count(leader_page, year) == before + 1
    leader_page.locator(f'[data-testid="year-table"] tr[data-year="{year}"] a[data-figure="count"]').click()
    leader_page.wait_for_load_state("networkidle")
    assert re.search(rf"/incidents/\?year={year}", leader_page.url)
    assert leader_page.locator(f'tr[data-incident="{incident.pk}"]').count() == 1
    screenshot(leader_page, "duty-5-incident-on-the-dashboard")


def test_the_duty_calendar_fits_a_phone_in_dark_mode(demo_data, live_server, open_context):
    page = open_context(viewport=PHONE, color_scheme="dark").new_page()
    sign_in(page, live_server.url, "village", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/duty/calendar/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.getAttribute('data-bs-theme')") == "dark"
    assert page.get_by_test_id("month-list").is_visible()
    today = timezone.localdate()
    this_month = [
        s
        for s in DutyShift.objects.all()
        if (timezone.localtime(s.starts_at).year, timezone.localtime(s.starts_at).month) == (today.year, today.month)
    ]
    assert len(this_month) >= 14
    assert page.locator("[data-testid=month-list] li").count() == len(this_month)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "duty-6-calendar-phone-dark")
    page.get_by_test_id("print-table").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("duty-table-print").is_visible()
    assert page.locator("tr[data-shift]").count() == len(this_month)

    officer = open_context(viewport=PHONE, color_scheme="dark").new_page()
    sign_in(officer, live_server.url, "officer", DEMO_PASSWORD)
    responding = ResponseActivation.objects.filter(status="open").first()
    for name, path in [
        ("desk", "/duty/"),
        ("log-form", "/duty/log/new/"),
        ("log-entry", f"/duty/log/{responding.log_entry_id}/"),
        ("activation", f"/duty/activations/{responding.pk}/"),
        ("roster", "/duty/roster/"),
    ]:
        officer.goto(f"{live_server.url}{path}")
        officer.wait_for_load_state("networkidle")
        assert officer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        screenshot(officer, f"duty-phone-{name}")


def test_the_admin_reads_the_month_grid_and_the_holiday_plan_on_a_desktop(demo_data, live_server, open_context):
    page = open_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/duty/calendar/")
    page.wait_for_load_state("networkidle")
    grid = page.get_by_test_id("month-grid")
    assert grid.is_visible()
    # the shift on duty now began at 08:30 today, or yesterday before 08:30: the demo's officer is on it
    duty_day = (timezone.localtime() - dt.timedelta(hours=8, minutes=30)).date()
    today = grid.locator(f'td[data-day="{duty_day:%Y-%m-%d}"]')
    assert today.locator('[data-person="officer"]').count() == 1
    screenshot(page, "duty-7-calendar-desktop")

    festival = DutyShift.objects.filter(holiday="春节").order_by("starts_at").first()
    page.goto(f"{live_server.url}/duty/calendar/?month={timezone.localtime(festival.starts_at):%Y-%m}")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=month-grid] [data-holiday]").count() == 8
    assert page.locator("[data-testid=month-grid] .bi-arrow-left-right").count() == 1  # the approved swap
    screenshot(page, "duty-8-spring-festival-desktop")
    page.get_by_test_id("print-table").click()
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert page.locator("tr[data-shift].table-warning").count() == 8
    screenshot(page, "duty-9-print")

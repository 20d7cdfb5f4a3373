"""Story 6: the leadership meeting. The deputy mayor opens the dashboard, sees the double-decline
streak, clicks the bar for 2021 and lands on the incidents behind it, then opens the print view;
on a phone in dark mode the page fits the screen and the charts draw in light ink.

Runs on the demo data: 2017–2021 are five years of double decline. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import pytest

from chashan_safety.demo import DEMO_PASSWORD
from incidents.models import Incident
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser


def click_bar(page, canvas_id: str, label: str, dataset: int = 0) -> None:
    """Click the middle of the bar for ``label`` in the chart drawn on ``canvas_id``."""
    point = page.evaluate(
        """([id, label, dataset]) => {
            const canvas = document.getElementById(id);
            const chart = canvas.chart;
            const index = chart.data.labels.indexOf(label);
            const bar = chart.getDatasetMeta(dataset).data[index];
            const box = canvas.getBoundingClientRect();
            return {x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2};
        }""",
        [canvas_id, label, dataset],
    )
    page.mouse.click(point["x"], point["y"])


def test_the_leader_sees_the_streak_and_drills_down_from_the_2021_bar(demo_data, live_server, open_context):
    page = open_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, "leader", DEMO_PASSWORD)
    page.locator('nav a[href="/dashboard/"]').first.click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/dashboard/"

    best = page.get_by_test_id("best-streak")
    assert best.is_visible()
    assert best.get_attribute("data-years") == "5"
    assert best.get_attribute("data-through") == "2021"
    assert "5" in best.inner_text() and "2017" in best.inner_text() and "2021" in best.inner_text()
    row_2021 = page.locator('tr[data-year="2021"]')
    assert row_2021.get_attribute("data-double-decline") == "yes"
    assert row_2021.get_attribute("data-streak") == "5"
    page.locator("#chart-years").scroll_into_view_if_needed()
    page.wait_for_function("document.getElementById('chart-years').chart !== undefined")
    screenshot(page, "dashboard-1-leader-desktop")

    click_bar(page, "chart-years", "2021")
    page.wait_for_url("**/incidents/?year=2021*")
    page.wait_for_load_state("networkidle")
    expected = Incident.objects.in_year(2021).count()
    assert expected == 9
    assert page.locator("tr[data-incident]").count() == expected
    for cell in page.locator("tr[data-incident] time").all_inner_texts():
        assert cell.startswith("2021-")
    screenshot(page, "dashboard-2-incidents-of-2021")

    page.go_back()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("print-view").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("dashboard-print").is_visible()
    assert page.locator('[data-testid="year-table"] tr[data-year="2021"]').count() == 1
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    screenshot(page, "dashboard-3-print")


def test_the_dashboard_fits_a_phone_in_dark_mode(demo_data, live_server, open_context):
    page = open_context(viewport=PHONE, color_scheme="dark").new_page()
    sign_in(page, live_server.url, "leader", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.getAttribute('data-bs-theme')") == "dark"
    page.wait_for_function("document.getElementById('chart-years').chart !== undefined")
    # the charts' ink follows the page's text colour: light on the dark background
    ink = page.evaluate("Chart.defaults.color")
    body = page.evaluate("getComputedStyle(document.body).color")
    assert ink.replace(" ", "") != "#212529"
    assert body != "rgb(33, 37, 41)"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_test_id("streak").is_visible()
    screenshot(page, "dashboard-4-phone-dark")


def test_on_a_projector_the_dashboard_uses_the_width_and_other_pages_keep_theirs(demo_data, live_server, open_context):
    projector = {"width": 1920, "height": 1080}
    page = open_context(viewport=projector).new_page()
    sign_in(page, live_server.url, "leader", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_function("document.getElementById('chart-years').chart !== undefined")

    main = page.evaluate("document.getElementById('content').getBoundingClientRect().width")
    chart = page.evaluate("document.getElementById('chart-years').getBoundingClientRect().width")
    assert main >= 1750  # 1,800 px less the page's margins, not Bootstrap's 1,320
    assert chart >= 1600
    assert page.evaluate("document.documentElement.scrollWidth") <= projector["width"]
    screenshot(page, "dashboard-5-projector")

    page.goto(f"{live_server.url}/findings/")
    assert page.evaluate("document.getElementById('content').getBoundingClientRect().width") <= 1320

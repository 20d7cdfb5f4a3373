"""Story 8 on a phone: a village office records a drill with a photo and sees the coverage matrix update.

横江村 (the ``village`` login's) has held no drill yet this year in the demo data. Its safety office opens
the coverage matrix from the home page on a 375 px phone in dark mode, records a fire drill at the village's
cultural room — first with a mistyped audience, which is refused with a message — then with 120 people and
a photo; the matrix then shows the drill. The town administrator, on a desktop, still sees 博头村 without a
drill and without a publicity board. Screenshots of each step go to test-artifacts/.
"""

from __future__ import annotations

import pytest
from django.utils.translation import gettext, override

from chashan_safety.demo import DEMO_PASSWORD
from outreach.models import Activity, CarrierType
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.builders import jpeg_bytes

pytestmark = pytest.mark.browser


def chinese(text: str) -> str:
    """The interface's words for ``text``, as the portal shows them in Simplified Chinese."""
    with override("zh-hans"):
        return gettext(text)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def drill_cell(page, village: str):
    return page.locator(f'tr[data-village="{village}"] td[data-column="kind-drill"]')


def photos_shown(page) -> int:
    images = page.locator("[data-photo-gallery] img")
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('[data-photo-gallery] img')].every(i => i.complete)")
    return images.evaluate_all("items => items.filter(i => i.naturalWidth > 0).length")


def test_village_office_records_a_drill_with_a_photo_and_the_matrix_updates(demo_data, live_server, open_context):
    page = open_context(viewport=PHONE, color_scheme="dark").new_page()
    sign_in(page, live_server.url, "village", DEMO_PASSWORD)
    assert page.evaluate("document.documentElement.getAttribute('data-bs-theme')") == "dark"
    panel = page.get_by_test_id("panel-village-outreach")
    assert chinese("Emergency drill") in panel.inner_text()  # the panel names what the village still lacks
    screenshot(page, "outreach-1-village-home-phone-dark")

    # --- the matrix before: no drill this year -------------------------------------------------------
    panel.get_by_test_id("coverage-link").click()
    page.wait_for_load_state("networkidle")
    assert drill_cell(page, "横江村").get_attribute("data-count") == "0"
    assert "coverage-gap" in drill_cell(page, "横江村").get_attribute("class")
    assert page.locator("tr[data-village]").count() == 1  # a village office sees its own row
    assert fits_the_phone(page)
    screenshot(page, "outreach-2-coverage-before-phone-dark")

    # --- recording the drill, first with a mistyped audience ----------------------------------------
    page.get_by_test_id("record-activity").click()
    page.wait_for_load_state("networkidle")
    page.select_option("#id_kind", "drill")
    page.fill("#id_title", "横江村安全生产月消防疏散演练")
    page.select_option("#id_carrier", label="横江村 · 横江村文化室（文化室）")
    page.fill("#id_organiser", "横江村安全办、茶山消防救援站")
    page.fill("#id_audience_count", "-120")
    page.locator("#id_photos").set_input_files(
        files=[{"name": "drill.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(colour=(200, 60, 40))}]
    )
    assert fits_the_phone(page)
    screenshot(page, "outreach-3-activity-form-phone-dark")
    page.get_by_test_id("save-activity").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_audience_count.is-invalid").count() == 1
    assert chinese("The audience cannot be fewer than zero people.") in page.inner_text("main")
    assert not Activity.objects.filter(title="横江村安全生产月消防疏散演练").exists()
    screenshot(page, "outreach-4-audience-refused-phone-dark")

    page.fill("#id_audience_count", "120")
    page.locator("#id_photos").set_input_files(
        files=[{"name": "drill.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(colour=(200, 60, 40))}]
    )
    page.get_by_test_id("save-activity").click()
    page.wait_for_load_state("networkidle")

    activity = Activity.objects.get(title="横江村安全生产月消防疏散演练")
    assert page.url.endswith(activity.get_absolute_url())
    assert activity.audience_count == 120 and activity.photos.count() == 1
    assert "120" in page.get_by_test_id("audience").inner_text()
    assert photos_shown(page) == 1
    assert fits_the_phone(page)
    screenshot(page, "outreach-5-activity-saved-phone-dark")

    # --- the matrix after: the drill is there --------------------------------------------------------
    page.get_by_test_id("year-coverage-link").click()
    page.wait_for_load_state("networkidle")
    assert drill_cell(page, "横江村").get_attribute("data-count") == "1"
    assert "coverage-ok" in drill_cell(page, "横江村").get_attribute("class")
    assert fits_the_phone(page)
    screenshot(page, "outreach-6-coverage-after-phone-dark")

    # --- the town's view: 博头村 still has no drill and no publicity board ---------------------------
    admin = open_context(viewport=DESKTOP).new_page()
    sign_in(admin, live_server.url, "admin", DEMO_PASSWORD)
    admin.goto(f"{live_server.url}/outreach/")
    board = CarrierType.objects.get(name="宣传栏")
    assert drill_cell(admin, "横江村").get_attribute("data-count") == "1"
    assert drill_cell(admin, "博头村").get_attribute("data-count") == "0"
    assert (
        admin.locator(f'tr[data-village="博头村"] td[data-column="type-{board.pk}"]').get_attribute("data-count") == "0"
    )
    assert admin.locator("tr[data-village]").count() == 18
    screenshot(admin, "outreach-7-coverage-town-desktop")


def test_the_calendar_and_a_venue_fit_a_phone_and_take_its_visitors(demo_data, live_server, open_context):
    page = open_context(viewport=PHONE).new_page()
    sign_in(page, live_server.url, "officer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/outreach/calendar/")
    assert page.locator(".cal-event").count() > 0
    assert page.get_by_test_id("upcoming").locator("li a").count() > 0
    assert fits_the_phone(page)
    screenshot(page, "outreach-8-calendar-phone")

    page.goto(f"{live_server.url}/outreach/carriers/?q=上元村消防微型宣教馆")
    page.get_by_role("link", name="上元村消防微型宣教馆").click()
    page.wait_for_load_state("networkidle")
    assert fits_the_phone(page)
    page.fill("#id_visitors", "321")
    page.locator("#visitors button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "321" in page.get_by_test_id("visitor-table").inner_text()
    assert fits_the_phone(page)
    screenshot(page, "outreach-9-venue-visitors-phone")

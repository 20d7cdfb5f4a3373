"""Story 1, the night patrol: officer 陈 logs a night inspection on his phone, in the dark, at 375 px.

The GPS point fills itself, he photographs the hazards, records two findings and saves; when the
signal drops the form waits on the phone and is sent once when the network is back; a reload
offers the half-filled form back.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from chashan_safety.demo import DEMO_PASSWORD
from inspections.models import Finding, Inspection, Photo, Site
from responsibility.models import Village
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser

SITE_NAME = "横江夜查示例五金加工厂"
DETAIL_URL = re.compile(r".*/inspections/\d+/$")
GPS = {"latitude": 23.06, "longitude": 113.85, "accuracy": 15}


def camera_jpeg() -> dict:
    """A large photo as a phone camera makes it: 3000 x 2250 px of detail, several megabytes."""
    image = Image.effect_noise((3000, 2250), 90).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    return {"name": "IMG_20261129_214012.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def png(colour: str, label: str = "") -> dict:
    """A small real photo, as Playwright's set_input_files takes it."""
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 440), outline="white", width=8)
    draw.text((60, 60), label or colour, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"name": f"{colour}.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def workshop(demo_data, media):
    village = Village.objects.get(name="横江村")
    return Site.objects.create(
        village=village,
        name=SITE_NAME,
        address="横江村工业路 8 号",
        industry="五金加工",
        risk_level=Site.RiskLevel.HIGH,
        contact_name="何老板",
        contact_phone="13800138000",
    )


@pytest.fixture
def phone_page(workshop, open_context, live_server):
    context = open_context(viewport=PHONE, color_scheme="dark", permissions=["geolocation"], geolocation=GPS)
    page = context.new_page()
    sign_in(page, live_server.url, "officer", DEMO_PASSWORD)
    return page


def open_new_inspection(page, live_server):
    page.goto(f"{live_server.url}/inspections/new/")
    page.wait_for_selector("[data-gps-text][data-state='located']")


def pick_site(page):
    page.locator("[data-site-query]").fill("夜查示例五金")
    page.locator("[data-site-results] button", has_text=SITE_NAME).click()
    assert page.locator("[data-site-chosen]").is_visible()
    assert SITE_NAME in page.locator("[data-site-chosen]").inner_text()


def add_finding(page, index: int, *, description: str, location: str, photo: dict | None = None):
    page.locator("[data-add-finding]").click()
    block = page.locator("[data-finding-block]").nth(index)
    block.locator(f"select[name='findings-{index}-category']").select_option("fire")
    block.locator(f"input[name='findings-{index}-grade'][value='general']").check(force=True)
    block.locator(f"input[name='findings-{index}-location']").fill(location)
    block.locator(f"textarea[name='findings-{index}-description']").fill(description)
    block.locator(f"textarea[name='findings-{index}-measures']").fill("立即整改")
    if photo:
        block.locator(f"input[name='findings-{index}-photos']").set_input_files(files=[photo])
    return block


def photos_shown(page) -> int:
    """Wait until every photo of the page has loaded, and count them (a photo that fails fails the wait)."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('main img')).every(img => img.complete && img.naturalWidth > 0)"
    )
    page.evaluate("window.scrollTo(0, 0)")
    return page.locator("main img").count()


def in_three_days() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=3)


def test_an_officer_logs_a_night_inspection_with_a_photo_and_two_findings_on_his_phone(
    phone_page, live_server, workshop, open_context
):
    page = phone_page
    open_new_inspection(page, live_server)
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"
    assert page.locator("input[name='latitude']").input_value() == "23.060000"
    assert "23.060000, 113.850000" in page.locator("[data-gps-text]").inner_text()
    screenshot(page, "night-inspection-1-new")

    page.locator("select[name='kind']").select_option(label="夜查")
    pick_site(page)
    page.locator("input[name='participants']").fill("王网格、横江村安全办李文")
    page.locator("input[name='photos']").set_input_files(files=[png("navy", "gate")])
    assert page.locator("[data-photo-input] [data-photo-previews] img").count() == 1
    screenshot(page, "night-inspection-2-site-and-gps")

    first = add_finding(page, 0, description="二楼安全出口被杂物堵塞", location="二楼楼梯间", photo=png("maroon"))
    add_finding(page, 1, description="车间插线板私拉乱接", location="车间东侧", photo=png("olive"))
    assert first.locator("input[name='findings-0-deadline']").input_value() == in_three_days().isoformat()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "night-inspection-3-two-findings")

    page.locator("[data-save]").dblclick()  # a double tap saves once
    page.wait_for_url(DETAIL_URL)
    main = page.inner_text("main")
    assert "二楼安全出口被杂物堵塞" in main
    assert "车间插线板私拉乱接" in main
    assert "夜查" in main
    assert "Fire safety" not in main and "Night inspection" not in main  # shown in Chinese
    assert page.locator("[data-testid='finding-card']").count() == 2
    assert "23.060000, 113.850000" in page.locator("[data-testid='gps']").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert photos_shown(page) == 3  # the inspection's photo and one on each finding's card
    screenshot(page, "night-inspection-4-saved")

    inspection = Inspection.objects.get(site=workshop)
    assert inspection.kind == Inspection.Kind.NIGHT
    assert (str(inspection.latitude), str(inspection.longitude)) == ("23.060000", "113.850000")
    assert inspection.location_accuracy == 15
    assert page.url.endswith(inspection.get_absolute_url())
    findings = list(Finding.objects.filter(inspection=inspection).order_by("number"))
    assert [f.description for f in findings] == ["二楼安全出口被杂物堵塞", "车间插线板私拉乱接"]
    assert {(f.category, f.grade, f.deadline, f.responsible_village.name) for f in findings} == {
        ("fire", "general", in_three_days(), "横江村")
    }
    assert Photo.objects.filter(inspection=inspection, finding__isnull=True).count() == 1
    assert [f.photos.count() for f in findings] == [1, 1]

    page.goto(f"{live_server.url}/inspections/?kind=night")
    assert SITE_NAME in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "night-inspection-5-night-list-phone")

    desktop = open_context(viewport=DESKTOP, color_scheme="dark").new_page()
    sign_in(desktop, live_server.url, "officer", DEMO_PASSWORD)
    desktop.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    assert photos_shown(desktop) == 3
    screenshot(desktop, "night-inspection-6-detail-desktop")
    desktop.goto(f"{live_server.url}/inspections/?kind=night")
    assert SITE_NAME in desktop.inner_text("main")
    screenshot(desktop, "night-inspection-7-night-list-desktop")


def test_when_the_network_drops_on_save_the_inspection_waits_on_the_phone_and_is_sent_once(
    phone_page, live_server, workshop
):
    page = phone_page
    context = page.context
    open_new_inspection(page, live_server)
    page.locator("select[name='kind']").select_option(label="夜查")
    pick_site(page)
    add_finding(page, 0, description="楼梯间堆放易燃杂物", location="三楼楼梯间", photo=png("maroon"))
    add_finding(page, 1, description="灭火器过期未更换", location="仓库门口")

    context.set_offline(True)
    page.locator("[data-save]").click()
    banner = page.locator("[data-offline-banner]")
    banner.wait_for(state="visible")
    assert "没有网络" in banner.inner_text()
    screenshot(page, "night-inspection-offline-1-banner")
    page.wait_for_timeout(500)
    assert Inspection.objects.filter(site=workshop).count() == 0

    context.set_offline(False)  # the window "online" event sends it
    page.wait_for_url(DETAIL_URL)
    assert "楼梯间堆放易燃杂物" in page.inner_text("main")
    screenshot(page, "night-inspection-offline-2-sent")
    assert Inspection.objects.filter(site=workshop).count() == 1
    assert Finding.objects.filter(site=workshop).count() == 2

    # the draft was cleared: a new form starts empty
    open_new_inspection(page, live_server)
    page.wait_for_timeout(300)
    assert not page.locator("[data-draft-offer]").is_visible()


def test_a_reloaded_half_filled_form_is_offered_back_with_its_photos(phone_page, live_server, workshop):
    page = phone_page
    open_new_inspection(page, live_server)
    page.locator("select[name='kind']").select_option(label="夜查")
    pick_site(page)
    page.locator("textarea[name='notes']").fill("夜间突击检查，老板在场")
    # two shots with the camera: the second is added to the first, and the large one is shrunk on the phone
    big = camera_jpeg()
    photos = page.locator("input[name='photos']")
    photos.set_input_files(files=[big])
    page.wait_for_function(
        "size => document.querySelector(\"input[name='photos']\").files[0].size < size", arg=len(big["buffer"])
    )
    photos.set_input_files(files=[png("navy", "gate")])
    page.wait_for_function("() => document.querySelector(\"input[name='photos']\").files.length === 2")
    first_photo = photos.evaluate("input => [input.files[0].type, input.files[0].size, input.files[0].name]")
    assert first_photo[0] == "image/jpeg"
    assert first_photo[1] < len(big["buffer"]) / 2
    assert first_photo[2] == "IMG_20261129_214012.jpg"
    add_finding(page, 0, description="配电箱门未关闭", location="一楼配电房", photo=png("maroon", "box"))
    token = page.locator("input[name='client_token']").input_value()
    page.wait_for_timeout(1000)  # the autosave runs a moment after the last change

    page.reload()
    offer = page.locator("[data-draft-offer]")
    offer.wait_for(state="visible")
    assert re.search(r"\d\d:\d\d", offer.inner_text())
    screenshot(page, "night-inspection-draft-1-offered")
    offer.locator("[data-draft-restore]").click()

    assert page.locator("textarea[name='notes']").input_value() == "夜间突击检查，老板在场"
    assert page.locator("select[name='kind']").input_value() == "night"
    assert page.locator("textarea[name='findings-0-description']").input_value() == "配电箱门未关闭"
    assert page.locator("input[name='client_token']").input_value() == token
    assert SITE_NAME in page.locator("[data-site-chosen]").inner_text()
    assert page.locator("input[name='photos']").evaluate("input => input.files.length") == 2
    assert page.locator("input[name='findings-0-photos']").evaluate("input => input.files.length") == 1
    assert page.locator("[data-photo-input] [data-photo-previews] img").count() == 3
    screenshot(page, "night-inspection-draft-2-restored")

    page.locator("[data-save]").click()
    page.wait_for_url(DETAIL_URL)
    inspection = Inspection.objects.get(site=workshop)
    assert str(inspection.client_token) == token
    assert inspection.notes == "夜间突击检查，老板在场"
    assert Photo.objects.filter(inspection=inspection, finding__isnull=True).count() == 2
    assert Photo.objects.filter(finding__inspection=inspection).count() == 1
    shrunk = Photo.objects.filter(inspection=inspection, finding__isnull=True).order_by("pk").first()
    assert max(shrunk.width, shrunk.height) == 2048


def test_a_mistake_is_shown_on_its_finding_and_the_photos_stay_chosen(phone_page, live_server, workshop):
    page = phone_page
    open_new_inspection(page, live_server)
    pick_site(page)
    block = add_finding(page, 0, description="消防栓被遮挡", location="厂区大门", photo=png("maroon"))
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    block.locator("input[name='findings-0-deadline']").fill(yesterday)
    page.locator("[data-save]").click()

    error = page.locator("[data-finding-block] .invalid-feedback").first
    error.wait_for(state="visible")
    assert Inspection.objects.count() == Inspection.objects.exclude(site=workshop).count()
    assert page.locator("input[name='findings-0-photos']").evaluate("input => input.files.length") == 1
    screenshot(page, "night-inspection-error-1-deadline")

    page.locator("input[name='findings-0-deadline']").fill(in_three_days().isoformat())
    page.locator("[data-save]").click()
    page.wait_for_url(DETAIL_URL)
    finding = Finding.objects.get(site=workshop)
    assert finding.deadline == in_three_days()
    assert finding.photos.count() == 1

"""Story 5 on a phone: the 横江村 safety office signs its responsibility letter with a finger.

The demo has this year's letters issued to all 55 parties, 52 signed; 横江村's is one of the three
late ones. The village office opens its letter from the home page at 375 px, draws a signature on
the pad, signs, and downloads the PDF. The town administrator's progress board goes from 52 to 53
of 55. The verification page says the hashes match; after the stored text is changed behind the
portal's back (past the database's guard, as its owner could), it says they do not.
"""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from chashan_safety.demo import DEMO_PASSWORD
from responsibility.models import ResponsibilityLetter
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.responsibility.tampering import tamper

pytestmark = pytest.mark.browser


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def draw_signature(page) -> None:
    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, top = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(left, top)
    page.mouse.down()
    for step in range(1, 41):
        x = left + step * (box["width"] - 60) / 40
        y = top + (35 if step % 10 < 5 else -35) * (step % 5) / 5
        page.mouse.move(x, y)
    page.mouse.up()


def signed_count(page) -> str:
    return page.get_by_test_id("progress-signed").inner_text()


def test_the_village_office_signs_its_letter_on_a_phone(demo_data, live_server, open_context):
    year = timezone.localdate().year
    letter = ResponsibilityLetter.objects.get(year=year, party_name="横江村")
    assert letter.signed_at is None
    board_url = f"{live_server.url}/responsibility-letters/?year={year}"

    admin = open_context(viewport=DESKTOP).new_page()
    sign_in(admin, live_server.url, "admin", DEMO_PASSWORD)
    admin.goto(board_url)
    assert "52" in signed_count(admin) and "55" in signed_count(admin)
    assert admin.get_by_test_id("rletter-table").locator(f'[data-letter="{letter.pk}"]').is_visible()
    screenshot(admin, "letters-1-admin-board-before-desktop")

    page = open_context(viewport=PHONE).new_page()
    sign_in(page, live_server.url, "village", DEMO_PASSWORD)
    panel = page.get_by_test_id("panel-my-letter")
    assert panel.is_visible()
    with page.expect_navigation():
        panel.get_by_role("link").click()
    assert page.url == f"{live_server.url}{letter.get_absolute_url()}"
    assert "乙方主要负责人" in page.get_by_test_id("rletter-text").inner_text()
    assert fits_the_phone(page)
    screenshot(page, "letters-2-village-letter-phone")

    # an empty pad is refused, and nothing is signed
    page.locator("#drawn_signer_name").fill("叶汉明")
    page.locator("#drawn_confirm").check()
    with page.expect_navigation():
        page.get_by_test_id("sign-drawn").click()
    assert page.get_by_test_id("sign-error").is_visible()
    letter.refresh_from_db()
    assert letter.signed_at is None

    draw_signature(page)
    page.locator("#drawn_signer_name").fill("叶汉明")
    page.locator("#drawn_confirm").check()
    assert fits_the_phone(page)
    screenshot(page, "letters-3-village-signature-drawn-phone")
    with page.expect_navigation():
        page.get_by_test_id("sign-drawn").click()
    page.get_by_test_id("rletter-record").wait_for()

    letter.refresh_from_db()
    assert letter.signed_at is not None
    assert letter.signer_name == "叶汉明"
    assert letter.method == ResponsibilityLetter.Method.DRAWN
    assert letter.text_sha256 == hashlib.sha256(letter.text.encode("utf-8")).hexdigest()
    record = page.get_by_test_id("rletter-record")
    assert record.is_visible()
    assert letter.text_sha256 in record.inner_text()
    assert page.get_by_test_id("rletter-signature").is_visible()
    assert page.get_by_test_id("rletter-sign-card").count() == 0
    assert fits_the_phone(page)
    screenshot(page, "letters-4-village-signed-phone")

    pdf = page.request.get(f"{live_server.url}/responsibility-letters/{letter.pk}/pdf/")
    if pdf.status != 503:  # where WeasyPrint cannot run, the page says so instead
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")

    admin.goto(board_url)
    assert "53" in signed_count(admin) and "55" in signed_count(admin)
    screenshot(admin, "letters-5-admin-board-after-desktop")

    # the board and the ranking work on the administrator's phone too
    admin_phone = open_context(viewport=PHONE).new_page()
    sign_in(admin_phone, live_server.url, "admin", DEMO_PASSWORD)
    for path, name in [(f"/responsibility-letters/?year={year}", "board"), (f"/scorecard/?year={year - 1}", "ranking")]:
        admin_phone.goto(f"{live_server.url}{path}")
        assert fits_the_phone(admin_phone), path
        screenshot(admin_phone, f"letters-admin-{name}-phone")

    with page.expect_navigation():
        page.get_by_test_id("rletter-verify").click()
    result = page.get_by_test_id("verify-result")
    assert "alert-success" in result.get_attribute("class")
    assert fits_the_phone(page)
    screenshot(page, "letters-6-village-verify-match-phone")

    tamper(letter, text=letter.text.replace("第一责任人", "责任人"))
    dark = open_context(viewport=PHONE, color_scheme="dark").new_page()
    sign_in(dark, live_server.url, "village", DEMO_PASSWORD)
    dark.goto(f"{live_server.url}/responsibility-letters/{letter.pk}/verify/")
    result = dark.get_by_test_id("verify-result")
    assert "alert-danger" in result.get_attribute("class")
    assert fits_the_phone(dark)
    screenshot(dark, "letters-7-village-verify-mismatch-dark-phone")

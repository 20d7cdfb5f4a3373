"""Two-factor sign-in on a phone: the town leader gives the code from the authenticator app after the password
(a wrong code first), and a town administrator whose phone was lost enrols a new one from the QR page."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chashan_safety.demo import DEMO_PASSWORD
from tests.browser.conftest import PHONE, current_code, screenshot

pytestmark = pytest.mark.browser


def password_step(page, live_server_url: str, username: str) -> None:
    page.goto(f"{live_server_url}/dashboard/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state("networkidle")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_leader_gives_the_code_from_the_app_after_the_password_on_a_phone(demo_data, live_server, open_context):
    page = open_context(viewport=PHONE).new_page()
    password_step(page, live_server.url, "leader")

    assert "/accounts/two-factor/verify/" in page.url
    form = page.get_by_test_id("two-factor-verify")
    code_input = form.locator("input[name=otp_token]")
    assert code_input.get_attribute("autocomplete") == "one-time-code"
    assert code_input.get_attribute("inputmode") == "numeric"
    assert not page.get_by_test_id("inbox-bell").count()  # no portal navigation before the code
    assert fits_the_phone(page)
    screenshot(page, "two-factor-code-phone")

    code_input.fill("000000")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/two-factor/verify/" in page.url
    assert page.locator(".invalid-feedback").first.is_visible()
    screenshot(page, "two-factor-wrong-code-phone")

    page.wait_for_timeout(1_100)  # after a wrong code the portal looks at the next one a second later
    page.get_by_test_id("two-factor-verify").locator("input[name=otp_token]").fill(current_code("leader"))
    page.get_by_test_id("two-factor-verify").locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.url == f"{live_server.url}/dashboard/"  # the page first asked for
    assert page.get_by_test_id("inbox-bell").is_visible()
    assert fits_the_phone(page)
    screenshot(page, "two-factor-leader-dashboard-phone")


def test_an_admin_whose_phone_was_lost_enrols_a_new_one_from_the_qr_page(demo_data, live_server, open_context):
    TOTPDevice.objects.filter(user__username="admin").delete()  # as after a reset
    page = open_context(viewport=PHONE).new_page()
    password_step(page, live_server.url, "admin")

    assert "/accounts/two-factor/setup/" in page.url
    qr = page.get_by_test_id("two-factor-qr").locator("svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150  # big enough to scan from another phone
    assert fits_the_phone(page)
    screenshot(page, "two-factor-enrol-phone")

    # the key as the page shows it, typed into an authenticator app
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    code = str(TOTP(base64.b32decode(secret)).token()).zfill(6)
    enrol = page.get_by_test_id("two-factor-enrol")
    enrol.locator("input[name=otp_token]").fill(code)
    enrol.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    codes = page.get_by_test_id("backup-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    stored = set(StaticToken.objects.filter(device__user__username="admin").values_list("token", flat=True))
    assert {c.replace("-", "") for c in codes} == stored
    assert fits_the_phone(page)
    screenshot(page, "two-factor-backup-codes-phone")

    page.locator("a.btn-primary").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/dashboard/"
    assert page.get_by_test_id("inbox-bell").is_visible()

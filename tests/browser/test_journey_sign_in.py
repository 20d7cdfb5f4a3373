"""Each role signs in and sees its own home page in Chinese, on a phone and on a desktop."""

from __future__ import annotations

import pytest

from chashan_safety.demo import DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser

# username, what the home page must show for that role
ROLES = [
    ("admin", "镇管理员", "全镇概况"),
    ("officer", "专职安全员", "我的片区和巡查队"),
    ("village", "村（社区）安全办", "本村巡查力量"),
    ("unit", "单位（部门/企业）", "本单位"),
    ("leader", "镇领导", "全镇概况"),
]


@pytest.mark.parametrize(("username", "role_label", "panel_title"), ROLES)
@pytest.mark.parametrize(("screen", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_each_role_signs_in_and_sees_its_home_in_chinese(
    demo_data, live_server, open_context, username, role_label, panel_title, screen, viewport
):
    page = open_context(viewport=viewport).new_page()
    sign_in(page, live_server.url, username, DEMO_PASSWORD)

    assert page.url.rstrip("/") == live_server.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="您好").first.is_visible() or "您好" in page.content()
    assert role_label in page.inner_text("main")
    assert panel_title in page.inner_text("main")
    if screen == "phone":
        # the navigation folds into a menu button at phone width
        assert page.get_by_role("button", name="菜单").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"sign-in-{username}-{screen}")


def test_a_wrong_password_shows_a_chinese_message_and_keeps_the_user_out(demo_data, live_server, open_context):
    page = open_context(viewport=PHONE).new_page()
    sign_in(page, live_server.url, "village", "not-the-password")

    assert "/accounts/login/" in page.url
    assert "请输入一个正确的" in page.inner_text("main")
    screenshot(page, "sign-in-wrong-password-phone")


def test_the_interface_switches_to_english_and_back(demo_data, live_server, open_context):
    page = open_context().new_page()
    sign_in(page, live_server.url, "officer", DEMO_PASSWORD)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert "My zones and teams" in page.inner_text("main")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state("networkidle")
    assert "我的片区和巡查队" in page.inner_text("main")


def test_dark_mode_is_chosen_from_the_menu_and_kept(demo_data, live_server, open_context):
    page = open_context(viewport=PHONE, color_scheme="light").new_page()
    sign_in(page, live_server.url, "officer", DEMO_PASSWORD)
    page.get_by_role("button", name="菜单").click()
    page.get_by_test_id("user-menu").click()
    page.get_by_title("深色").click()
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"

    page.goto(f"{live_server.url}/structure/")
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"
    screenshot(page, "structure-dark-phone")

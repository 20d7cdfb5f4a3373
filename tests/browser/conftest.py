"""Browser harness: Playwright driving Debian's Chromium; it never downloads a browser.

Every request the page makes must stay on 127.0.0.1: town intranets are often offline, so a
request to any other host (a CDN, a font service) is refused and fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHASHAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CHASHAN_BROWSER_TESTS") == "1":
        raise pytest.UsageError(f"CHASHAN_BROWSER_TESTS=1 but there is no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class OffsiteGuard:
    """Refuses and remembers every request that would leave this machine."""

    def __init__(self):
        self.offsite: list[str] = []

    def __call__(self, route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort()


@pytest.fixture
def open_context(browser):
    """Make browser contexts (phone or desktop, Chinese locale) that refuse off-site requests."""
    contexts = []
    guards = []

    def make(viewport=DESKTOP, **kwargs):
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **kwargs)
        context.set_default_timeout(15_000)
        guard = OffsiteGuard()
        context.route("**/*", guard)
        contexts.append(context)
        guards.append(guard)
        return context

    yield make
    for context in contexts:
        context.close()
    offsite = [url for guard in guards for url in guard.offsite]
    assert offsite == [], f"requests left 127.0.0.1: {offsite}"


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory):
    """The demo as the first test of the session loaded it (tests/demo_snapshot.py)."""
    from tests.demo_snapshot import DemoSnapshot

    return DemoSnapshot(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_data(transactional_db, demo_snapshot):
    """The demo town, as ``manage.py load_demo`` leaves it: loaded once a session, put back for each test."""
    demo_snapshot.apply()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(autouse=True)
def _two_factor_required(_fast_and_plain, settings):
    # the journeys sign in through the form, as in production: admin and leader give their code too
    settings.CHASHAN_REQUIRE_2FA = True


def current_code(username: str) -> str:
    """A code the portal accepts now for ``username``'s authenticator, as the phone app would show it.

    The portal takes the codes of the step before, the current one and the one after, each once: this gives
    the current step's code, a second sign-in within the same 30 seconds the next step's, and when none is
    left it waits.
    """
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    while True:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = totp.t()
        # the current step or the next: the step before would stop being taken when the clock turns the
        # half-minute between typing it and the portal checking it
        usable = [t for t in range(now, now + device.tolerance + 1) if t > device.last_t]
        if usable:
            totp.drift += usable[0] - now
            return str(totp.token()).zfill(device.digits)
        time.sleep(1)


def give_code(page, username: str) -> None:
    form = page.get_by_test_id("two-factor-verify")
    form.locator("input[name=otp_token]").fill(current_code(username))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def sign_in(page, live_server_url: str, username: str, password: str) -> None:
    page.goto(f"{live_server_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state("networkidle")
    if "/accounts/two-factor/verify/" in page.url:
        give_code(page, username)

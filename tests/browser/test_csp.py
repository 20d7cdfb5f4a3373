"""The main pages of every app under the Content-Security-Policy, in a real Chromium.

The policy allows no inline script, no eval and no inline style. A page that still relied on one
would not break loudly: the browser would skip the script or the style and fire a
`securitypolicyviolation` event. Every context here reports those events and every console error and
uncaught exception, and each test fails on any of them. The tests also use what used to be inline
code, or could have been: the charts draw, the signature pad takes a stroke, the photo picker shows
its preview, the colour mode switches, the confirm, print and auto-submit buttons act, and an htmx
request swaps in the next month of the duty calendar.

Runs on the demo data, as each demo login.
"""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image

from chashan_safety.demo import DEMO_PASSWORD
from inspections.models import Finding
from responsibility.models import ResponsibilityLetter
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser

GPS = {"latitude": 23.06, "longitude": 113.85, "accuracy": 15}

# Playwright's init scripts run outside the page's policy, so this listener is there on every page
# before the page's own scripts; the binding hands each event to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
    page: document.location.pathname,
  });
});
"""


class PolicyWatch:
    """Collects, for one browser context, policy violations, console errors and uncaught exceptions."""

    def __init__(self, context):
        self.violations: list[dict] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.checked = False
        context.expose_binding("__cspViolation", lambda _source, report: self.violations.append(report))
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def assert_clean(self):
        self.checked = True
        assert self.violations == []
        assert self.console_errors == []
        assert self.page_errors == []


@pytest.fixture
def watched(open_context, live_server):
    """Open a context that is watched; sign in as ``username`` and return (page, watch)."""
    watches = []

    def make(username: str, viewport=DESKTOP, **kwargs):
        context = open_context(viewport=viewport, **kwargs)
        watch = PolicyWatch(context)
        watches.append(watch)
        page = context.new_page()
        sign_in(page, live_server.url, username, DEMO_PASSWORD)
        return page, watch

    yield make
    # a test that ends without asking still fails on what its pages reported
    for watch in watches:
        if not watch.checked:
            watch.assert_clean()


def visit(page, live_server, path: str):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")
    return response


def images_loaded(page, selector: str) -> int:
    """Scroll every image of ``selector`` into view, wait until all have decoded, and count them."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "(selector) => Array.from(document.querySelectorAll(selector)).every(i => i.complete && i.naturalWidth > 0)",
        arg=selector,
    )
    return page.locator(selector).count()


def canvas_has_ink(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
            const canvas = document.querySelector(selector);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { return true; } }
            return false;
        }""",
        selector,
    )


def photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(buffer, format="PNG")
    return {"name": "gate.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_the_town_administrator_uses_the_main_pages_without_a_policy_violation(demo_data, live_server, watched):
    page, watch = watched("admin")
    assert page.get_by_test_id("user-menu").is_visible()

    # the colour mode switch in the user menu (colour-mode.js and Bootstrap's drop-down)
    page.get_by_test_id("user-menu").click()
    page.locator("[data-set-colour-mode='dark']").click()
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"

    # the ledger: changing a filter submits the form at once (portal.js)
    visit(page, live_server, "/findings/")
    page.locator("details.filter-bar summary").click()
    with page.expect_navigation():
        page.locator("form[data-auto-submit] select[name='status']").select_option("open")
    assert "status=open" in page.url
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"  # kept across pages

    # a finding with photos: every photo is served and decoded under img-src 'self'
    finding = Finding.objects.filter(photos__isnull=False).order_by("-found_on", "-pk").first()
    visit(page, live_server, finding.get_absolute_url())
    assert images_loaded(page, "[data-photo-gallery] img") >= 1
    screenshot(page, "csp-1-finding-with-photos")

    # the duty calendar: the next month comes through htmx and is swapped in without a reload
    visit(page, live_server, "/duty/calendar/")
    page.evaluate("window.__samePage = true")
    heading = page.locator("main h1").inner_text()
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true") as htmx_request:
        page.get_by_test_id("next-month").click()
    assert "month=" in htmx_request.value.url
    page.wait_for_function("(before) => document.querySelector('main h1').innerText !== before", arg=heading)
    assert page.evaluate("window.__samePage") is True
    assert "month=" in page.url  # the address follows, so a reload or a link shows the same month
    assert page.get_by_test_id("month-grid").is_visible()
    screenshot(page, "csp-2-duty-calendar-next-month")

    # the printable duty table: its print button (it had an onclick attribute)
    page.get_by_test_id("print-table").click()
    page.wait_for_load_state("networkidle")
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") is True

    # the outreach coverage matrix and the inbox
    visit(page, live_server, "/outreach/")
    assert page.get_by_test_id("coverage-matrix").is_visible()
    visit(page, live_server, "/inbox/")

    # the signing board: the progress bar has its width, and archiving asks first (it had onsubmit)
    year = timezone.localdate().year
    visit(page, live_server, f"/responsibility-letters/?year={year}")
    bar = page.locator(".progress-bar").first
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 0
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("form[data-confirm] button[type='submit']").click()
    page.wait_for_timeout(300)
    assert len(asked) == 1
    assert page.url.endswith(f"/responsibility-letters/?year={year}")
    assert not ResponsibilityLetter.objects.filter(year=year, archived_at__isnull=False).exists()

    # Django's own admin
    visit(page, live_server, "/admin/")
    screenshot(page, "csp-3-admin")
    watch.assert_clean()


def test_the_leaders_dashboard_draws_its_charts_under_the_policy(demo_data, live_server, watched):
    page, watch = watched("leader")
    visit(page, live_server, "/dashboard/")
    page.wait_for_function("document.getElementById('chart-years').chart !== undefined")
    assert page.locator("canvas[data-chart]").count() >= 3
    page.locator("#chart-years").scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the chart's entry animation
    assert canvas_has_ink(page, "#chart-years")

    # switching to dark mode redraws the charts in light ink
    page.get_by_test_id("user-menu").click()
    page.locator("[data-set-colour-mode='dark']").click()
    page.wait_for_function("Chart.defaults.color.replace(/ /g, '') !== '#212529'")
    screenshot(page, "csp-4-dashboard-dark")

    page.get_by_test_id("print-view").click()
    page.wait_for_load_state("networkidle")
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") is True
    watch.assert_clean()


def test_the_officers_new_inspection_form_works_on_a_phone_under_the_policy(demo_data, live_server, watched):
    page, watch = watched("officer", viewport=PHONE, permissions=["geolocation"], geolocation=GPS)
    visit(page, live_server, "/inspections/new/")
    page.wait_for_selector("[data-gps-text][data-state='located']")
    assert page.locator("input[name='latitude']").input_value() == "23.060000"

    # the photo picker shows a preview from a blob: address before anything is sent
    page.locator("input[name='photos']").set_input_files(files=[photo()])
    previews = "[data-photo-input] [data-photo-previews] img"
    assert images_loaded(page, previews) == 1
    assert page.locator(previews).first.get_attribute("src").startswith("blob:")

    # a finding block is added from the page's template
    page.locator("[data-add-finding]").click()
    assert page.locator("[data-finding-block]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "csp-5-new-inspection-phone")
    watch.assert_clean()


def test_the_village_office_signs_with_the_pad_and_the_unit_reads_its_findings_under_the_policy(
    demo_data, live_server, watched
):
    year = timezone.localdate().year
    letter = ResponsibilityLetter.objects.get(year=year, party_name="横江村")
    page, watch = watched("village", viewport=PHONE, color_scheme="dark")
    visit(page, live_server, "/inbox/")
    visit(page, live_server, letter.get_absolute_url())

    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, top = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(left, top)
    page.mouse.down()
    for step in range(1, 31):
        page.mouse.move(left + step * (box["width"] - 60) / 30, top + (20 if step % 6 < 3 else -20))
    page.mouse.up()
    assert canvas_has_ink(page, "[data-testid='signature-canvas']")
    assert page.locator("[data-signature-hint]").is_hidden()

    page.locator("#drawn_signer_name").fill("叶汉明")
    page.locator("#drawn_confirm").check()
    with page.expect_navigation():
        page.get_by_test_id("sign-drawn").click()
    page.get_by_test_id("rletter-record").wait_for()
    assert images_loaded(page, "img[data-testid='rletter-signature']") == 1
    letter.refresh_from_db()
    assert letter.signed_at is not None
    assert letter.method == ResponsibilityLetter.Method.DRAWN
    screenshot(page, "csp-6-letter-signed-phone")
    watch.assert_clean()

    # the unit's office: its home page and its findings
    unit, unit_watch = watched("unit", viewport=PHONE)
    visit(unit, live_server, "/findings/")
    unit_watch.assert_clean()

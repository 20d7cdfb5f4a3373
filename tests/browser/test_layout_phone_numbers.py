"""Phone numbers on the pages a duty officer dials from stay on one line."""

from __future__ import annotations

import pytest

from chashan_safety.demo import DEMO_PASSWORD
from tests.browser.conftest import PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}

BROKEN = """() => Array.from(document.querySelectorAll('main a[href^="tel:"]'))
  .filter((link) => link.getClientRects().length > 1)
  .map((link) => link.textContent.trim())"""


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_no_phone_number_on_the_roster_breaks_over_two_lines(viewport, demo_data, live_server, open_context):
    page = open_context(viewport=viewport).new_page()
    sign_in(page, live_server.url, "officer", DEMO_PASSWORD)

    page.goto(f"{live_server.url}/duty/roster/")
    page.wait_for_load_state("networkidle")

    assert page.locator('main a[href^="tel:"]').count() > 10
    screenshot(page, f"duty-roster-phones-{viewport['width']}")
    assert page.evaluate(BROKEN) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

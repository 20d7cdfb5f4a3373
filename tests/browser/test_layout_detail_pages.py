"""Detail pages whose columns hold several cards: no card is drawn over another, on a phone or a laptop."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, FindingFactory, InspectionFactory, SiteFactory

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}

OVERLAPS = """() => {
  const boxes = Array.from(document.querySelectorAll("main section.card, main section[aria-labelledby]"))
    .map((el) => ({ id: el.getAttribute("aria-labelledby") || el.className, r: el.getBoundingClientRect() }))
    .filter((b) => b.r.height > 0);
  const hits = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const inside = (a.top <= b.top && a.bottom >= b.bottom && a.left <= b.left && a.right >= b.right)
        || (b.top <= a.top && b.bottom >= a.bottom && b.left <= a.left && b.right >= a.right);
      const cross = a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
      if (cross && !inside) hits.push(boxes[i].id + " / " + boxes[j].id);
    }
  }
  return hits;
}"""


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_notice_card_of_an_inspection_sits_below_its_facts_not_over_the_photos_and_findings(
    viewport, safety_officer, village_a, open_context, live_server
):
    site = SiteFactory(village=village_a, name="横江夜查五金加工厂")
    inspection = InspectionFactory(site=site, led_by=safety_officer)
    FindingFactory(inspection=inspection, description="二楼安全出口被杂物堵塞")
    FindingFactory(inspection=inspection, description="车间插线板私拉乱接")
    page = open_context(viewport=viewport, color_scheme="dark").new_page()
    sign_in(page, live_server.url, safety_officer.username, PASSWORD)

    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    assert page.get_by_test_id("inspection-supervision").is_visible()  # the card that used to overlap
    screenshot(page, f"inspection-detail-cards-{viewport['width']}")
    assert page.evaluate(OVERLAPS) == []

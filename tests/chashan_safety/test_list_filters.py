"""The filters above the lists: a choice left empty reads "全部" (all), never Django's "---------"."""

from __future__ import annotations

import pytest
from django.urls import reverse

LISTS = [
    "responsibility:village-list",
    "responsibility:unit-list",
    "responsibility:rletter-progress",
    "responsibility:scorecard",
    "responsibility:card-list",
    "responsibility:letter-list",
    "inspections:site-list",
    "inspections:inspection-list",
    "inspections:grid-list",
    "inspections:team-list",
    "outreach:carrier-list",
    "outreach:activity-list",
    "accounts:user-list",
    "reminders-overview",
]


@pytest.mark.parametrize("name", LISTS)
def test_an_empty_filter_choice_reads_all_in_chinese(client_for, town_admin, village_a, unit_a, name):
    response = client_for(town_admin).get(reverse(name))
    assert response.status_code == 200
    page = response.content.decode()
    assert "---------" not in page
    assert '<option value="" selected>全部</option>' in page

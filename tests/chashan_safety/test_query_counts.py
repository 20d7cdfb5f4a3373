"""Every list page runs the same number of queries for 1 row as for 30: no query per row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chashan_safety.models import Role
from tests.factories import (
    GridFactory,
    PatrolTeamFactory,
    PatrolTeamMemberFactory,
    SectionFactory,
    UnitFactory,
    UserFactory,
    VillageFactory,
    ZoneFactory,
)
from tests.helpers import count_queries


def grow_town(*, rows: int, safety_officer, village_office, unit_office) -> None:
    """Add ``rows`` of every kind of record, inside each persona's scope and filled in the way pages read them."""
    for _ in range(rows):
        section = SectionFactory(head=UserFactory(role=Role.LEADERSHIP))
        zone = ZoneFactory(section=section)
        village = VillageFactory(zone=zone)
        GridFactory(village=village)
        GridFactory(village=village_office.village)
        team = PatrolTeamFactory(zone=zone, leader=safety_officer)
        PatrolTeamMemberFactory(team=team, village=village_office.village)
        PatrolTeamMemberFactory(team=team, village=village, user=UserFactory(role=Role.VILLAGE_OFFICE, village=village))
        UnitFactory()
        UserFactory(role=Role.SAFETY_OFFICER, zones=[zone, village_office.village.zone])
        UserFactory(role=Role.UNIT_OFFICE, unit=unit_office.unit)
        UserFactory(role=Role.VILLAGE_OFFICE, village=village_office.village)
        safety_officer.zones.add(zone)


LIST_PAGES = {
    "town_admin": [
        "responsibility:village-list",
        "responsibility:unit-list",
        "inspections:grid-list",
        "inspections:team-list",
        "inspections:section-list",
        "inspections:zone-list",
        "accounts:user-list",
        "inspections:structure",
        "home",
    ],
    "leadership": [
        "responsibility:village-list",
        "responsibility:unit-list",
        "inspections:grid-list",
        "inspections:team-list",
        "inspections:structure",
        "home",
    ],
    "safety_officer": [
        "responsibility:village-list",
        "responsibility:unit-list",
        "inspections:grid-list",
        "inspections:team-list",
        "inspections:zone-list",
        "inspections:structure",
        "home",
    ],
    "village_office": [
        "responsibility:village-list",
        "inspections:grid-list",
        "inspections:team-list",
        "inspections:section-list",
        "inspections:structure",
        "home",
    ],
    "unit_office": ["responsibility:unit-list", "inspections:zone-list", "inspections:structure", "home"],
}


@pytest.mark.parametrize(("persona", "url_names"), list(LIST_PAGES.items()), ids=list(LIST_PAGES), indirect=["persona"])
def test_list_pages_run_as_many_queries_for_30_rows_as_for_1(
    client_for, persona, url_names, safety_officer, village_office, unit_office
):
    client = client_for(persona)
    urls = [reverse(name) for name in url_names]
    grow_town(rows=1, safety_officer=safety_officer, village_office=village_office, unit_office=unit_office)
    for url in urls:
        client.get(url)  # warm up: the first request fills per-process caches (content types, translations)
    with_one = {url: count_queries(client, url) for url in urls}

    grow_town(rows=29, safety_officer=safety_officer, village_office=village_office, unit_office=unit_office)
    with_thirty = {url: count_queries(client, url) for url in urls}

    assert with_thirty == with_one


@pytest.mark.parametrize("url_name", ["responsibility:village-list", "inspections:grid-list", "accounts:user-list"])
def test_list_pages_paginate(client_for, town_admin, safety_officer, village_office, unit_office, url_name):
    grow_town(rows=30, safety_officer=safety_officer, village_office=village_office, unit_office=unit_office)
    response = client_for(town_admin).get(reverse(url_name))
    page = response.context["page_obj"]
    assert len(page.object_list) == 25
    assert page.has_next()
    assert client_for(town_admin).get(reverse(url_name), {"page": 2}).status_code == 200

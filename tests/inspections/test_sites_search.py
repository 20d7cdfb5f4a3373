"""The site search that the phone's inspection form asks as the officer types: JSON, scoped, at most 20."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from inspections.models import Site
from tests.inspections.test_sites import make_inspection, make_site

URL = reverse("inspections:site-search")


def results(client, **params) -> list[dict]:
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_search_answers_with_each_sites_id_name_village_address_and_risk(client_for, safety_officer, village_a):
    site = make_site(village_a, name="横江五金厂", address="横江路3号", risk_level=Site.RiskLevel.HIGH)
    with translation.override("zh-hans"):
        label = str(Site.RiskLevel.HIGH.label)
    assert results(client_for(safety_officer), q="五金") == [
        {
            "id": site.pk,
            "name": "横江五金厂",
            "village": village_a.name,
            "address": "横江路3号",
            "risk_level": 3,
            "risk_label": label,
        }
    ]


def test_search_matches_the_name_or_the_address(client_for, town_admin, village_a):
    by_name = make_site(village_a, name="茶山饭店", address="")
    by_address = make_site(village_a, name="某某厂", address="茶山大道12号")
    make_site(village_a, name="上元加油站", address="环城路")
    found = [row["id"] for row in results(client_for(town_admin), q="茶山")]
    assert sorted(found) == sorted([by_name.pk, by_address.pk])


def test_search_results_are_ordered_by_name(client_for, town_admin, village_a):
    for name in ["厂C", "厂A", "厂B"]:
        make_site(village_a, name=name)
    assert [row["name"] for row in results(client_for(town_admin), q="厂")] == ["厂A", "厂B", "厂C"]


def test_officer_finds_only_the_sites_of_his_zones(client_for, safety_officer, village_a, village_b):
    own = make_site(village_a, name="五金厂甲")
    make_site(village_b, name="五金厂乙")
    assert [row["id"] for row in results(client_for(safety_officer), q="五金厂")] == [own.pk]


def test_village_office_finds_only_its_own_villages_sites(client_for, village_office, village_a, village_b):
    own = make_site(village_a, name="五金厂甲")
    make_site(village_b, name="五金厂乙")
    assert [row["id"] for row in results(client_for(village_office), q="五金厂")] == [own.pk]
    assert [row["id"] for row in results(client_for(village_office))] == [own.pk]


def test_unit_office_finds_no_site(client_for, unit_office, village_a):
    make_site(village_a, name="五金厂甲")
    assert results(client_for(unit_office), q="五金厂") == []
    assert results(client_for(unit_office)) == []


def test_sites_no_longer_in_operation_are_not_offered(client_for, town_admin, village_a):
    make_site(village_a, name="已关停五金厂", is_active=False)
    assert results(client_for(town_admin), q="五金厂") == []
    assert results(client_for(town_admin)) == []


def test_search_gives_at_most_20_sites(client_for, town_admin, village_a):
    for _ in range(25):
        make_site(village_a)
    assert len(results(client_for(town_admin), q="测试场所")) == 20
    assert len(results(client_for(town_admin))) == 20


def test_with_nothing_typed_the_sites_waiting_longest_come_first(client_for, safety_officer, village_a, village_b):
    now = timezone.now()
    recent = make_site(village_a, name="近期检查厂")
    make_inspection(recent, by=safety_officer, started_at=now - dt.timedelta(days=2))
    long_ago = make_site(village_a, name="久未检查厂")
    make_inspection(long_ago, by=safety_officer, started_at=now - dt.timedelta(days=200))
    make_inspection(long_ago, by=safety_officer, started_at=now - dt.timedelta(days=100))
    never = make_site(village_a, name="从未检查厂")
    make_site(village_b, name="别的片区厂")
    found = [row["id"] for row in results(client_for(safety_officer))]
    assert found == [never.pk, long_ago.pk, recent.pk]


def test_a_blank_query_is_the_same_as_none(client_for, town_admin, village_a):
    site = make_site(village_a)
    assert [row["id"] for row in results(client_for(town_admin), q="   ")] == [site.pk]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_search_answers_only_get(client_for, town_admin, method):
    assert getattr(client_for(town_admin), method)(URL).status_code == 405


def test_search_needs_a_signed_in_user(client, village_a):
    make_site(village_a)
    response = client.get(URL, {"q": "测试"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

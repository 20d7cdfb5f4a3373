"""The site pages run as many queries for 50 sites, inspections and findings as for 1: none per row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.models import FindingStatus, Inspection
from tests.factories import GridFactory, PatrolTeamFactory
from tests.helpers import count_queries
from tests.inspections.test_sites import make_finding, make_inspection, make_site


def grow(*, rows: int, site, safety_officer, zone) -> None:
    """``rows`` more sites in the site's village, and as many inspections and findings of the site."""
    village = site.village
    today = timezone.localdate()
    for n in range(rows):
        other = make_site(village, grid=GridFactory(village=village))
        team = PatrolTeamFactory(zone=zone, leader=safety_officer)
        inspection = make_inspection(
            site, by=safety_officer, team=team, kind=Inspection.Kind.NIGHT, started_at=timezone.now() - dt.timedelta(n)
        )
        make_inspection(other, by=safety_officer)
        make_finding(inspection, by=safety_officer, deadline=today - dt.timedelta(days=1))
        make_finding(inspection, by=safety_officer, status=FindingStatus.CLOSED, deadline=today)


@pytest.mark.parametrize(
    "persona", ["town_admin", "leadership", "safety_officer", "village_office", "unit_office"], indirect=True
)
def test_site_pages_run_as_many_queries_for_50_rows_as_for_1(client_for, persona, safety_officer, village_a, zone_a):
    site = make_site(village_a)
    client = client_for(persona)
    detail_expected = 404 if persona.is_unit_office else 200
    urls = [
        reverse("inspections:site-list"),
        reverse("inspections:site-list") + "?q=测试&risk_level=2",
        reverse("inspections:site-search"),
        reverse("inspections:site-search") + "?q=测试",
    ]
    if detail_expected == 200:
        urls.append(site.get_absolute_url())
    else:
        assert client.get(site.get_absolute_url()).status_code == 404
    grow(rows=1, site=site, safety_officer=safety_officer, zone=zone_a)
    for url in urls:
        client.get(url)  # warm up per-process caches (content types, translations)
    with_one = {url: count_queries(client, url) for url in urls}

    grow(rows=49, site=site, safety_officer=safety_officer, zone=zone_a)
    with_fifty = {url: count_queries(client, url) for url in urls}

    assert with_fifty == with_one


def test_site_detail_reads_the_site_its_inspections_and_its_findings_in_six_queries(
    client_for, town_admin, safety_officer, village_a, zone_a
):
    site = make_site(village_a)
    grow(rows=30, site=site, safety_officer=safety_officer, zone=zone_a)
    client = client_for(town_admin)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(site.get_absolute_url()).status_code == 200
    # the site; the inspections' count and last 20; the findings' totals and last 20; the site's history
    ours = [q["sql"] for q in queries.captured_queries if '"inspections_' in q["sql"]]
    assert len(ours) == 6, ours

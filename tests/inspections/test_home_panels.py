"""The findings on each role's home page: the right counts, the most urgent first, a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, FindingStatus
from tests.builders import days_ago, make_finding, make_inspection, make_site
from tests.helpers import count_queries, page_text

HOME = reverse("home")
LEDGER = reverse("inspections:finding-list")


def panel(client, key: str) -> dict:
    response = client.get(HOME)
    assert response.status_code == 200
    panels = {p.key: context for p, context in response.context["panels"]}
    return panels[key]


@pytest.fixture
def site_a(village_a):
    return make_site(village_a, name="上元五金厂")


@pytest.fixture
def site_b(village_b):
    return make_site(village_b, name="超朗塑料厂")


@pytest.fixture
def zone_a_findings(site_a):
    """In village A (zone A): two overdue, one due tomorrow, one awaiting verification, one closed."""
    return {
        "overdue_long": make_finding(site_a, found_on=days_ago(40), deadline=days_ago(10)),
        "overdue": make_finding(site_a, found_on=days_ago(20), deadline=days_ago(1)),
        "due_soon": make_finding(site_a, found_on=days_ago(5), deadline=days_ago(-1)),
        "fix_submitted": make_finding(
            site_a, found_on=days_ago(5), deadline=days_ago(-8), status=FindingStatus.FIX_SUBMITTED
        ),
        "later": make_finding(site_a, found_on=days_ago(2), deadline=days_ago(-20)),
        "closed": make_finding(
            site_a, found_on=days_ago(30), deadline=days_ago(15), status=FindingStatus.CLOSED, closed_at=timezone.now()
        ),
    }


@pytest.fixture
def zone_b_findings(site_b):
    return [make_finding(site_b, found_on=days_ago(30), deadline=days_ago(20)) for _ in range(3)]


# --- safety officer ------------------------------------------------------------------------------


def test_officer_sees_the_open_overdue_and_to_verify_counts_of_his_zones(
    client_for, safety_officer, zone_a_findings, zone_b_findings
):
    context = panel(client_for(safety_officer), "zone-findings")
    assert context["counts"] == {"open": 5, "overdue": 2, "awaiting_verification": 1}


def test_officer_sees_his_zones_most_urgent_findings_overdue_first(
    client_for, safety_officer, zone_a_findings, zone_b_findings
):
    response = client_for(safety_officer).get(HOME)
    urgent = [f.number for f in {p.key: c for p, c in response.context["panels"]}["zone-findings"]["urgent"]]
    f = zone_a_findings
    assert urgent == [f[k].number for k in ("overdue_long", "overdue", "due_soon", "fix_submitted", "later")]
    content = page_text(response)
    assert reverse("inspections:finding-detail", args=[f["overdue_long"].pk]) in content
    for finding in zone_b_findings:
        assert finding.number not in content


def test_officer_sees_at_most_ten_urgent_findings(client_for, safety_officer, site_a):
    for n in range(12):
        make_finding(site_a, found_on=days_ago(20), deadline=days_ago(n))
    context = panel(client_for(safety_officer), "zone-findings")
    assert len(context["urgent"]) == 10
    assert context["counts"]["open"] == 12


def test_officer_counts_link_into_the_ledger_with_the_matching_filter(client_for, safety_officer, zone_a_findings):
    content = page_text(client_for(safety_officer).get(HOME))
    for query in ("?status=not_closed", "?overdue=yes", "?status=fix_submitted"):
        assert f'href="{LEDGER}{query}"' in content


def test_officer_sees_his_last_five_inspections(client_for, safety_officer, other_officer, site_a, site_b):
    mine = [make_inspection(site_a, led_by=safety_officer, on=days_ago(n)) for n in range(7)]
    make_finding(inspection=mine[0])
    make_finding(inspection=mine[0])
    someone_elses = make_inspection(site_b, led_by=other_officer, on=days_ago(0))
    context = panel(client_for(safety_officer), "recent-inspections")
    assert [i.pk for i in context["inspections"]] == [i.pk for i in mine[:5]]
    assert context["inspections"][0].finding_count == 2
    assert someone_elses.pk not in [i.pk for i in context["inspections"]]


# --- village and unit offices -------------------------------------------------------------------


def test_village_office_sees_its_open_findings_most_urgent_first(
    client_for, village_office, zone_a_findings, zone_b_findings
):
    context = panel(client_for(village_office), "our-findings")
    f = zone_a_findings
    assert [x.number for x in context["urgent"]] == [
        f[k].number for k in ("overdue_long", "overdue", "due_soon", "fix_submitted", "later")
    ]
    assert context["counts"] == {"open": 5, "overdue": 2, "due_soon": 1, "to_fix": 4}


def test_village_office_panel_colours_deadlines_by_urgency(client_for, village_office, zone_a_findings):
    content = page_text(client_for(village_office).get(HOME))
    overdue = content.split(f'data-finding="{zone_a_findings["overdue"].number}"', 1)[1].split("</li>", 1)[0]
    due_soon = content.split(f'data-finding="{zone_a_findings["due_soon"].number}"', 1)[1].split("</li>", 1)[0]
    later = content.split(f'data-finding="{zone_a_findings["later"].number}"', 1)[1].split("</li>", 1)[0]
    assert 'text-danger fw-semibold" data-urgency="overdue"' in overdue
    assert 'text-warning-emphasis fw-semibold" data-urgency="due-soon"' in due_soon
    assert 'text-nowrap" data-urgency="on-time"' in later


def test_village_office_panel_leaves_out_what_a_unit_must_fix_and_other_villages(
    client_for, village_office, site_a, unit_a, zone_b_findings
):
    ours = make_finding(site_a)
    make_finding(site_a, responsible_unit=unit_a)
    context = panel(client_for(village_office), "our-findings")
    assert [f.number for f in context["urgent"]] == [ours.number]
    assert context["counts"]["open"] == 1


def test_unit_office_sees_only_what_its_unit_must_fix(
    client_for, unit_office, other_unit_office, site_a, site_b, unit_a, unit_b
):
    ours = [
        make_finding(site_a, responsible_unit=unit_a, deadline=days_ago(-3)),
        make_finding(site_b, responsible_unit=unit_a, found_on=days_ago(9), deadline=days_ago(2)),
    ]
    make_finding(site_a, responsible_unit=unit_b)
    make_finding(site_a)
    context = panel(client_for(unit_office), "our-findings")
    assert [f.number for f in context["urgent"]] == [ours[1].number, ours[0].number]
    assert context["counts"]["overdue"] == 1
    assert panel(client_for(other_unit_office), "our-findings")["counts"]["open"] == 1


def test_offices_do_not_get_the_officers_panels(client_for, village_office):
    keys = {p.key for p, _c in client_for(village_office).get(HOME).context["panels"]}
    assert "our-findings" in keys
    assert not {"zone-findings", "recent-inspections", "town-findings"} & keys


# --- town administrators and leaders -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["town_admin", "leadership"], indirect=True)
def test_town_totals_count_the_whole_town(client_for, persona, zone_a_findings, zone_b_findings, site_b):
    make_finding(site_b, grade=Finding.Grade.MAJOR)
    make_finding(
        site_b,
        grade=Finding.Grade.MAJOR,
        status=FindingStatus.CLOSED,
        found_on=days_ago(3),
        deadline=days_ago(1),
        closed_at=timezone.now(),
    )
    context = panel(client_for(persona), "town-findings")
    assert context["counts"] == {"open": 9, "overdue": 5, "major_open": 1, "closed_this_year": 2}


def test_town_totals_leave_out_findings_closed_in_earlier_years(client_for, town_admin, site_a):
    year = days_ago(0).year
    make_finding(
        site_a,
        status=FindingStatus.CLOSED,
        found_on=days_ago(0).replace(year=year - 1, month=2, day=1),
        deadline=days_ago(0).replace(year=year - 1, month=2, day=20),
    )
    assert panel(client_for(town_admin), "town-findings")["counts"]["closed_this_year"] == 0


def test_town_totals_link_into_the_ledger_with_the_matching_filter(client_for, town_admin, zone_a_findings):
    client = client_for(town_admin)
    content = page_text(client.get(HOME))
    year = days_ago(0).year
    links = {
        "open": "?status=not_closed",
        "overdue": "?overdue=yes",
        "major_open": "?grade=major&amp;status=not_closed",
        "closed_this_year": f"?status=closed&amp;closed_year={year}",
    }
    counts = panel(client, "town-findings")["counts"]
    for key, query in links.items():
        assert f'href="{LEDGER}{query}" data-count="{key}"' in content
        ledger = client.get(LEDGER + query.replace("&amp;", "&"))
        assert ledger.context["count"].value == counts[key], key


# --- a fixed number of queries ----------------------------------------------------------------------


def _grow(rows: int, *, sites, unit, officer) -> None:
    """``rows`` findings for the village to fix and as many for the unit, in every state, some overdue."""
    for n in range(rows):
        for responsible_unit in (None, unit):
            site = sites[n % len(sites)]
            inspection = make_inspection(site, led_by=officer, on=days_ago(n % 30 + 5))
            make_finding(
                inspection=inspection,
                deadline=days_ago(n % 7 - 3),
                status=FindingStatus.values[n % 4],
                grade=Finding.Grade.values[n % 2],
                responsible_unit=responsible_unit,
            )


@pytest.mark.parametrize(
    "persona", ["town_admin", "leadership", "safety_officer", "village_office", "unit_office"], indirect=True
)
def test_home_runs_as_many_queries_for_50_findings_as_for_1_each(
    client_for, persona, site_a, site_b, unit_a, safety_officer
):
    client = client_for(persona)
    _grow(1, sites=[site_a, site_b], unit=unit_a, officer=safety_officer)
    client.get(HOME)  # warm up per-process caches
    with_one = count_queries(client, HOME)
    _grow(49, sites=[site_a, site_b], unit=unit_a, officer=safety_officer)
    assert count_queries(client, HOME) == with_one

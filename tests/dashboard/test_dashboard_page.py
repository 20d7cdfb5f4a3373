"""The dashboard page: who may open it, what it shows, where each figure leads, and what it costs."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.utils import timezone

from incidents.models import Incident
from inspections.models import FindingStatus, Inspection
from tests.factories import FindingFactory, IncidentFactory, InspectionFactory, SiteFactory
from tests.helpers import count_queries, messages_of

URL = "/dashboard/"
TODAY = dt.datetime(2025, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def at(year, month, day, hour=10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def links(response) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', response.content.decode())]


def row_of(response, attribute: str, value) -> str:
    match = re.search(rf'<tr data-{attribute}="{value}"[^>]*>(.*?)</tr>', response.content.decode(), re.S)
    assert match, (attribute, value)
    return match.group(0)


@pytest.fixture
def five_years(village_a, village_b):
    """2016–2021: accidents and casualties fall every year; then 2022 rises."""
    plan = {2016: (6, 8), 2017: (5, 7), 2018: (4, 5), 2019: (3, 4), 2020: (2, 3), 2021: (1, 1), 2022: (2, 1)}
    for year, (count, casualties) in plan.items():
        for index in range(count):
            IncidentFactory(
                occurred_at=at(year, 1 + index, 10),
                village=village_a if index % 2 == 0 else village_b,
                minor_injuries=casualties if index == 0 else 0,
            )
    return plan


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("town_admin", 200),
        ("leadership", 200),
        ("safety_officer", 403),
        ("village_office", 403),
        ("unit_office", 403),
    ],
    indirect=["persona"],
)
def test_only_leaders_and_town_administrators_open_the_dashboard(persona, status, client_for):
    assert client_for(persona).get(URL).status_code == status
    assert client_for(persona).get("/dashboard/print/").status_code == status


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client_for):
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_shows_the_streak_and_the_flag_of_each_year(five_years, leadership, client_for):
    response = client_for(leadership).get(URL + "?year_from=2016&year_to=2022")
    assert response.status_code == 200
    # the last complete year (2024) saw no incident after 2023's none: no streak now
    assert 'data-testid="streak" data-years="0"' in response.content.decode()
    assert 'data-testid="best-streak" data-years="5" data-through="2021"' in response.content.decode()
    assert 'data-double-decline="yes" data-streak="5"' in row_of(response, "year", 2021)
    assert 'data-double-decline="no"' in row_of(response, "year", 2022)
    assert 'data-double-decline=""' in row_of(response, "year", 2016)
    # a range that ends in 2021 stands on the streak of 2021
    response = client_for(leadership).get(URL + "?year_from=2017&year_to=2021")
    assert 'data-testid="streak" data-years="5" data-through="2021"' in response.content.decode()
    assert 'data-year="2022"' not in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_every_year_figure_leads_to_the_incidents_behind_it(five_years, leadership, client_for):
    client = client_for(leadership)
    response = client.get(URL + "?year_from=2016&year_to=2022")
    row = row_of(response, "year", 2019)
    link = unescape(re.search(r'href="([^"]+)" data-figure="count"', row).group(1))
    assert link == "/incidents/?year=2019"
    listed = client.get(link)
    assert listed.context["totals"]["count"] == five_years[2019][0]
    assert len(listed.context["page_obj"].object_list) == 3
    casualties = unescape(re.search(r'href="([^"]+)" data-figure="casualties"', row).group(1))
    assert client.get(casualties).context["totals"]["casualties"] == five_years[2019][1]


@time_machine.travel(TODAY, tick=False)
def test_the_deaths_of_a_year_lead_to_the_fatal_incidents_only(village_a, leadership, client_for):
    IncidentFactory(occurred_at=at(2019, 3, 10), village=village_a, deaths=1)
    IncidentFactory(occurred_at=at(2019, 4, 10), village=village_a, minor_injuries=2)
    client = client_for(leadership)
    row = row_of(client.get(URL + "?year_from=2016&year_to=2022"), "year", 2019)

    deaths = unescape(re.search(r'href="([^"]+)" data-figure="deaths"', row).group(1))
    listed = client.get(deaths)

    assert listed.context["totals"]["count"] == 1
    assert listed.context["totals"]["deaths"] == 1


@time_machine.travel(TODAY, tick=False)
def test_the_same_period_months_lead_to_their_incidents(village_a, leadership, client_for):
    IncidentFactory(occurred_at=at(2025, 6, 14), village=village_a)
    IncidentFactory(occurred_at=at(2024, 6, 15, 21), village=village_a)
    IncidentFactory(occurred_at=at(2024, 6, 16), village=village_a)  # after the same day last year
    client = client_for(leadership)
    response = client.get(URL)
    row = row_of(response, "month", 6)
    last = unescape(re.search(r'href="([^"]+)" data-figure="last"', row).group(1))
    this = unescape(re.search(r'href="([^"]+)" data-figure="this"', row).group(1))
    assert last == "/incidents/?occurred_from=2024-06-01&occurred_to=2024-06-15"
    assert this == "/incidents/?occurred_from=2025-06-01&occurred_to=2025-06-15"
    assert client.get(last).context["totals"]["count"] == 1
    assert client.get(this).context["totals"]["count"] == 1


@time_machine.travel(TODAY, tick=False)
def test_finding_inspection_and_village_figures_lead_to_the_ledgers(village_a, leadership, client_for):
    site = SiteFactory(village=village_a)
    inspection = InspectionFactory(site=site, on=dt.date(2025, 5, 1), kind=Inspection.Kind.NIGHT)
    FindingFactory(inspection=inspection, deadline=dt.date(2025, 5, 10))  # overdue
    FindingFactory(inspection=inspection, status=FindingStatus.CLOSED)
    response = client_for(leadership).get(URL + "?year_from=2025&year_to=2025")
    hrefs = links(response)
    assert "/findings/?found_from=2025-01-01&found_to=2025-06-15" in hrefs
    assert "/findings/?overdue=yes" in hrefs
    assert "/findings/?grade=major&status=not_closed" in hrefs
    assert "/inspections/?kind=night&date_from=2025-01-01&date_to=2025-06-15" in hrefs
    assert f"/findings/?village={village_a.pk}&overdue=yes" in hrefs
    context = response.context
    assert (context["finding"]["found"], context["finding"]["overdue"], context["finding"]["closed_on_time"]) == (
        2,
        1,
        1,
    )
    assert (context["inspection"]["total"], context["inspection"]["night"]) == (1, 1)
    assert ">1</a>" in row_of(response, "village", village_a.pk)


@time_machine.travel(TODAY, tick=False)
def test_a_new_incident_shows_at_once(village_a, town_admin, client_for):
    client = client_for(town_admin)
    assert client.get(URL).context["period"].this_year["count"] == 0
    response = client.post(
        "/incidents/new/",
        {
            "occurred_at": "2025-06-14T09:30",
            "village": village_a.pk,
            "category": "fire",
            "deaths": "0",
            "serious_injuries": "1",
            "minor_injuries": "2",
            "direct_loss": "5000",
            "summary": "仓库起火",
        },
    )
    assert response.status_code == 302
    period = client.get(URL).context["period"]
    assert (period.this_year["count"], period.this_year["casualties"]) == (1, 3)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("query", ["?year_from=2024&year_to=2019", "?year_from=abc", "?year_from=1990&year_to=2020"])
def test_a_bad_year_range_says_so_and_shows_the_default(query, leadership, client_for):
    response = client_for(leadership).get(URL + query)
    assert response.status_code == 200
    assert messages_of(response)
    assert response.context["year_to"] == 2025


@time_machine.travel(TODAY, tick=False)
def test_the_print_view_holds_every_table(five_years, leadership, client_for):
    response = client_for(leadership).get("/dashboard/print/?year_from=2016&year_to=2022")
    content = response.content.decode()
    for table in ("year-table", "period-table", "village-table", "category-table", "zone-table"):
        assert f'data-testid="{table}"' in content
    assert "<canvas" not in content


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_runs_the_same_queries_for_one_incident_or_many(village_a, village_b, leadership, client_for):
    IncidentFactory(occurred_at=at(2020, 3, 3), village=village_a)
    client = client_for(leadership)
    client.get(URL)
    few = count_queries(client, URL)
    site = SiteFactory(village=village_b)
    for year in range(2016, 2026):
        for month in (1, 4, 7):
            IncidentFactory(occurred_at=at(year, month, 5), village=village_b, deaths=1)
        inspection = InspectionFactory(site=site, on=dt.date(year, 5, 5))
        FindingFactory(inspection=inspection)
    assert Incident.objects.count() == 31
    assert count_queries(client, URL) == few
    assert count_queries(client, "/dashboard/print/") == few


@time_machine.travel(TODAY, tick=False)
def test_the_home_page_of_a_leader_shows_the_accident_panel(five_years, leadership, client_for):
    response = client_for(leadership).get("/")
    assert 'data-testid="panel-dashboard"' in response.content.decode()


def test_the_letter_figure_leads_to_the_progress_board_of_the_year(db):
    from dashboard.views import _letters_url

    assert _letters_url(2025) == "/responsibility-letters/?year=2025"

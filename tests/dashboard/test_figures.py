"""The dashboard's figures against numbers worked out by hand on a built register.

The register (casualties = deaths + serious + minor injuries):

    year  incidents  casualties  against the year before
    2018      3          6       first year: no flag
    2019      2          4       both fell: double decline, streak 1
    2020      0          0       a year with no incidents: both fell, streak 2
    2021      2          3       both rose: streak 0
    2022      1          5       only the accidents fell
    2023      4          2       only the casualties fell
    2024      3          1       both fell (a leap year, one incident on 29 February), streak 1
    2025      2          2       running on 1 March 2025: no flag

Today is 1 March 2025: its same period last year runs to 1 March 2024, so 29 February 2024 counts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboard import figures
from incidents.models import Incident
from inspections.models import Finding, FindingStatus, Inspection
from responsibility.models import Village
from tests.factories import FindingFactory, IncidentFactory, InspectionFactory, SiteFactory, VillageFactory

TODAY = dt.date(2025, 3, 1)


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


@pytest.fixture
def register(village_a, village_b):
    rows = [
        # 2018: 3 incidents, 6 casualties
        (at(2018, 2, 1), village_a, 1, 1, 1),
        (at(2018, 6, 1), village_a, 0, 0, 2),
        (at(2018, 12, 31, 23, 30), village_b, 0, 1, 0),
        # 2019: 2 incidents, 4 casualties
        (at(2019, 1, 1, 0, 15), village_a, 0, 2, 0),
        (at(2019, 8, 8), village_b, 1, 0, 1),
        # 2020: none
        # 2021: 2 incidents, 3 casualties
        (at(2021, 3, 3), village_a, 0, 1, 1),
        (at(2021, 9, 9), village_b, 0, 0, 1),
        # 2022: 1 incident, 5 casualties
        (at(2022, 5, 5), village_a, 2, 3, 0),
        # 2023: 4 incidents, 2 casualties
        (at(2023, 1, 20), village_a, 0, 0, 1),
        (at(2023, 4, 20), village_a, 0, 0, 0),
        (at(2023, 7, 20), village_b, 0, 1, 0),
        (at(2023, 10, 20), village_b, 0, 0, 0),
        # 2024: 3 incidents, 1 casualty; 29 February and 1 March inside the same period, 2 March outside
        (at(2024, 2, 29, 8, 0), village_a, 0, 0, 1),
        (at(2024, 3, 1, 23, 30), village_b, 0, 0, 0),
        (at(2024, 3, 2, 0, 10), village_b, 0, 0, 0),
        # 2025: 1 January (2 casualties) and 1 March inside the year to date; 5 March after today
        (at(2025, 1, 10), village_a, 0, 1, 1),
        (at(2025, 3, 1, 7, 0), village_b, 0, 0, 0),
        (at(2025, 3, 5), village_b, 0, 0, 0),
    ]
    for when, village, deaths, serious, minor in rows:
        IncidentFactory(
            occurred_at=when,
            village=village,
            deaths=deaths,
            serious_injuries=serious,
            minor_injuries=minor,
            direct_loss=Decimal("1000.50"),
        )
    return Incident.objects.all()


def test_each_year_has_its_count_casualties_and_loss(register):
    series = figures.by_year(register, through=2025, today=TODAY)
    assert [(y.year, y.count, y.casualties) for y in series.years] == [
        (2018, 3, 6),
        (2019, 2, 4),
        (2020, 0, 0),
        (2021, 2, 3),
        (2022, 1, 5),
        (2023, 4, 2),
        (2024, 3, 1),
        (2025, 3, 2),
    ]
    y2018 = series.get(2018)
    assert (y2018.deaths, y2018.serious_injuries, y2018.minor_injuries, y2018.injuries) == (1, 2, 3, 5)
    assert y2018.loss == Decimal("3001.50")
    assert series.get(2020).loss == 0


def test_the_double_decline_flag_and_streak_of_each_year(register):
    series = figures.by_year(register, through=2025, today=TODAY)
    flags = {y.year: (y.double_decline, y.streak) for y in series.years}
    assert flags == {
        2018: (None, 0),  # nothing before it
        2019: (True, 1),
        2020: (True, 2),  # a year with no incidents declines from one with some
        2021: (False, 0),
        2022: (False, 0),  # only the accidents fell
        2023: (False, 0),  # only the casualties fell
        2024: (True, 1),
        2025: (None, 0),  # still running
    }
    assert (series.get(2022).count_fell, series.get(2022).casualties_fell) == (True, False)
    assert (series.get(2023).count_fell, series.get(2023).casualties_fell) == (False, True)
    assert series.last_complete.year == 2024
    assert series.current_streak == 1
    assert (series.best_streak.year, series.best_streak.streak) == (2020, 2)


def test_the_streak_of_an_earlier_year_end_is_the_one_standing_then(register):
    series = figures.by_year(register, through=2025, today=TODAY).until(2020)
    assert series.current_streak == 2
    assert series.last_complete.year == 2020


def test_year_on_year_changes_are_fractions_of_the_year_before(register):
    series = figures.by_year(register, through=2025, today=TODAY)
    assert series.get(2019).count_change == pytest.approx((2 - 3) / 3)
    assert series.get(2019).casualties_change == pytest.approx((4 - 6) / 6)
    assert series.get(2020).count_change == -1
    # from a year with none there is no change to state
    assert series.get(2021).count_change is None
    assert series.get(2023).count_change == 3


def test_two_years_with_no_incidents_are_not_a_decline(db):
    series = figures.by_year(Incident.objects.all(), through=2024, today=TODAY)
    assert [y.year for y in series.years] == [2024]
    assert series.current_streak == 0
    IncidentFactory(occurred_at=at(2021, 5, 5), minor_injuries=1)
    series = figures.by_year(Incident.objects.all(), through=2024, today=TODAY)
    assert {y.year: y.double_decline for y in series.years} == {2021: None, 2022: True, 2023: False, 2024: False}


def test_this_year_to_date_against_the_same_period_last_year_by_month(register):
    period = figures.same_period(register, today=TODAY)
    assert period.last_end == dt.date(2024, 3, 1)
    assert [(m.month, m.last_year["count"], m.this_year["count"]) for m in period.months] == [
        (1, 0, 1),
        (2, 1, 0),  # 29 February 2024
        (3, 1, 1),  # 1 March 2024 at 23:30 counts, 2 March does not; 5 March 2025 is after today
    ]
    assert (period.this_year["count"], period.last_year["count"]) == (2, 2)
    assert (period.this_year["casualties"], period.last_year["casualties"]) == (2, 1)
    assert period.changes()["casualties"] == 1.0
    assert period.changes()["count"] == 0
    assert period.months[-1].this_end == TODAY
    assert period.months[0].last_end == dt.date(2024, 1, 31)


def test_on_29_february_the_same_period_last_year_ends_on_28_february(register):
    period = figures.same_period(register, today=dt.date(2024, 2, 29))
    assert period.last_end == dt.date(2023, 2, 28)
    assert (period.this_year["count"], period.last_year["count"]) == (1, 1)


def test_breakdowns_by_village_zone_and_type_cover_the_range(register, village_a, village_b, zone_a, zone_b):
    start, end = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
    villages = {v.pk: v for v in figures.by_village(Village.objects.all(), start=start, end=end)}
    assert (villages[village_a.pk].x_count, villages[village_b.pk].x_count) == (3, 4)
    assert (villages[village_a.pk].x_injuries, villages[village_b.pk].x_injuries) == (2, 1)
    zones = {z.pk: z for z in figures.by_zone(start=start, end=end)}
    assert (zones[zone_a.pk].x_count, zones[zone_b.pk].x_count) == (3, 4)
    categories = {row["category"]: row["count"] for row in figures.by_category(register, start=start, end=end)}
    assert categories == {"production": 7, "fire": 0, "road_traffic": 0, "other": 0}
    empty_village = VillageFactory()
    villages = {v.pk: v for v in figures.by_village(Village.objects.all(), start=start, end=end)}
    assert villages[empty_village.pk].x_count == 0


def test_finding_and_inspection_figures(village_a):
    site = SiteFactory(village=village_a)
    today = dt.date(2025, 6, 30)
    inspection = InspectionFactory(site=site, on=dt.date(2025, 3, 1))
    night = InspectionFactory(site=site, on=dt.date(2025, 4, 1), kind=Inspection.Kind.NIGHT)
    InspectionFactory(site=site, on=dt.date(2024, 4, 1), kind=Inspection.Kind.NIGHT)  # outside the range
    on_time = FindingFactory(inspection=inspection, status=FindingStatus.CLOSED)  # closed on its deadline
    late = FindingFactory(inspection=inspection, status=FindingStatus.CLOSED, deadline=dt.date(2025, 3, 5))
    late.closed_at = timezone.make_aware(dt.datetime(2025, 3, 6, 9, 0))
    late.save()
    FindingFactory(inspection=night, grade=Finding.Grade.MAJOR, deadline=dt.date(2025, 4, 10))  # open, overdue
    FindingFactory(inspection=night, deadline=dt.date(2025, 7, 10))  # open, not yet due
    start, end = dt.date(2025, 1, 1), today
    counts = figures.finding_figures(Finding.objects.all(), start=start, end=end)
    assert counts == {"found": 4, "closed": 2, "closed_on_time": 1, "major": 1}
    assert on_time.closed_at.date() == on_time.deadline
    open_now = figures.open_findings_by_village(Finding.objects.all(), today=today)
    assert open_now[village_a.pk]["open"] == 2
    assert open_now[village_a.pk]["overdue"] == 1
    assert open_now[village_a.pk]["major_open"] == 1
    assert figures.inspection_figures(Inspection.objects.all(), start=start, end=end) == {"total": 2, "night": 1}

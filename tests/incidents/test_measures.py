"""What the incident register tells the scorecard: per party and year, for all parties in a fixed few queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from responsibility.measures import compute_all, get_measure
from tests.factories import IncidentFactory, VillageFactory


def at(year, month, day) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 10))


def test_accidents_deaths_and_injuries_per_village_and_unit(village_a, village_b, unit_a):
    IncidentFactory(village=village_a, occurred_at=at(2024, 1, 1), deaths=2, serious_injuries=1, unit=unit_a)
    IncidentFactory(village=village_a, occurred_at=at(2024, 6, 1), minor_injuries=3)
    IncidentFactory(village=village_b, occurred_at=at(2023, 6, 1), deaths=1)  # another year
    figures = compute_all(
        ["incidents.accidents", "incidents.deaths", "incidents.injuries", "incidents.fatal_accidents"], 2024
    )
    village, unit = f"village:{village_a.pk}", f"unit:{unit_a.pk}"
    assert figures["incidents.accidents"] == {village: 2, unit: 1}
    assert figures["incidents.deaths"] == {village: 2, unit: 2}
    assert figures["incidents.injuries"] == {village: 4, unit: 1}
    assert figures["incidents.fatal_accidents"] == {village: 1, unit: 1}
    assert f"village:{village_b.pk}" not in figures["incidents.deaths"]


def test_a_measure_costs_the_same_queries_for_any_number_of_parties(village_a):
    measure = get_measure("incidents.deaths")
    IncidentFactory(village=village_a, occurred_at=at(2024, 1, 1), deaths=1)
    with CaptureQueriesContext(connection) as few:
        measure.compute(2024)
    for _ in range(10):
        IncidentFactory(village=VillageFactory(), occurred_at=at(2024, 2, 2), deaths=1)
    with CaptureQueriesContext(connection) as many:
        assert len(measure.compute(2024)) == 11
    assert len(few.captured_queries) == len(many.captured_queries) == 2

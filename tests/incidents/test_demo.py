"""The demo incidents show what the town reported: five years of double decline ending in 2021."""

from __future__ import annotations

import datetime as dt
import io

import time_machine

from dashboard import figures
from incidents import demo
from incidents.models import Incident
from responsibility import demo as responsibility_demo


@time_machine.travel(dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_the_demo_shows_five_years_of_double_decline_ending_in_2021_and_loads_once(db):
    responsibility_demo.load()
    demo.load()
    today = dt.date(2026, 11, 29)
    series = figures.by_year(Incident.objects.all(), through=2026, today=today)
    assert [(y.year, y.count, y.casualties) for y in series.years if y.year in demo.PLAN] == [
        (year, *demo.PLAN[year]) for year in sorted(demo.PLAN)
    ]
    assert [y.year for y in series.years if y.double_decline] == [2017, 2018, 2019, 2020, 2021, 2024, 2025]
    assert series.until(2021).current_streak == 5
    assert (series.best_streak.year, series.best_streak.streak) == (2021, 5)
    assert series.get(2026).count > 0  # this year so far
    assert not Incident.objects.filter(occurred_at__gte=dt.datetime(2026, 11, 29, tzinfo=dt.UTC)).exists()

    before = Incident.objects.count()
    out = io.StringIO()
    demo.load(stdout=out)
    assert Incident.objects.count() == before
    assert "0 new, 0 updated" in out.getvalue()

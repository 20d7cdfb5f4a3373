"""The leadership dashboard's figures, each one aggregate query in the database.

Every function takes the querysets a user may read (``visible_to``) and dates, never the request,
so that tests compute the same figures on built data. No figure is cached: each page view reads
the tables, so a figure is right the moment after any write.

Definitions:

- *casualties* (伤亡人数) are deaths plus serious and minor injuries;
- a year has a *double decline* (双下降) when both its number of incidents and its casualties are
  lower than the year before; a year whose predecessor had none cannot decline;
- the *streak* of a year is the number of consecutive double-decline years ending with it;
- the *same period* (同比) of last year runs from 1 January to the same month and day as today,
  29 February becoming 28 February in a common year;
- a finding is *closed on time* when its close-out day is not after its deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear, TruncDate

from incidents.models import TOTALS, Incident, day_start, totals_of, year_start
from inspections.filters.findings import OPEN_STATUSES
from inspections.models import Finding, FindingStatus, Inspection, Zone
from responsibility.models import Village

ZERO = {"count": 0, "deaths": 0, "serious_injuries": 0, "minor_injuries": 0, "injuries": 0, "casualties": 0}
ZERO_ROW = {**ZERO, "loss": Decimal(0)}


def _clean(row: dict) -> dict:
    figures = totals_of(row)
    figures["loss"] = Decimal(figures["loss"])
    return figures


def change(current: float, previous: float) -> float | None:
    """The change against ``previous`` as a fraction (−0.25 is a quarter fewer); None when there was none."""
    if not previous:
        return None
    return (current - previous) / previous


@dataclass
class YearFigures:
    year: int
    count: int = 0
    deaths: int = 0
    serious_injuries: int = 0
    minor_injuries: int = 0
    injuries: int = 0
    casualties: int = 0
    loss: Decimal = Decimal(0)
    #: the year is still running: no flag, and its change compares a part with a whole
    partial: bool = False
    previous: YearFigures | None = field(default=None, repr=False)
    streak: int = 0

    @property
    def count_fell(self) -> bool | None:
        if self.previous is None or self.partial:
            return None
        return self.count < self.previous.count

    @property
    def casualties_fell(self) -> bool | None:
        if self.previous is None or self.partial:
            return None
        return self.casualties < self.previous.casualties

    @property
    def double_decline(self) -> bool | None:
        """Both figures fell against the year before; None for the first year known and a running year."""
        if self.previous is None or self.partial:
            return None
        return bool(self.count_fell and self.casualties_fell)

    def _change(self, name: str) -> float | None:
        return None if self.previous is None else change(getattr(self, name), getattr(self.previous, name))

    @property
    def count_change(self) -> float | None:
        return self._change("count")

    @property
    def deaths_change(self) -> float | None:
        return self._change("deaths")

    @property
    def injuries_change(self) -> float | None:
        return self._change("injuries")

    @property
    def casualties_change(self) -> float | None:
        return self._change("casualties")

    @property
    def loss_change(self) -> float | None:
        return self._change("loss")


@dataclass
class YearSeries:
    years: list[YearFigures]

    def until(self, year: int) -> YearSeries:
        """The years up to ``year``: the streak is then the one standing at the end of ``year``."""
        return YearSeries([figures for figures in self.years if figures.year <= year])

    def get(self, year: int) -> YearFigures | None:
        return next((figures for figures in self.years if figures.year == year), None)

    @property
    def first_year(self) -> int | None:
        return next((figures.year for figures in self.years if figures.count), None)

    @property
    def last_complete(self) -> YearFigures | None:
        return next((figures for figures in reversed(self.years) if not figures.partial), None)

    @property
    def current_streak(self) -> int:
        """Consecutive double-decline years ending with the last complete year."""
        last = self.last_complete
        return last.streak if last else 0

    @property
    def best_streak(self) -> YearFigures | None:
        """The year that ends the longest streak (the latest of equals), or None without any decline."""
        best = None
        for figures in self.years:
            if figures.streak and (best is None or figures.streak >= best.streak):
                best = figures
        return best


def by_year(incidents: QuerySet, *, through: int, today: dt.date) -> YearSeries:
    """Every year from the first incident (or ``through``) to ``through``, with changes, flags and streaks.

    One grouped query over all years: a streak may begin long before the years shown.
    """
    rows = (
        incidents.order_by()
        .annotate(x_year=ExtractYear("occurred_at"))
        .values("x_year")
        .annotate(**TOTALS)
        .order_by("x_year")
    )
    found = {row["x_year"]: _clean(row) for row in rows}
    first = min([*found, through])
    series: list[YearFigures] = []
    previous = None
    for year in range(first, through + 1):
        figures = YearFigures(year=year, partial=year >= today.year, previous=previous, **found.get(year, ZERO_ROW))
        if figures.double_decline:
            figures.streak = (previous.streak if previous else 0) + 1
        series.append(figures)
        previous = figures
    return YearSeries(series)


def same_day_last_year(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


@dataclass
class MonthFigures:
    month: int
    this_year: dict
    last_year: dict
    #: the last day each side counts in this month (today, and its same day last year, in the current month)
    this_end: dt.date
    last_end: dt.date

    @property
    def count_change(self) -> float | None:
        return change(self.this_year["count"], self.last_year["count"])


@dataclass
class SamePeriod:
    today: dt.date
    last_end: dt.date
    months: list[MonthFigures]
    this_year: dict
    last_year: dict

    @property
    def year(self) -> int:
        return self.today.year

    def changes(self) -> dict:
        return {
            key: change(self.this_year[key], self.last_year[key])
            for key in ("count", "deaths", "injuries", "casualties", "loss")
        }


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def same_period(incidents: QuerySet, *, today: dt.date) -> SamePeriod:
    """This year to ``today`` against last year to the same day, month by month, in one query."""
    last_end = same_day_last_year(today)
    windows = Q(occurred_at__gte=year_start(today.year), occurred_at__lt=day_start(today + dt.timedelta(days=1))) | Q(
        occurred_at__gte=year_start(today.year - 1), occurred_at__lt=day_start(last_end + dt.timedelta(days=1))
    )
    rows = (
        incidents.filter(windows)
        .order_by()
        .annotate(x_year=ExtractYear("occurred_at"), x_month=ExtractMonth("occurred_at"))
        .values("x_year", "x_month")
        .annotate(**TOTALS)
    )
    found = {(row["x_year"], row["x_month"]): _clean(row) for row in rows}
    months = []
    for month in range(1, today.month + 1):
        current = month == today.month
        months.append(
            MonthFigures(
                month=month,
                this_year=found.get((today.year, month), dict(ZERO_ROW)),
                last_year=found.get((today.year - 1, month), dict(ZERO_ROW)),
                this_end=today if current else _month_end(today.year, month),
                last_end=last_end if current else _month_end(today.year - 1, month),
            )
        )
    totals = {}
    for side in ("this_year", "last_year"):
        totals[side] = {key: sum(getattr(m, side)[key] for m in months) for key in ZERO_ROW}
    return SamePeriod(today=today, last_end=last_end, months=months, **totals)


def _range_q(prefix: str, start: dt.date, end: dt.date) -> Q:
    return Q(
        **{
            f"{prefix}occurred_at__gte": day_start(start),
            f"{prefix}occurred_at__lt": day_start(end + dt.timedelta(days=1)),
        }
    )


def _annotations(prefix: str, start: dt.date, end: dt.date) -> dict:
    within = _range_q(prefix, start, end)
    return {
        "x_count": Count(f"{prefix}pk", filter=within),
        "x_deaths": Sum(f"{prefix}deaths", filter=within),
        "x_injuries": Sum(F(f"{prefix}serious_injuries") + F(f"{prefix}minor_injuries"), filter=within),
        "x_loss": Sum(f"{prefix}direct_loss", filter=within),
    }


def by_village(villages: QuerySet, *, start: dt.date, end: dt.date) -> list[Village]:
    """Every village readable, with its incidents' figures between ``start`` and ``end`` (zero included)."""
    return list(villages.annotate(**_annotations("incidents__", start, end)).order_by("order", "name"))


def by_zone(*, start: dt.date, end: dt.date) -> list[Zone]:
    return list(
        Zone.objects.annotate(**_annotations("village_links__village__incidents__", start, end)).order_by(
            "order", "name"
        )
    )


def by_category(incidents: QuerySet, *, start: dt.date, end: dt.date) -> list[dict]:
    rows = {
        row["category"]: _clean(row)
        for row in incidents.filter(_range_q("", start, end)).order_by().values("category").annotate(**TOTALS)
    }
    return [
        {"category": value, "label": label, **rows.get(value, ZERO_ROW)} for value, label in Incident.Category.choices
    ]


def finding_figures(findings: QuerySet, *, start: dt.date, end: dt.date) -> dict:
    """Findings found between ``start`` and ``end``: how many, closed, closed on time, major."""
    return (
        findings.filter(found_on__gte=start, found_on__lte=end)
        .order_by()
        .annotate(x_closed_on=TruncDate("closed_at"))
        .aggregate(
            found=Count("pk"),
            closed=Count("pk", filter=Q(status=FindingStatus.CLOSED)),
            closed_on_time=Count("pk", filter=Q(status=FindingStatus.CLOSED, x_closed_on__lte=F("deadline"))),
            major=Count("pk", filter=Q(grade=Finding.Grade.MAJOR)),
        )
    )


def open_findings_by_village(findings: QuerySet, *, today: dt.date) -> dict[int, dict]:
    """Findings not yet closed, now: open, overdue and major, per village (village id → counts)."""
    rows = (
        findings.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("village_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(deadline__lt=today)),
            major_open=Count("pk", filter=Q(grade=Finding.Grade.MAJOR)),
        )
    )
    return {row["village_id"]: row for row in rows}


def inspection_figures(inspections: QuerySet, *, start: dt.date, end: dt.date) -> dict:
    return (
        inspections.filter(started_at__gte=day_start(start), started_at__lt=day_start(end + dt.timedelta(days=1)))
        .order_by()
        .aggregate(total=Count("pk"), night=Count("pk", filter=Q(kind=Inspection.Kind.NIGHT)))
    )

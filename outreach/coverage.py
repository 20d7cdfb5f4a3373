"""The coverage matrix (连点成面): villages × carrier types and activity kinds of a year, gaps marked.

The counts come from two grouped aggregates in the database (carriers by village and type, activities by
village and kind); with the villages and the types, the page runs four queries whatever the number of
carriers and activities. Only the small grid of counts (villages × columns) is assembled in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone

from outreach.models import Activity, Carrier, CarrierType
from responsibility.models import Village

#: the activity kinds a village is expected to hold each year (every kind but "other")
EXPECTED_KINDS = [kind for kind in Activity.Kind if kind != Activity.Kind.OTHER]


def outreach_villages(user):
    """The villages whose outreach ``user`` reads: every village for officers, administrators and leaders."""
    if not (user.is_authenticated and user.is_active):
        return Village.objects.none()
    if user.sees_whole_town or user.is_safety_officer:
        return Village.objects.all()
    return Village.objects.visible_to(user)


@dataclass
class Column:
    key: str  # "type-<pk>" or "kind-<kind>"
    label: str
    group: str  # "carrier" or "activity"
    value: str | int  # the carrier type's pk or the activity kind
    expected: bool = True  # a village without one has a gap
    covered: int = 0  # villages with at least one


@dataclass
class Cell:
    column: Column
    count: int = 0
    audience: int = 0

    @property
    def is_gap(self) -> bool:
        return self.count == 0 and self.column.expected


@dataclass
class Row:
    village: Village
    cells: list[Cell] = field(default_factory=list)

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells if cell.is_gap)

    @property
    def activities(self) -> int:
        return sum(cell.count for cell in self.cells if cell.column.group == "activity")

    @property
    def audience(self) -> int:
        return sum(cell.audience for cell in self.cells if cell.column.group == "activity")

    def cell(self, key: str) -> Cell:
        return next(cell for cell in self.cells if cell.column.key == key)


@dataclass
class Coverage:
    year: int
    until: dt.date  # activities are counted from 1 January to this day
    carrier_columns: list[Column]
    activity_columns: list[Column]
    rows: list[Row]

    @property
    def columns(self) -> list[Column]:
        return self.carrier_columns + self.activity_columns

    @property
    def gap_count(self) -> int:
        return sum(row.gaps for row in self.rows)

    @property
    def complete_villages(self) -> int:
        return sum(1 for row in self.rows if row.gaps == 0)

    def row(self, village_name: str) -> Row:
        return next(row for row in self.rows if row.village.name == village_name)


def year_span(year: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """1 January of ``year`` to its last day, or to today in the current year: activities that took place."""
    today = today or timezone.localdate()
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)


def coverage_for(user, year: int, today: dt.date | None = None) -> Coverage:
    """The matrix of the villages ``user`` reads, for ``year`` (carriers as they stand; activities held that year)."""
    start, until = year_span(year, today)
    villages = list(outreach_villages(user).order_by("order", "name"))
    carrier_columns = [
        Column(
            key=f"type-{kind.pk}",
            label=kind.name,
            group="carrier",
            value=kind.pk,
            expected=kind.expected_in_every_village,
        )
        for kind in CarrierType.objects.active().order_by("order", "name")
    ]
    activity_columns = [
        Column(key=f"kind-{kind.value}", label=str(kind.label), group="activity", value=kind.value)
        for kind in EXPECTED_KINDS
    ]
    carriers = {
        (village_id, type_id): count
        for village_id, type_id, count in Carrier.objects.visible_to(user)
        .exclude(status=Carrier.Status.RETIRED)
        .order_by()
        .values_list("village_id", "type_id")
        .annotate(count=Count("pk"))
    }
    activities = {
        (village_id, kind): (count, audience or 0)
        for village_id, kind, count, audience in Activity.objects.visible_to(user)
        .filter(held_on__gte=start, held_on__lte=until)
        .order_by()
        .values_list("village_id", "kind")
        .annotate(count=Count("pk"), audience=Sum("audience_count"))
    }
    rows = []
    for village in villages:
        row = Row(village=village)
        for column in carrier_columns:
            row.cells.append(Cell(column=column, count=carriers.get((village.pk, column.value), 0)))
        for column in activity_columns:
            count, audience = activities.get((village.pk, column.value), (0, 0))
            row.cells.append(Cell(column=column, count=count, audience=audience))
        for cell in row.cells:
            if cell.count:
                cell.column.covered += 1
        rows.append(row)
    return Coverage(
        year=year, until=until, carrier_columns=carrier_columns, activity_columns=activity_columns, rows=rows
    )

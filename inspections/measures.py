"""What the year-end scorecard of the responsibility letters can compute from findings and inspections.

Registered into ``responsibility.measures`` from ``InspectionsConfig.ready()``; each measure is one
aggregate query for every party at once.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import Finding, FindingStatus, Inspection
from responsibility.measures import Measure, register_measure, unit_key, village_key

FINDINGS_CLOSED_ON_TIME = "inspections.findings_closed_on_time"
INSPECTIONS_PER_MONTH = "inspections.inspections_per_month"


def _party(row: dict) -> str | None:
    # the party that must fix a finding: its unit when a unit must, otherwise its village
    if row["responsible_unit_id"]:
        return unit_key(row["responsible_unit_id"])
    if row["responsible_village_id"]:
        return village_key(row["responsible_village_id"])
    return None


def findings_closed_on_time(year: int, today: dt.date | None = None) -> dict[str, float]:
    """Of the findings a party had to fix by a deadline in ``year`` already reached, the share closed by it."""
    today = today or timezone.localdate()
    due = Finding.objects.filter(deadline__year=year).filter(Q(deadline__lt=today) | Q(status=FindingStatus.CLOSED))
    rows = due.values("responsible_village_id", "responsible_unit_id").annotate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(status=FindingStatus.CLOSED, closed_at__date__lte=F("deadline"))),
    )
    totals: dict[str, list[int]] = {}
    for row in rows:
        key = _party(row)
        if key is None:
            continue
        counts = totals.setdefault(key, [0, 0])
        counts[0] += row["due"]
        counts[1] += row["on_time"]
    return {key: on_time / due for key, (due, on_time) in totals.items() if due}


def months_in(year: int, today: dt.date | None = None) -> int:
    """The months of ``year`` gone by: 12 for a past year, this month's number for the current one."""
    today = today or timezone.localdate()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def inspections_per_month(year: int, today: dt.date | None = None) -> dict[str, float]:
    """Inspections logged at the sites of each village in ``year``, per month gone by."""
    months = months_in(year, today)
    if not months:
        return {}
    rows = (
        Inspection.objects.filter(started_at__year=year).values("site__village_id").annotate(n=Count("pk")).order_by()
    )
    return {village_key(row["site__village_id"]): row["n"] / months for row in rows}


def register() -> None:
    register_measure(
        Measure(
            FINDINGS_CLOSED_ON_TIME,
            _("Findings closed by their deadline"),
            findings_closed_on_time,
            kind=Measure.Kind.RATE,
            help=_("Of the findings the party had to rectify by a deadline in the year, the share closed in time."),
        )
    )
    register_measure(
        Measure(
            INSPECTIONS_PER_MONTH,
            _("Inspections logged per month"),
            inspections_per_month,
            help=_("Inspections logged at the village's sites in the year, divided by the months gone by."),
        )
    )

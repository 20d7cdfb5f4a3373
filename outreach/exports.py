"""The outreach ledger (宣教台账) of a year: carriers, activities and the coverage of each village, as .xlsx.

Written in openpyxl's write-only mode, row by row from the database cursor; the carriers' figures of the
year (activities, audience, visitors) are counted in the database, one query per sheet.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from chashan_safety.spreadsheets import text_cell, text_row
from outreach.coverage import coverage_for
from outreach.models import Activity, Carrier, CarrierType, VisitorCount

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000

CARRIER_COLUMNS = [
    (gettext_lazy("No."), 6),
    (gettext_lazy("Carrier"), 26),
    (gettext_lazy("Carrier type"), 14),
    (gettext_lazy("Tier"), 14),
    (gettext_lazy("Village (community)"), 12),
    (gettext_lazy("Address"), 26),
    (gettext_lazy("Latitude"), 11),
    (gettext_lazy("Longitude"), 11),
    (gettext_lazy("Status"), 10),
    (gettext_lazy("Opening hours"), 20),
    (gettext_lazy("Capacity (people)"), 10),
    (gettext_lazy("Activities in the year"), 10),
    (gettext_lazy("Audience in the year"), 10),
    (gettext_lazy("Visitors in the year"), 10),
]

ACTIVITY_COLUMNS = [
    (gettext_lazy("No."), 6),
    (gettext_lazy("Date"), 12),
    (gettext_lazy("Activity"), 30),
    (gettext_lazy("Kind"), 16),
    (gettext_lazy("Village (community)"), 12),
    (gettext_lazy("Carrier"), 24),
    (gettext_lazy("Organiser"), 20),
    (gettext_lazy("Audience (people)"), 10),
    (gettext_lazy("Feedback score"), 10),
    (gettext_lazy("Photos"), 8),
    (gettext_lazy("Notes"), 40),
]


def _header(sheet, columns) -> None:
    for index, (_title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cells = []
    for title, _width in columns:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = Font(bold=True)
        cell.alignment = alignment
        cells.append(cell)
    sheet.append(cells)


def _finish(sheet, columns, count: int) -> None:
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _write_carriers(workbook: Workbook, carriers, *, start: dt.date, end: dt.date) -> int:
    sheet = workbook.create_sheet(title=_("Carriers")[:31])
    sheet.freeze_panes = "C2"
    _header(sheet, CARRIER_COLUMNS)
    in_year = Q(activities__held_on__gte=start, activities__held_on__lte=end)
    visitors = (
        VisitorCount.objects.filter(carrier=OuterRef("pk"), month__gte=start, month__lte=end)
        .order_by()
        .values("carrier")
        .annotate(total=Sum("visitors"))
        .values("total")
    )
    tiers = {value: str(label) for value, label in CarrierType.Tier.choices}
    statuses = {value: str(label) for value, label in Carrier.Status.choices}
    rows = (
        carriers.order_by("village__order", "village__name", "type__order", "name", "pk")
        .annotate(
            x_activities=Count("activities", filter=in_year),
            x_audience=Coalesce(Sum("activities__audience_count", filter=in_year), 0),
            x_visitors=Coalesce(Subquery(visitors, output_field=IntegerField()), 0),
        )
        .values_list(
            "name",
            "type__name",
            "type__tier",
            "village__name",
            "address",
            "latitude",
            "longitude",
            "status",
            "opening_hours",
            "capacity",
            "x_activities",
            "x_audience",
            "x_visitors",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    count = 0
    for count, row in enumerate(rows, start=1):
        name, type_name, tier, village, address, lat, lng, status, hours, capacity, acts, audience, seen = row
        values = [
            count,
            name,
            type_name,
            tiers.get(tier, tier),
            village,
            address,
            float(lat) if lat is not None else None,
            float(lng) if lng is not None else None,
            statuses.get(status, status),
            hours,
            capacity,
            acts,
            audience,
            seen,
        ]
        sheet.append(text_row(sheet, values))
    _finish(sheet, CARRIER_COLUMNS, count)
    return count


def _write_activities(workbook: Workbook, activities, *, start: dt.date, end: dt.date) -> int:
    sheet = workbook.create_sheet(title=_("Activities")[:31])
    sheet.freeze_panes = "C2"
    _header(sheet, ACTIVITY_COLUMNS)
    kinds = {value: str(label) for value, label in Activity.Kind.choices}
    rows = (
        activities.filter(held_on__gte=start, held_on__lte=end)
        .order_by("held_on", "pk")
        .annotate(x_photos=Count("photos"))
        .values_list(
            "held_on",
            "title",
            "kind",
            "village__name",
            "carrier__name",
            "organiser",
            "audience_count",
            "feedback_score",
            "x_photos",
            "notes",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    count = 0
    for count, (held_on, title, kind, village, carrier, organiser, audience, score, photos, notes) in enumerate(
        rows, start=1
    ):
        values = [
            count,
            held_on,
            title,
            kinds.get(kind, kind),
            village,
            carrier,
            organiser,
            audience,
            float(score) if score is not None else None,
            photos,
            notes,
        ]
        row = text_row(sheet, values)
        date_cell = WriteOnlyCell(sheet, value=held_on)
        date_cell.number_format = "yyyy-mm-dd"
        row[1] = date_cell
        sheet.append(row)
    _finish(sheet, ACTIVITY_COLUMNS, count)
    return count


def _write_coverage(workbook: Workbook, user, *, year: int, exported_by: str, carriers: int, activities: int):
    coverage = coverage_for(user, year)
    sheet = workbook.create_sheet(title=_("Coverage")[:31])
    sheet.column_dimensions["A"].width = 14
    bold = Font(bold=True)

    def strong(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        return cell

    sheet.append([strong(_("Outreach ledger %(year)d") % {"year": year})])
    sheet.append([_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.append([_("Exported by"), text_cell(sheet, exported_by)])
    sheet.append([_("Carriers"), carriers])
    sheet.append([_("Activities"), activities])
    sheet.append([_("A cell with 0 is a gap: the village has no such carrier, or no such activity this year.")])
    sheet.append([])
    sheet.append([strong(value) for value in (_("Village"), *(column.label for column in coverage.columns))])
    for row in coverage.rows:
        sheet.append([text_cell(sheet, row.village.name), *(cell.count for cell in row.cells)])
    sheet.append(
        [strong(_("Villages covered")), *(strong(column.covered) for column in coverage.columns)],
    )


def write_outreach_ledger(user, file: IO[bytes], *, year: int, exported_by: str) -> tuple[int, int]:
    """Write the year's ledger of what ``user`` may see into ``file``; returns (carriers, activities) written."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    workbook = Workbook(write_only=True)
    carriers = _write_carriers(workbook, Carrier.objects.visible_to(user), start=start, end=end)
    activities = _write_activities(workbook, Activity.objects.visible_to(user), start=start, end=end)
    _write_coverage(workbook, user, year=year, exported_by=exported_by, carriers=carriers, activities=activities)
    workbook.save(file)
    return carriers, activities

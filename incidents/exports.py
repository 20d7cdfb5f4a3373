"""The incident ledger (事故台账) as an Excel workbook, in the columns of the official statistics.

The rows are written in openpyxl's write-only mode from a chunked cursor (one query, whatever the
number of incidents); a last row totals the casualties and the loss, and a second sheet totals
them by year.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.db.models import QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from chashan_safety.spreadsheets import text_row
from incidents.models import TOTALS, Incident, totals_of

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000

#: (header, width), in the order of the statistics report (reference/forms.md §4)
COLUMNS = [
    (gettext_lazy("No."), 6),
    (gettext_lazy("Occurred at"), 17),
    (gettext_lazy("Village (community)"), 12),
    (gettext_lazy("Place of the accident"), 20),
    (gettext_lazy("Unit / site"), 24),
    (gettext_lazy("Unit involved"), 18),
    (gettext_lazy("Type"), 10),
    (gettext_lazy("Industry"), 14),
    (gettext_lazy("Deaths"), 7),
    (gettext_lazy("Serious injuries"), 8),
    (gettext_lazy("Minor injuries"), 8),
    (gettext_lazy("Direct economic loss (yuan)"), 14),
    (gettext_lazy("Cause"), 30),
    (gettext_lazy("Summary"), 45),
]
_VALUES = (
    "occurred_at",
    "village__name",
    "location",
    "site__name",
    "unit__name",
    "category",
    "industry",
    "deaths",
    "serious_injuries",
    "minor_injuries",
    "direct_loss",
    "cause",
    "summary",
)


def _bold(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _header(sheet, columns) -> None:
    alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cells = []
    for index, (title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = _bold(sheet, str(title))
        cell.alignment = alignment
        cells.append(cell)
    sheet.append(cells)


def incident_rows(incidents: QuerySet):
    categories = dict(Incident.Category.choices)
    rows = incidents.order_by("-occurred_at", "-id").values_list(*_VALUES).iterator(chunk_size=CHUNK_SIZE)
    for (
        occurred_at,
        village,
        place,
        site,
        unit,
        category,
        industry,
        deaths,
        serious,
        minor,
        loss,
        cause,
        summary,
    ) in rows:
        yield (
            timezone.localtime(occurred_at).replace(tzinfo=None),
            village,
            place,
            site,
            unit,
            str(categories.get(category, category)),
            industry,
            deaths,
            serious,
            minor,
            loss,
            cause,
            summary,
        )


def export_workbook(incidents: QuerySet) -> bytes:
    """The incidents as an .xlsx: the ledger with a totals row, and the totals by year."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Incident ledger")[:31])
    sheet.freeze_panes = "C2"
    _header(sheet, COLUMNS)
    count = 0
    for count, row in enumerate(incident_rows(incidents), start=1):
        values = [count, *text_row(sheet, row)]
        values[1] = WriteOnlyCell(sheet, value=row[0])
        values[1].number_format = "yyyy-mm-dd hh:mm"
        loss = WriteOnlyCell(sheet, value=row[10])
        loss.number_format = "#,##0.00"
        values[11] = loss
        sheet.append(values)
    # the filter buttons over the incidents, not over the totals row below them
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    totals = incidents.totals()
    sheet.append(
        [
            _bold(sheet, _("Total")),
            _bold(sheet, _("%(count)s incidents") % {"count": totals["count"]}),
            *([None] * 6),
            _bold(sheet, totals["deaths"]),
            _bold(sheet, totals["serious_injuries"]),
            _bold(sheet, totals["minor_injuries"]),
            _bold(sheet, Decimal(totals["loss"])),
        ]
    )

    by_year = workbook.create_sheet(title=_("By year")[:31])
    _header(
        by_year,
        [
            (gettext_lazy("Year"), 8),
            (gettext_lazy("Accidents"), 10),
            (gettext_lazy("Deaths"), 8),
            (gettext_lazy("Serious injuries"), 10),
            (gettext_lazy("Minor injuries"), 10),
            (gettext_lazy("Direct economic loss (yuan)"), 16),
        ],
    )
    years = (
        incidents.order_by()
        .annotate(x_year=ExtractYear("occurred_at"))
        .values("x_year")
        .annotate(**TOTALS)
        .order_by("x_year")
    )
    for row in years:
        figures = totals_of(row)
        by_year.append(
            [
                row["x_year"],
                figures["count"],
                figures["deaths"],
                figures["serious_injuries"],
                figures["minor_injuries"],
                figures["loss"],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

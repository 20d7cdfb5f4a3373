"""Excel ledgers (台账) of findings, in the columns officials already keep (reference/forms.md §1).

The workbook is written row by row in openpyxl's write-only mode from a server-side cursor, into a
temporary file: memory stays flat whether the ledger holds 100 rows or 100,000.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from chashan_safety.spreadsheets import text_cell, text_row
from inspections.models import Finding, FindingStatus

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
OPEN_STATUSES = [status for status in FindingStatus.values if status != FindingStatus.CLOSED]

#: the ledger's columns in the order of forms.md §1, where the portal holds the data; (header, width)
LEDGER_COLUMNS = [
    (gettext_lazy("No."), 6),
    (gettext_lazy("Finding number"), 15),
    (gettext_lazy("Unit / site"), 24),
    (gettext_lazy("Village (community)"), 12),
    (gettext_lazy("Inspection date"), 12),
    (gettext_lazy("Inspected by"), 10),
    (gettext_lazy("Location of the hazard"), 18),
    (gettext_lazy("Description of the hazard"), 40),
    (gettext_lazy("Hazard category"), 12),
    (gettext_lazy("Hazard grade"), 9),
    (gettext_lazy("Rectification measures"), 30),
    (gettext_lazy("Unit responsible for rectification"), 20),
    (gettext_lazy("Person responsible for rectification"), 12),
    (gettext_lazy("Contact phone"), 14),
    (gettext_lazy("Rectification deadline"), 12),
    (gettext_lazy("Status"), 12),
    (gettext_lazy("Overdue?"), 9),
    (gettext_lazy("Closed on"), 12),
]

_VALUES = (
    "number",
    "site__name",
    "village__name",
    "found_on",
    "x_led_by",
    "location",
    "description",
    "category",
    "grade",
    "measures",
    "x_responsible",
    "responsible_contact",
    "responsible_phone",
    "deadline",
    "status",
    "x_closed_on",
)


def ledger_rows(findings: QuerySet, *, today: dt.date) -> Iterator[tuple]:
    """The values of each finding's ledger row, read in chunks with one query (no query per row)."""
    categories = {value: str(label) for value, label in Finding.Category.choices}
    grades = {value: str(label) for value, label in Finding.Grade.choices}
    statuses = {value: str(label) for value, label in FindingStatus.choices}
    yes, no = _("Yes"), _("No")
    rows = (
        findings.order_by("-found_on", "-id")
        .annotate(
            x_led_by=Coalesce(NullIf(F("inspection__led_by__full_name"), Value("")), F("inspection__led_by__username")),
            x_responsible=Coalesce(F("responsible_unit__name"), F("responsible_village__name")),
            x_closed_on=TruncDate("closed_at"),
        )
        .values_list(*_VALUES)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for (
        number,
        site,
        village,
        found_on,
        led_by,
        location,
        description,
        category,
        grade,
        measures,
        responsible,
        contact,
        phone,
        deadline,
        status,
        closed_on,
    ) in rows:
        overdue = status != FindingStatus.CLOSED and deadline < today
        yield (
            number,
            site,
            village,
            found_on,
            led_by,
            location,
            description,
            categories.get(category, category),
            grades.get(grade, grade),
            measures,
            responsible,
            contact,
            phone,
            deadline,
            statuses.get(status, status),
            yes if overdue else no,
            closed_on,
        )


def ledger_summary(findings: QuerySet, *, today: dt.date) -> dict:
    """Totals by grade and status, overdue by grade, and the major hazards' rectification rate.

    One aggregate query, whatever the number of findings.
    """
    aggregates = {}
    for grade in Finding.Grade.values:
        for status in FindingStatus.values:
            aggregates[f"{grade}_{status}"] = Count("pk", filter=Q(grade=grade, status=status))
        aggregates[f"{grade}_overdue"] = Count(
            "pk", filter=Q(grade=grade, status__in=OPEN_STATUSES, deadline__lt=today)
        )
    counts = findings.order_by().aggregate(**aggregates)
    table = {}
    for grade in Finding.Grade.values:
        row = {status: counts[f"{grade}_{status}"] for status in FindingStatus.values}
        row["total"] = sum(row.values())
        row["overdue"] = counts[f"{grade}_overdue"]
        table[grade] = row
    table["total"] = {
        key: sum(table[grade][key] for grade in Finding.Grade.values) for key in table[Finding.Grade.GENERAL]
    }
    major = table[Finding.Grade.MAJOR]
    rate = major[FindingStatus.CLOSED] / major["total"] if major["total"] else None
    return {
        "table": table,
        "major_closed": major[FindingStatus.CLOSED],
        "major_total": major["total"],
        "major_rate": rate,
    }


def _bold(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _write_ledger_sheet(workbook: Workbook, findings: QuerySet, *, today: dt.date) -> int:
    sheet = workbook.create_sheet(title=_("Hazard ledger")[:31])
    for index, (_header, width) in enumerate(LEDGER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for title, _width in LEDGER_COLUMNS:
        cell = _bold(sheet, str(title))
        cell.alignment = header_alignment
        header.append(cell)
    sheet.append(header)
    count = 0
    for count, row in enumerate(ledger_rows(findings, today=today), start=1):
        sheet.append([count, *text_row(sheet, row)])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_COLUMNS))}{count + 1}"
    return count


def _write_summary_sheet(
    workbook: Workbook,
    findings: QuerySet,
    *,
    today: dt.date,
    exported_by: str,
    filters: list[tuple[str, str]],
    rows: int,
) -> None:
    summary = ledger_summary(findings, today=today)
    sheet = workbook.create_sheet(title=_("Ledger totals")[:31])
    sheet.column_dimensions["A"].width = 22
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 14
    sheet.append([_bold(sheet, _("Hazard ledger summary"))])
    sheet.append([_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.append([_("Exported by"), text_cell(sheet, exported_by)])
    sheet.append([_("Findings in this ledger"), rows])
    filtered = "; ".join(f"{label}: {value}" for label, value in filters) or _("None")
    sheet.append([_("Filters"), text_cell(sheet, filtered)])
    sheet.append([])
    statuses = list(FindingStatus.choices)
    sheet.append(
        [
            _bold(sheet, value)
            for value in (_("Grade"), *(str(label) for _v, label in statuses), _("Total"), _("Overdue"))
        ]
    )
    grade_labels = [*((value, str(label)) for value, label in Finding.Grade.choices), ("total", _("Total"))]
    for grade, label in grade_labels:
        row = summary["table"][grade]
        sheet.append([label, *(row[value] for value, _label in statuses), row["total"], row["overdue"]])
    sheet.append([])
    rate_cell = WriteOnlyCell(sheet, value=summary["major_rate"] if summary["major_rate"] is not None else "—")
    if summary["major_rate"] is not None:
        rate_cell.number_format = "0.0%"
    sheet.append([_bold(sheet, _("Rectification rate of major hazards")), rate_cell])
    sheet.append(
        [_("Major hazards closed / all major hazards"), f"{summary['major_closed']} / {summary['major_total']}"]
    )


def write_finding_ledger(
    findings: QuerySet,
    file: IO[bytes],
    *,
    exported_by: str,
    filters: list[tuple[str, str]] = (),
    today: dt.date | None = None,
) -> int:
    """Write the ledger of ``findings`` (already scoped and filtered) as .xlsx into ``file``.

    Sheet 1 holds one row per finding, sheet 2 the summary. Returns the number of findings written.
    """
    today = today or timezone.localdate()
    workbook = Workbook(write_only=True)
    rows = _write_ledger_sheet(workbook, findings, today=today)
    _write_summary_sheet(workbook, findings, today=today, exported_by=exported_by, filters=list(filters), rows=rows)
    workbook.save(file)
    return rows

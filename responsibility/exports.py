"""Excel ledgers of the responsibility letters (责任书台账) and of the year-end scorecard.

At most a few hundred rows (55 parties a year): a normal workbook in memory, one query for the
letters and one per measure for the scores.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from chashan_safety.spreadsheets import text_cell
from responsibility.models import ResponsibilityLetter
from responsibility.scorecard import PartyScore

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header(sheet, titles: list[tuple[str, int]]) -> None:
    sheet.append([title for title, _width in titles])
    for index, (_title, width) in enumerate(titles, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def party_kind_label(letter: ResponsibilityLetter) -> str:
    return str(letter.template.get_party_kind_display())


def write_letter_ledger(letters: QuerySet, *, year: int, exported_by: str, today=None) -> bytes:
    """The year's letters, one row each: party, kind, zone, deadline, signed when, by whom, how, hashes."""
    today = today or timezone.localdate()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Letter ledger")[:31]
    _header(
        sheet,
        [
            (_("No."), 6),
            (_("Party"), 28),
            (_("Kind"), 14),
            (_("Zone"), 14),
            (_("Issued on"), 12),
            (_("Sign by"), 12),
            (_("Signed at"), 18),
            (_("Signer"), 12),
            (_("Signed by way of"), 16),
            (_("Late?"), 8),
            (_("Archived"), 8),
            (_("SHA-256 of the text"), 66),
            (_("SHA-256 of the signature"), 66),
        ],
    )
    yes, no = _("Yes"), _("No")
    methods = dict(ResponsibilityLetter.Method.choices)
    rows = letters.select_related("template", "village__zone_link__zone").order_by("template__party_kind", "party_name")
    count = 0
    for count, letter in enumerate(rows, start=1):
        zone = letter.village.zone if letter.village_id else None
        sheet.append(
            [
                count,
                text_cell(sheet, letter.party_name),
                party_kind_label(letter),
                text_cell(sheet, zone.name if zone else ""),
                timezone.localdate(letter.issued_at),
                letter.deadline,
                _local(letter.signed_at),
                text_cell(sheet, letter.signer_name),
                str(methods.get(letter.method, "")),
                yes if letter.is_late(today) else no,
                yes if letter.archived_at else no,
                letter.text_sha256,
                letter.signature_sha256,
            ]
        )
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = "yyyy-mm-dd hh:mm" if cell.column == 7 else "yyyy-mm-dd"
    sheet.auto_filter.ref = f"A1:M{count + 1}"
    summary = workbook.create_sheet(_("Summary")[:31])
    signed = sum(1 for letter in letters if letter.signed_at)
    summary.append([_("Responsibility letters %(year)d") % {"year": year}])
    summary["A1"].font = Font(bold=True)
    summary.append([_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    summary.append([_("Exported by"), text_cell(summary, exported_by)])
    summary.append([_("Letters"), count])
    summary.append([_("Signed"), signed])
    summary.column_dimensions["A"].width = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_scorecard(scores: list[PartyScore], *, year: int, exported_by: str) -> bytes:
    """Sheet 1: the ranking (rank, party, kind, total, grade, veto); sheet 2: every item of every party."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Scorecard")[:31]
    _header(
        sheet,
        [
            (_("Rank"), 6),
            (_("Party"), 28),
            (_("Kind"), 14),
            (_("Total"), 8),
            (_("Grade"), 10),
            (_("Veto"), 8),
            (_("Items still to score"), 10),
        ],
    )
    yes, no = _("Yes"), _("No")
    for party in scores:
        letter = party.letter
        sheet.append(
            [
                party.rank,
                text_cell(sheet, letter.party_name),
                party_kind_label(letter),
                float(party.total),
                party.grade_label,
                yes if party.vetoed else no,
                party.unscored,
            ]
        )
    details = workbook.create_sheet(_("Items")[:31])
    _header(
        details,
        [
            (_("Party"), 28),
            (_("Target"), 50),
            (_("Points"), 8),
            (_("Value"), 10),
            (_("Score"), 8),
            (_("How scored"), 16),
            (_("Note"), 40),
        ],
    )
    for party in scores:
        for score in party.items:
            item = score.item
            if item.is_veto:
                how = _("Veto applies") if score.vetoed else _("Veto does not apply")
                earned = None
            else:
                how = (
                    _("Adjusted by hand")
                    if score.adjusted
                    else _("Computed")
                    if score.is_computed
                    else _("Scored by hand")
                    if score.points is not None
                    else _("Not scored yet")
                )
                earned = float(score.points) if score.points is not None else None
            value = score.value
            details.append(
                [
                    text_cell(details, party.letter.party_name),
                    text_cell(details, item.text),
                    float(item.points),
                    round(float(value), 4) if isinstance(value, (int, float, Decimal)) else None,
                    earned,
                    how,
                    text_cell(details, score.note),
                ]
            )
    summary = workbook.create_sheet(_("Summary")[:31])
    summary.append([_("Year-end scorecard %(year)d") % {"year": year}])
    summary["A1"].font = Font(bold=True)
    summary.append([_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    summary.append([_("Exported by"), text_cell(summary, exported_by)])
    summary.column_dimensions["A"].width = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

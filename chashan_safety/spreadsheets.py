"""Text in the Excel ledgers stays text: no formula anyone typed into the portal runs in a ledger.

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is what a
spreadsheet takes for a formula, e.g. ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` (CSV/formula
injection). Such text is written as a string cell marked with Excel's quote prefix — what Excel itself
stores when a person types ``'=1+1`` — so it shows exactly as typed, is never evaluated, and stays text
when someone edits the cell. Control characters that the .xlsx format cannot hold are removed.
"""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def text_cell(sheet, value):
    """``value`` as a ledger cell of ``sheet`` should hold it: other values as they are, ``""`` as empty.

    Works for write-only and ordinary worksheets alike (``sheet.append`` takes the returned cell).
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value:
        return None
    if value.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def text_row(sheet, values) -> list:
    """Every value of a row through ``text_cell``."""
    return [text_cell(sheet, value) for value in values]

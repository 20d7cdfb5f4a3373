"""Importing historical incidents from an Excel workbook, with a row-by-row report.

The workbook is read as the site import reads it (``inspections.imports``): the first sheet, a
header row naming the columns in Chinese or English, in any order. Each row is checked with the
incident form: a valid row creates an incident; a row that repeats an incident already registered
(same time, village and summary) is left as it is, so importing a file twice changes nothing; a
row with a mistake is reported with its reasons and leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chashan_safety.models import User
from incidents.forms import IncidentForm
from incidents.models import Incident
from inspections.imports import (
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    Column,
    ImportReport,
    ImportRow,
    _choice_words,
    _normalise,
    _open_sheet,
    _refuse,
    _rows,
    _words,
)
from inspections.models import Site
from responsibility.models import Unit, Village

logger = logging.getLogger(__name__)

COLUMNS: tuple[Column, ...] = (
    Column("occurred_at", gettext_lazy("Occurred at"), gettext_lazy("Time|Date|Time of the accident"), must_fill=True),
    Column(
        "village", gettext_lazy("Village"), gettext_lazy("Village name|Community|Village (community)"), must_fill=True
    ),
    Column("location", gettext_lazy("Place of the accident"), gettext_lazy("Place|Location|Address"), required=False),
    Column("site", gettext_lazy("Site"), gettext_lazy("Unit / site|Enterprise|Site name"), required=False),
    Column("unit", gettext_lazy("Unit involved"), required=False),
    Column("category", gettext_lazy("Type"), gettext_lazy("Accident type|Category"), must_fill=True),
    Column("industry", gettext_lazy("Industry"), required=False),
    Column("deaths", gettext_lazy("Deaths"), gettext_lazy("Dead|Number of deaths")),
    Column("serious_injuries", gettext_lazy("Serious injuries"), gettext_lazy("Seriously injured")),
    Column("minor_injuries", gettext_lazy("Minor injuries"), gettext_lazy("Slightly injured")),
    Column("direct_loss", gettext_lazy("Direct economic loss (yuan)"), gettext_lazy("Direct loss|Economic loss|Loss")),
    Column("cause", gettext_lazy("Cause"), required=False),
    Column("summary", gettext_lazy("Summary"), gettext_lazy("Account|Description"), must_fill=True),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
CATEGORY_WORDS = {
    Incident.Category.PRODUCTION: gettext_lazy("production|production safety accident|work accident"),
    Incident.Category.FIRE: gettext_lazy("fire accident|blaze"),
    Incident.Category.ROAD_TRAFFIC: gettext_lazy("traffic|road traffic accident|traffic accident"),
    Incident.Category.OTHER: gettext_lazy("other accident"),
}
DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d")
CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：时](\d{1,2})分?)?$")
WAN = "万"


class Outcome(models.TextChoices):
    CREATED = "created", gettext_lazy("Created")
    UNCHANGED = "unchanged", gettext_lazy("Already registered")
    REJECTED = "rejected", gettext_lazy("Rejected")


@dataclass
class RowResult(ImportRow):
    outcomes: ClassVar[type[models.TextChoices]] = Outcome
    incident_id: int | None = None


def header_names() -> dict[str, str]:
    return {word: column.key for column in COLUMNS for word in _words(column.label, column.aliases)}


def _find_header(rows):
    names = header_names()
    required = [column.key for column in COLUMNS if column.required]
    best: dict[str, int] = {}
    for number, values in rows:
        positions: dict[str, int] = {}
        for index, value in enumerate(values):
            key = names.get(_normalise(value))
            if key is not None and key not in positions:
                positions[key] = index
        complete = all(key in positions for key in required)
        if complete or len(positions) > len(best):
            best = positions
        if complete or number >= HEADER_SEARCH_ROWS:
            break
    missing = [str(COLUMN_BY_KEY[key].label) for key in required if key not in best]
    if missing:
        raise _refuse(
            _(
                "The first sheet lacks these columns: %(missing)s. Its header row must name the columns of "
                "the template; nothing was imported."
            )
            % {"missing": _(", ").join(missing)}
        )
    return best, rows


def read_rows(file) -> list[tuple[int, dict[str, str]]]:
    positions, rows = _find_header(_rows(_open_sheet(file)))
    filled = []
    for number, values in rows:
        if not any(values):
            continue
        if len(filled) >= MAX_ROWS:
            raise _refuse(
                _("The sheet has more than %(max)s rows; split it into several workbooks.") % {"max": f"{MAX_ROWS:,}"}
            )
        filled.append((number, {key: values[index] if index < len(values) else "" for key, index in positions.items()}))
    return filled


# --- values ---------------------------------------------------------------------------------------------


def parse_when(text: str) -> dt.datetime | None:
    """A local date and time from what people type or Excel stores; a date alone means its midnight."""
    text = text.strip()
    match = CHINESE_DATE.match(text.replace(" ", ""))
    try:
        if match:
            year, month, day, hour, minute = match.groups()
            value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
        else:
            value = None
            for pattern in DATE_FORMATS:
                try:
                    value = dt.datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
            if value is None:
                return None
    except ValueError:
        return None
    return timezone.make_aware(value)


def parse_amount(text: str) -> Decimal | None:
    """Yuan from "15000", "15,000", "1.5万" or "1.5万元"; None when it is not a number."""
    text = text.replace(",", "").replace("，", "").replace(" ", "").removesuffix("元")
    factor = Decimal(1)
    if text.endswith(WAN):
        text, factor = text[: -len(WAN)], Decimal(10000)
    try:
        value = Decimal(text) * factor
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class _Town:
    """What every row is checked against, read once per import."""

    def __init__(self, rows):
        self.villages = {_normalise(v.name): v for v in Village.objects.all()}
        self.units = {_normalise(u.name): u for u in Unit.objects.all()}
        self.categories = _choice_words(Incident.Category.choices, CATEGORY_WORDS)
        named = {self.village(values) for _number, values in rows} - {None}
        self.sites = {(site.village_id, _normalise(site.name)): site for site in Site.objects.filter(village__in=named)}
        self.existing = set(
            Incident.objects.filter(village__in=named).values_list("occurred_at", "village_id", "summary")
        )

    def village(self, values) -> Village | None:
        return self.villages.get(_normalise(values.get("village", "")))


def _label(key: str) -> str:
    return str(COLUMN_BY_KEY[key].label) if key in COLUMN_BY_KEY else str(Incident._meta.get_field(key).verbose_name)


def _reason(key: str, message) -> str:
    if key == "__all__":
        return str(message)
    return _("%(column)s: %(message)s") % {"column": _label(key), "message": message}


def _form_data(values: dict[str, str], town: _Town) -> tuple[dict, dict[str, str]]:
    reasons: dict[str, str] = {}
    data: dict = {key: values.get(key, "") for key in ("location", "industry", "cause", "summary")}

    village = town.village(values)
    data["village"] = village.pk if village else ""
    if values.get("village") and village is None:
        reasons["village"] = _("There is no village or community called “%(name)s”.") % {"name": values["village"]}

    text = values.get("occurred_at", "")
    when = parse_when(text) if text else None
    data["occurred_at"] = timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""
    if text and when is None:
        reasons["occurred_at"] = _("“%(value)s” is not a date and time: write e.g. 2019-03-05 14:20.") % {"value": text}

    data["site"] = ""
    name = values.get("site", "")
    if name and village is not None:
        site = town.sites.get((village.pk, _normalise(name)))
        if site is None:
            reasons["site"] = _("%(village)s has no site called “%(name)s”.") % {"village": village.name, "name": name}
        else:
            data["site"] = site.pk

    data["unit"] = ""
    name = values.get("unit", "")
    if name:
        unit = town.units.get(_normalise(name))
        if unit is None:
            reasons["unit"] = _("There is no unit called “%(name)s”.") % {"name": name}
        else:
            data["unit"] = unit.pk

    category = values.get("category", "")
    data["category"] = town.categories.get(_normalise(category), "") if category else ""
    if category and not data["category"]:
        reasons["category"] = _(
            "“%(value)s” is not a type of incident: write production safety, fire, road traffic or other."
        ) % {"value": category}

    for key in ("deaths", "serious_injuries", "minor_injuries"):
        text = values.get(key, "").removesuffix(".0")
        data[key] = text or "0"
    text = values.get("direct_loss", "")
    amount = parse_amount(text) if text else Decimal(0)
    data["direct_loss"] = "" if amount is None else str(amount)
    if amount is None:
        reasons["direct_loss"] = _("“%(value)s” is not an amount in yuan.") % {"value": text}
    return data, reasons


def _import_row(number: int, values: dict[str, str], *, town: _Town, by: User) -> RowResult:
    data, early = _form_data(values, town)
    # a date cell reads as 2024-03-03T08:00:00; the row is named by the time as the register writes it
    when = data["occurred_at"] or values.get("occurred_at", "")
    name = " ".join(" ".join(filter(None, [when, values.get("village", "")])).split())
    form = IncidentForm(data)
    form.fields["site"].queryset = Site.objects.filter(pk=data["site"] or None)
    valid = form.is_valid()
    if early or not valid:
        reasons = [_reason(key, message) for key, message in early.items()]
        for key, errors in form.errors.items():
            if key not in early:
                reasons.extend(_reason(key, message) for message in errors)
        return RowResult(number, name, Outcome.REJECTED, reasons)
    incident = form.instance
    key = (incident.occurred_at, incident.village_id, incident.summary)
    if key in town.existing:
        return RowResult(number, name, Outcome.UNCHANGED)
    incident.recorded_by = by
    incident._history_user = by
    try:
        with transaction.atomic():  # a savepoint: a row that fails to save leaves nothing behind
            form.save()
    except (IntegrityError, ValidationError) as error:
        logger.warning("incident import: row %s could not be saved: %s", number, error)
        return RowResult(
            number, name, Outcome.REJECTED, [_("The row could not be saved; check it and import it again.")]
        )
    town.existing.add(key)
    return RowResult(number, name, Outcome.CREATED, incident_id=incident.pk)


def import_incidents(*, file, by: User) -> ImportReport:
    """Register an incident for each valid row of the workbook ``file``; report every row.

    Raises ``ValidationError`` (nothing imported) when the file is not a readable .xlsx, is too large,
    or lacks a column; ``PermissionDenied`` when ``by`` is not a town administrator.
    """
    if not by.is_town_admin:
        raise PermissionDenied
    rows = read_rows(file)
    if not rows:
        raise _refuse(_("The first sheet has a header row but no rows of incidents; nothing was imported."))
    report = ImportReport()
    with transaction.atomic():
        town = _Town(rows)
        for number, values in rows:
            report.rows.append(_import_row(number, values, town=town, by=by))
    return report


def template_workbook() -> bytes:
    """An .xlsx with the header row, one example row, a type dropdown and a sheet of the villages."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Incident register")[:31]
    sheet.append([str(column.label) for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE7E5")
    village = Village.objects.order_by("order", "name").first()
    example = {
        "occurred_at": "2019-03-05 14:20",
        "village": village.name if village else "",
        "location": _("Workshop on the second floor"),
        "site": "",
        "unit": "",
        "category": str(Incident.Category.PRODUCTION.label),
        "industry": _("Metal products"),
        "deaths": 0,
        "serious_injuries": 1,
        "minor_injuries": 0,
        "direct_loss": 35000,
        "cause": _("The guard of the punch press had been removed."),
        "summary": _("An example: a worker's hand was caught in a punch press. Replace this row with your incidents."),
    }
    sheet.append([example[column.key] for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        width = {"summary": 50, "cause": 30, "occurred_at": 18, "location": 20}.get(column.key, 12)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    letter = sheet.cell(row=1, column=[c.key for c in COLUMNS].index("category") + 1).column_letter
    labels = ",".join(str(label) for _value, label in Incident.Category.choices)
    choice = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True, showErrorMessage=False)
    choice.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(choice)
    villages = workbook.create_sheet(_("Villages"))
    villages.append([_("Village")])
    for name in Village.objects.order_by("order", "name").values_list("name", flat=True):
        villages.append([name])
    guide = workbook.create_sheet(_("Instructions"))
    for line in (
        _("One incident per row. Required: occurred at, village, type and summary."),
        _("Deaths and injuries are whole numbers of people, 0 or more; the loss is in yuan (1.5万 is read as 15000)."),
        _("A row that repeats an incident already registered (same time, village and summary) is skipped."),
        _("At most 5,000 rows and 5 MB per file."),
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

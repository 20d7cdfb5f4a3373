"""Importing sites from an Excel workbook that officials fill in, with a row-by-row report.

The first sheet's header row names the columns (in Chinese or in English, in any order; other
columns, such as a row number, are ignored). Each row is validated with the site form: a valid
row creates a site, or updates the site of the same name in the same village, so that importing
the same file twice changes nothing; a row that is not valid is reported with its reasons and
leaves no trace. A file that cannot be read, lacks a column, or is too large is refused whole.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.forms.models import model_to_dict
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chashan_safety.models import User
from inspections.forms.sites import SiteForm, manageable_villages, may_manage_sites
from inspections.models import Grid, Site
from responsibility.models import Village

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# a 5 MB zip may unpack to gigabytes: a real sheet of 5,000 rows is a few MB of XML
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
# a title row or two may stand above the header row
HEADER_SEARCH_ROWS = 5
MAX_COLUMNS = 40
LANGUAGES = ("zh-hans", "en")


@dataclass(frozen=True)
class Column:
    key: str  # the SiteForm field it fills
    label: Promise  # the header written in the template
    aliases: Promise | None = None  # other headers people use, separated by "|"
    required: bool = True  # the header row must have the column
    must_fill: bool = False  # each row must have a value in it


COLUMNS: tuple[Column, ...] = (
    Column("name", gettext_lazy("Site name"), gettext_lazy("Name|Enterprise name|Place name"), must_fill=True),
    Column("village", gettext_lazy("Village"), gettext_lazy("Village name|Community"), must_fill=True),
    Column("grid", gettext_lazy("Grid code"), gettext_lazy("Grid|Grid number"), required=False),
    Column("kind", gettext_lazy("Kind"), gettext_lazy("Site kind|Type"), must_fill=True),
    Column("address", gettext_lazy("Address"), gettext_lazy("Site address")),
    Column("industry", gettext_lazy("Industry"), gettext_lazy("Industry sector")),
    Column("risk_level", gettext_lazy("Risk level"), gettext_lazy("Risk grade|Risk"), must_fill=True),
    Column("contact_name", gettext_lazy("Contact person"), gettext_lazy("Contact|Responsible person")),
    Column("contact_phone", gettext_lazy("Contact phone"), gettext_lazy("Phone|Telephone|Mobile")),
    Column("notes", gettext_lazy("Notes"), required=False),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

# words accepted in the kind and risk level columns besides the choices' own labels, separated by "|"
KIND_WORDS = {
    Site.Kind.ENTERPRISE: gettext_lazy("enterprise|company|factory"),
    Site.Kind.PLACE: gettext_lazy("place|premises|venue"),
}
RISK_WORDS = {
    Site.RiskLevel.LOW: gettext_lazy("low|low risk|blue"),
    Site.RiskLevel.GENERAL: gettext_lazy("general|general risk|yellow"),
    Site.RiskLevel.HIGH: gettext_lazy("considerable|considerable risk|high|orange"),
    Site.RiskLevel.MAJOR: gettext_lazy("major|major risk|red"),
}


class Outcome(models.TextChoices):
    CREATED = "created", gettext_lazy("Created")
    UPDATED = "updated", gettext_lazy("Updated")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")
    REJECTED = "rejected", gettext_lazy("Rejected")


@dataclass
class ImportRow:
    """One row of an imported sheet and what became of it (the site import's and the incident import's)."""

    row: int  # as Excel numbers it
    name: str
    outcome: str
    reasons: list[str] = field(default_factory=list)
    #: the outcomes, with the words the report shows for them
    outcomes: ClassVar[type[models.TextChoices]] = Outcome

    @property
    def outcome_label(self) -> str:
        return self.outcomes(self.outcome).label

    @property
    def is_rejected(self) -> bool:
        return self.outcome == Outcome.REJECTED


@dataclass
class RowResult(ImportRow):
    site_id: int | None = None


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def _count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def created(self) -> int:
        return self._count(Outcome.CREATED)

    @property
    def updated(self) -> int:
        return self._count(Outcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(Outcome.UNCHANGED)

    @property
    def rejected(self) -> int:
        return self._count(Outcome.REJECTED)

    @property
    def rejected_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.is_rejected]

    @property
    def accepted_rows(self) -> list[RowResult]:
        return [row for row in self.rows if not row.is_rejected]


# --- words and headers ------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """For comparing headers and words: no spaces, no bracketed hints, no required-marks, case folded."""
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", str(text))
    return re.sub(r"[\s*＊:：]", "", text).casefold()


def _in_every_language(text: Promise) -> list[str]:
    values = []
    for language in LANGUAGES:
        with translation.override(language):
            values.append(str(text))
    return values


def _words(*texts: Promise | None) -> set[str]:
    """The normalised spellings of ``texts`` in Chinese and English, each split at "|"."""
    words = set()
    for text in texts:
        if text is None:
            continue
        for spelled in _in_every_language(text):
            words.update(_normalise(word) for word in spelled.split("|") if _normalise(word))
    return words


def header_names() -> dict[str, str]:
    """Every accepted header (normalised) → the column it names."""
    return {word: column.key for column in COLUMNS for word in _words(column.label, column.aliases)}


def _choice_words(choices, extra: dict) -> dict[str, object]:
    words: dict[str, object] = {}
    for value, label in choices:
        words[_normalise(str(value))] = value
        for word in _words(label, extra.get(value)):
            words[word] = value
    return words


class Vocabulary:
    """The words of the kind and risk level columns, in Chinese and English; built once per import."""

    def __init__(self):
        self.kinds = _choice_words(Site.Kind.choices, KIND_WORDS)
        self.risks = _choice_words(Site.RiskLevel.choices, RISK_WORDS)

    def kind(self, text: str) -> str | None:
        return self.kinds.get(_normalise(text))

    def risk_level(self, text: str) -> int | None:
        normalised = _normalise(text)
        if normalised in self.risks:
            return self.risks[normalised]
        # "3级", "3.0", "level 3": one digit from 1 to 4 and nothing else that is a digit
        digits = re.findall(r"\d+", normalised.removesuffix(".0"))
        if len(digits) == 1 and digits[0] in {"1", "2", "3", "4"} and len(normalised) <= len(digits[0]) + 5:
            return int(digits[0])
        return None


# --- reading the workbook ----------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        # Excel keeps every number as a float: a phone number typed as a number reads 13812345678.0
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return " ".join(str(value).split())


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="refused")


def _open_sheet(file):
    """The first worksheet of an .xlsx upload, or a refusal that says what is wrong with the file."""
    import openpyxl  # imported here: only imports need it

    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise _refuse(_("Choose an Excel workbook saved as .xlsx; “%(name)s” is not one.") % {"name": name})
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(_("The file is larger than 5 MB; split it into several workbooks."))
    file.seek(0)
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is larger than 5 MB; split it into several workbooks."))
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise _refuse(
            _("This is an old .xls workbook or a password-protected one: save it as .xlsx without a password.")
        )
    unreadable = _refuse(_("The file could not be read as an Excel workbook (.xlsx); it may be damaged."))
    if not data.startswith(b"PK"):
        raise unreadable
    buffer = io.BytesIO(data)
    try:
        with zipfile.ZipFile(buffer) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise unreadable
        buffer.seek(0)
        workbook = openpyxl.load_workbook(buffer, read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as error:  # a damaged workbook fails in many places of the zip and XML readers
        logger.info("site import: unreadable workbook %r: %s", name, error)
        raise unreadable from error
    if not workbook.worksheets:
        raise unreadable
    sheet = workbook.worksheets[0]
    # some programs write a wrong sheet size; read what is there
    sheet.reset_dimensions()
    return sheet


def _rows(sheet) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    except Exception as error:
        logger.info("site import: unreadable sheet: %s", error)
        raise _refuse(_("The file could not be read as an Excel workbook (.xlsx); it may be damaged.")) from error


def _find_header(rows: Iterator[tuple[int, list[str]]]) -> tuple[dict[str, int], Iterator]:
    """Where each column is, from the header row among the first rows; and the rows after it."""
    names = header_names()
    required = [column.key for column in COLUMNS if column.required]
    best: dict[str, int] = {}
    best_duplicates: list[str] = []
    for number, values in rows:
        positions: dict[str, int] = {}
        duplicates = []
        for index, value in enumerate(values):
            key = names.get(_normalise(value))
            if key is None:
                continue
            if key in positions:
                duplicates.append(key)
            else:
                positions[key] = index
        complete = all(key in positions for key in required)
        if complete or len(positions) > len(best):
            best, best_duplicates = positions, duplicates
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
    if best_duplicates:
        raise _refuse(
            _("These columns appear twice in the header row: %(columns)s; nothing was imported.")
            % {"columns": _(", ").join(str(COLUMN_BY_KEY[key].label) for key in dict.fromkeys(best_duplicates))}
        )
    return best, rows


def read_rows(file) -> list[tuple[int, dict[str, str]]]:
    """The filled rows of the first sheet as (row number, {column: text}); refuses the whole file when it must."""
    positions, rows = _find_header(_rows(_open_sheet(file)))
    filled = []
    for number, values in rows:
        if not any(values):
            continue
        if len(filled) >= MAX_ROWS:
            raise _refuse(
                _("The sheet has more than %(max)s rows; split it into several workbooks.") % {"max": f"{MAX_ROWS:,}"}
            )
        filled.append((number, {key: values[index] for key, index in positions.items()}))
    return filled


# --- saving ------------------------------------------------------------------------------------------


class _Town:
    """What every row is checked against, read once per import."""

    def __init__(self, by: User, rows: list[tuple[int, dict[str, str]]]):
        self.words = Vocabulary()
        self.villages = {_normalise(village.name): village for village in Village.objects.all()}
        self.allowed = set(manageable_villages(by).values_list("pk", flat=True))
        grids = list(Grid.objects.filter(village__in=self.allowed))
        self.grids = {(grid.village_id, grid.code.casefold()): grid for grid in grids}
        self.allowed_villages = {
            village.pk: village for village in self.villages.values() if village.pk in self.allowed
        }
        self.grids_by_pk = {grid.pk: grid for grid in grids}
        named = {self.village(values) for _number, values in rows}
        wanted = {village.pk for village in named if village is not None and village.pk in self.allowed}
        self.sites = {(site.village_id, site.name): site for site in Site.objects.filter(village__in=wanted)}

    def village(self, values: dict[str, str]) -> Village | None:
        return self.villages.get(_normalise(values.get("village", "")))


class _KnownChoiceField(forms.ModelChoiceField):
    """A choice among records read once for the whole import, instead of one query per row."""

    def __init__(self, field: forms.ModelChoiceField, known: dict[int, models.Model]):
        super().__init__(queryset=field.queryset.none(), required=field.required, label=field.label)
        self.known = known

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.known[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class _RowForm(SiteForm):
    """The site form for one row: the village and grid are looked up in what the import read once."""

    check_duplicates = False  # a row names an existing site to update it; the database refuses a race

    def __init__(self, *args, town: _Town, **kwargs):
        self.town = town
        super().__init__(*args, **kwargs)

    def limit_choices(self) -> None:
        self.fields["village"] = _KnownChoiceField(self.fields["village"], self.town.allowed_villages)
        self.fields["grid"] = _KnownChoiceField(self.fields["grid"], self.town.grids_by_pk)


def _form_data(values: dict[str, str], town: _Town, existing: Site | None) -> tuple[dict, dict[str, str]]:
    """The site form's data for one row, and the reasons found before the form (by field)."""
    reasons: dict[str, str] = {}
    if existing is not None:
        data = model_to_dict(existing, fields=SiteForm.Meta.fields)
        data = {key: ("" if value is None else value) for key, value in data.items()}
    else:
        data = {"is_active": True, "notes": ""}
    for key in ("name", "address", "industry", "contact_name", "contact_phone", "notes"):
        if key in values:
            data[key] = values[key]

    village = town.village(values)
    data["village"] = village.pk if village is not None else ""
    if values.get("village") and village is None:
        reasons["village"] = _("There is no village or community called “%(name)s”.") % {"name": values["village"]}
    elif village is not None and village.pk not in town.allowed:
        reasons["village"] = _("You may not import sites in %(village)s: it is outside your zones.") % {
            "village": village.name
        }

    code = values.get("grid", "")
    data["grid"] = ""
    if code and village is not None and "village" not in reasons:
        grid = town.grids.get((village.pk, code.casefold()))
        if grid is None:
            reasons["grid"] = _("%(village)s has no grid with the code “%(code)s”.") % {
                "village": village.name,
                "code": code,
            }
        else:
            data["grid"] = grid.pk
    elif "grid" not in values and existing is not None:
        data["grid"] = existing.grid_id or ""  # no grid column: the grid stays as it is

    kind = values.get("kind", "")
    data["kind"] = (town.words.kind(kind) or "") if kind else ""
    if kind and not data["kind"]:
        reasons["kind"] = _("“%(value)s” is not a kind of site: write enterprise or place.") % {"value": kind}

    risk = values.get("risk_level", "")
    data["risk_level"] = (town.words.risk_level(risk) or "") if risk else ""
    if risk and not data["risk_level"]:
        reasons["risk_level"] = _(
            "“%(value)s” is not a risk level: write 1 to 4, or low, general, considerable or major."
        ) % {"value": risk}
    return data, reasons


def _label(key: str) -> str:
    column = COLUMN_BY_KEY.get(key)
    if column is not None:
        return str(column.label)
    return str(Site._meta.get_field(key).verbose_name)


def _reason(key: str, message) -> str:
    if key == "__all__":
        return str(message)
    return _("%(column)s: %(message)s") % {"column": _label(key), "message": message}


def _reasons(early: dict[str, str], form: SiteForm) -> list[str]:
    reasons = [_reason(key, message) for key, message in early.items()]
    for key, errors in form.errors.items():
        if key in early:
            continue  # the form only repeats it as "required" or "not a valid choice"
        for message in errors:
            reasons.append(_reason(key, message))
    return reasons


def _import_row(number: int, values: dict[str, str], *, town: _Town, by: User) -> RowResult:
    name = " ".join(values.get("name", "").split())
    village = town.village(values)
    existing = town.sites.get((village.pk, name)) if village is not None else None
    data, early = _form_data(values, town, existing)
    form = _RowForm(data, instance=existing, user=by, town=town)
    valid = form.is_valid()
    if early or not valid:
        return RowResult(number, name, Outcome.REJECTED, _reasons(early, form))
    if existing is not None and not form.has_changed():
        return RowResult(number, name, Outcome.UNCHANGED, site_id=existing.pk)
    form.instance._history_user = by  # the audit trail names the importer, in a request or not
    try:
        with transaction.atomic():  # a savepoint: a row that fails to save leaves nothing behind
            site = form.save()
    except (IntegrityError, ValidationError) as error:
        logger.warning("site import: row %s could not be saved: %s", number, error)
        return RowResult(
            number, name, Outcome.REJECTED, [_("The row could not be saved; check it and import it again.")]
        )
    town.sites[(site.village_id, site.name)] = site
    return RowResult(number, name, Outcome.UPDATED if existing else Outcome.CREATED, site_id=site.pk)


def import_sites(*, file, by: User) -> ImportReport:
    """Create or update a site for each valid row of the workbook ``file``; report every row.

    Raises ``ValidationError`` (nothing imported) when the file is not a readable .xlsx, is larger
    than 5 MB or 5,000 rows, or its header row lacks a column; ``PermissionDenied`` when ``by``
    may not manage sites.
    """
    if not may_manage_sites(by):
        raise PermissionDenied
    rows = read_rows(file)
    if not rows:
        raise _refuse(_("The first sheet has a header row but no rows of sites; nothing was imported."))
    report = ImportReport()
    with transaction.atomic():
        town = _Town(by, rows)
        for number, values in rows:
            report.rows.append(_import_row(number, values, town=town, by=by))
    return report


# --- the template --------------------------------------------------------------------------------------


def template_workbook(*, by: User) -> bytes:
    """An .xlsx with the header row, one example row, dropdowns, and a sheet of the villages and grids."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    villages = list(manageable_villages(by).order_by("order", "name"))
    grids = list(Grid.objects.filter(village__in=villages).select_related("village").order_by("village__order", "code"))
    example_village = villages[0] if villages else None
    example_grid = next((grid for grid in grids if example_village and grid.village_id == example_village.pk), None)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Sites")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FDE7E5")
    sheet.append([str(column.label) for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
    example = {
        "name": _("Example Hardware Factory"),
        "village": example_village.name if example_village else "",
        "grid": example_grid.code if example_grid else "",
        "kind": str(Site.Kind.ENTERPRISE.label),
        "address": _("No. 1 Example Road"),
        "industry": _("Metal products"),
        "risk_level": int(Site.RiskLevel.GENERAL),
        "contact_name": _("Zhang San"),
        "contact_phone": "13800138000",
        "notes": _("An example: replace this row with your sites."),
    }
    sheet.append([example[column.key] for column in COLUMNS])
    widths = {"name": 28, "village": 14, "address": 32, "notes": 36, "contact_phone": 16}
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = widths.get(column.key, 14)
    sheet.freeze_panes = "A2"
    letters = {column.key: sheet.cell(row=1, column=index).column_letter for index, column in enumerate(COLUMNS, 1)}

    kinds = ",".join(str(label) for _value, label in Site.Kind.choices)
    kind_list = DataValidation(type="list", formula1=f'"{kinds}"', allow_blank=True, showErrorMessage=False)
    kind_list.add(f"{letters['kind']}2:{letters['kind']}{MAX_ROWS + 1}")
    risk_list = DataValidation(type="list", formula1='"1,2,3,4"', allow_blank=True, showErrorMessage=False)
    risk_list.add(f"{letters['risk_level']}2:{letters['risk_level']}{MAX_ROWS + 1}")
    sheet.add_data_validation(kind_list)
    sheet.add_data_validation(risk_list)

    guide = workbook.create_sheet(_("Instructions"))
    guide.append([_("Column"), _("Required"), _("What to write")])
    for cell in guide[1]:
        cell.font = bold
    risk_help = _(", ").join(f"{value} = {label}" for value, label in Site.RiskLevel.choices)
    explanations = {
        "name": _("The name of the enterprise or place. A site of the same name in the same village is updated."),
        "village": _("The village or community, spelled as in the portal (see the sheet of villages)."),
        "grid": _("The code of a grid of that village; may be left empty."),
        "kind": _("Enterprise or place."),
        "address": _("Where the site is."),
        "industry": _("For example: metal products, catering, hazardous chemicals."),
        "risk_level": risk_help,
        "contact_name": _("The person to call about the site's safety."),
        "contact_phone": _("A mobile number or a landline with its area code, e.g. 0769-12345678."),
        "notes": _("Anything else worth knowing."),
    }
    for column in COLUMNS:
        guide.append([str(column.label), _("yes") if column.must_fill else _("no"), explanations[column.key]])
    guide.append([])
    guide.append([_("Other columns, such as a row number, are ignored. At most 5,000 rows and 5 MB per file.")])
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 8
    guide.column_dimensions["C"].width = 90

    places = workbook.create_sheet(_("Villages and grids"))
    places.append([_("Village"), "", _("Village"), _("Grid code"), _("Grid name")])
    for cell in places[1]:
        cell.font = bold
    # column A: each village once, for the village dropdown; columns C to E: every grid
    for row, village in enumerate(villages, start=2):
        places.cell(row=row, column=1, value=village.name)
    for row, grid in enumerate(grids, start=2):
        places.cell(row=row, column=3, value=grid.village.name)
        places.cell(row=row, column=4, value=grid.code)
        places.cell(row=row, column=5, value=grid.name)
    for letter, width in (("A", 16), ("B", 4), ("C", 16), ("D", 12), ("E", 24)):
        places.column_dimensions[letter].width = width
    if villages:
        title = places.title.replace("'", "''")
        village_list = DataValidation(
            type="list",
            formula1=f"'{title}'!$A$2:$A${len(villages) + 1}",
            allow_blank=True,
            showErrorMessage=False,
        )
        village_list.add(f"{letters['village']}2:{letters['village']}{MAX_ROWS + 1}")
        sheet.add_data_validation(village_list)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

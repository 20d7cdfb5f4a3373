"""The hazard ledger (隐患台账): the filtered list of findings and its Excel export.

Both read ``Finding.objects.visible_to(user)`` through the same filter set, so the export holds
exactly the rows the list would page through. The list never counts the whole table: it pages
by keyset and counts at most 10,001 rows.
"""

from __future__ import annotations

import html
import tempfile
from functools import lru_cache
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from inspections.exports import XLSX_CONTENT_TYPE, write_finding_ledger
from inspections.filters.findings import FindingFilter
from inspections.models import Finding, FindingStatus, Site
from inspections.pagination import InvalidCursor, bounded_count, keyset_paginate
from responsibility.models import Unit, Village

#: an export up to this size stays in memory; a larger one goes to a temporary file on disk
_SPOOL_BYTES = 8 * 1024 * 1024


def _filterset(request) -> FindingFilter:
    return FindingFilter(request.GET, queryset=Finding.objects.visible_to(request.user), request=request)


def _active_filters(filterset: FindingFilter) -> list[tuple[str, str]]:
    """The filters in force, as (label, value) for people to read."""
    active = []
    form = filterset.form
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        field = form.fields[name]
        label = _("Site") if name == "site" else str(field.label)
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            value = {str(key): label for key, label in field.choices}.get(str(value), value)
        active.append((label, str(value)))
    return active


#: filters whose choices are fixed in code: their options are escaped once per language
_FIXED_CHOICES = frozenset({"category", "grade", "status", "overdue", "mine"})
_escaped_options: dict[tuple[str, str], list[tuple[str, str]]] = {}


def _options(bound) -> list[tuple[str, str]]:
    """The (value, label) pairs of a select, escaped."""
    key = (bound.name, get_language())
    if bound.name in _FIXED_CHOICES and key in _escaped_options:
        return _escaped_options[key]
    pairs = [(html.escape(str(value)), html.escape(str(label))) for value, label in bound.field.choices]
    if bound.name in _FIXED_CHOICES:
        _escaped_options[key] = pairs
    return pairs


def _controls(form) -> None:
    """Write each filter's control once in Python.

    The ledger is the page people open most; rendered through widget templates, the filter bar's
    forty-odd options cost more than the page's database work. Each field gets ``control_html``;
    every value and label in it is escaped with ``html.escape``.
    """
    for bound in form.hidden_fields():
        value = html.escape(str(bound.data)) if bound.data not in (None, "") else ""
        bound.field.control_html = mark_safe(  # noqa: S308 (the value is escaped)  # nosec B308 B703
            f'<input type="hidden" name="{html.escape(bound.html_name)}" value="{value}" '
            f'id="{html.escape(bound.auto_id)}">'
        )
    for bound in form.visible_fields():
        field = bound.field
        invalid = " is-invalid" if bound.errors else ""
        current = str(bound.data) if bound.data is not None else ""
        name, id_ = html.escape(bound.html_name), html.escape(bound.id_for_label)
        if isinstance(field.widget, forms.Select):
            chosen = html.escape(current)
            options = "".join(
                f'<option value="{value}"{" selected" if value == chosen else ""}>{label}</option>'
                for value, label in _options(bound)
            )
            control = f'<select name="{name}" id="{id_}" class="form-select form-select-sm{invalid}">{options}</select>'
        else:
            kind = "search" if bound.name == "q" else bound.widget_type
            placeholder = field.widget.attrs.get("placeholder", "")
            placeholder = f' placeholder="{html.escape(str(placeholder))}"' if placeholder else ""
            control = (
                f'<input type="{html.escape(kind)}" name="{name}" id="{id_}" value="{html.escape(current)}" '
                f'class="form-control form-control-sm{invalid}"{placeholder}>'
            )
        field.control_html = mark_safe(control)  # noqa: S308 (every value in it is escaped above)  # nosec B308 B703


#: what a ledger row shows (forms.md §1, the columns that fit a screen); the names come from ``_names``
LEDGER_COLUMNS = (
    "pk",
    "number",
    "found_on",
    "category",
    "grade",
    "description",
    "deadline",
    "status",
    "site_id",
    "village_id",
    "responsible_unit_id",
    "responsible_village_id",
)


def _names(rows) -> dict[tuple[str, int], str]:
    """The names of the sites, villages and units on a page, in one small query.

    Joined to the million-row table instead, the page query took PostgreSQL 0.8–1.5 ms against 0.3 ms
    without the joins (measured on the million-finding benchmark); primary-key lookups of the page's
    25-odd ids cost a fraction of the difference. Written as SQL: the ORM
    takes longer to build a union of three lookups than the database takes to answer it.
    """
    wanted: dict[str, set[int]] = {"s": set(), "v": set(), "u": set()}
    for row in rows:
        wanted["s"].add(row["site_id"])
        wanted["v"].update(pk for pk in (row["village_id"], row["responsible_village_id"]) if pk)
        if row["responsible_unit_id"]:
            wanted["u"].add(row["responsible_unit_id"])
    selects, params = [], []
    for kind, model in (("s", Site), ("v", Village), ("u", Unit)):
        # an empty page asks too (for nothing), so that every page makes the same queries
        ids = sorted(wanted[kind]) or [None]
        table = connection.ops.quote_name(model._meta.db_table)
        placeholders = ", ".join(["%s"] * len(ids))
        # the table from the model, the kind a constant above, the ids as parameters
        selects.append(f"SELECT '{kind}', id, name FROM {table} WHERE id IN ({placeholders})")  # noqa: S608  # nosec B608
        params.extend(ids)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        return {(kind, pk): name for kind, pk, name in cursor.fetchall()}


STATUS_BADGES = {
    FindingStatus.OPEN: "text-bg-warning",
    FindingStatus.FIX_SUBMITTED: "text-bg-info",
    FindingStatus.VERIFIED: "text-bg-primary",
    FindingStatus.CLOSED: "text-bg-success",
}
_ROW = (
    "<tr{row_attrs}>"
    '<td data-label="{l_number}"><a href="{url}" class="fw-semibold text-nowrap">{number}</a>{major_phone}</td>'
    '<td data-label="{l_site}" class="text-nowrap" title="{site_full}">{site}</td>'
    '<td data-label="{l_village}" class="d-none d-sm-table-cell text-nowrap">{village}</td>'
    '<td data-label="{l_found}" class="d-none d-sm-table-cell text-nowrap">{found_on}</td>'
    '<td data-label="{l_category}" class="d-none d-sm-table-cell">{category}</td>'
    '<td data-label="{l_grade}" class="d-none d-sm-table-cell">{grade}</td>'
    '<td data-label="{l_description}">{description}</td>'
    '<td data-label="{l_responsible}">{responsible}</td>'
    '<td data-label="{l_deadline}" class="text-nowrap{deadline_class}">{deadline}{overdue_badge}</td>'
    '<td data-label="{l_status}" class="text-nowrap"><span class="badge {status_class}">{status}</span></td>'
    "</tr>"
)


class _KeepPlaceholders(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _short(text: str, length: int = 24) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


@lru_cache(maxsize=8)
def _labels(language: str) -> tuple[dict[str, str], ...]:
    """The category, grade and status labels in ``language``, escaped: the same on every page."""
    return tuple(
        {value: html.escape(str(label)) for value, label in choices}
        for choices in (Finding.Category.choices, Finding.Grade.choices, FindingStatus.choices)
    )


def _rows_html(findings, *, today) -> str:
    """The ledger's rows (dicts of ``LEDGER_COLUMNS``), written in Python as the admin writes its result rows.

    25 rows of 10 cells through the template engine cost more than the page's queries; this is the
    same markup (a table that stacks into cards on a phone, ``data-label`` naming each cell). Every
    value from the database is escaped with ``html.escape``; what is not escaped is markup written here.
    """
    labels = {
        "l_number": _("Number"),
        "l_site": _("Site"),
        "l_village": _("Village"),
        "l_found": _("Found on"),
        "l_category": _("Category"),
        "l_grade": _("Grade"),
        "l_description": _("Description"),
        "l_responsible": _("Responsible party"),
        "l_deadline": _("Deadline"),
        "l_status": _("Status"),
    }
    # the labels are the same on every row: escaped and put in once, the rows fill in the rest
    row = _ROW.format_map(_KeepPlaceholders({key: html.escape(label) for key, label in labels.items()}))
    overdue_badge = f' <span class="badge text-bg-danger">{html.escape(_("Overdue"))}</span>'
    names = _names(findings)
    categories, grades, statuses = _labels(get_language())
    # one reverse() for the page, not one per row: the detail URL is the list's prefix plus "<pk>/"
    detail = html.escape(reverse("inspections:finding-detail", args=[0]).removesuffix("0/"))
    major_badge = '<span class="badge text-bg-danger{}">{}</span>'
    rows = []
    for finding in findings:
        overdue = finding["status"] != FindingStatus.CLOSED and finding["deadline"] < today
        major = finding["grade"] == Finding.Grade.MAJOR
        grade = grades.get(finding["grade"]) or html.escape(finding["grade"])
        site = names.get(("s", finding["site_id"]), "")
        responsible = (
            names.get(("u", finding["responsible_unit_id"]))
            or names.get(("v", finding["responsible_village_id"]))
            or "—"
        )
        rows.append(
            row.format(
                row_attrs=' class="table-danger" data-overdue' if overdue else "",
                url=f"{detail}{int(finding['pk'])}/",
                number=html.escape(finding["number"]),
                major_phone=" " + major_badge.format(" d-sm-none", grade) if major else "",
                site=html.escape(_short(site, 14)),
                site_full=html.escape(site),
                village=html.escape(names.get(("v", finding["village_id"]), "")),
                found_on=finding["found_on"].isoformat(),
                category=categories.get(finding["category"]) or html.escape(finding["category"]),
                grade=major_badge.format("", grade) if major else grade,
                description=html.escape(_short(finding["description"])),
                responsible=html.escape(responsible),
                deadline_class=" text-danger fw-semibold" if overdue else "",
                deadline=finding["deadline"].isoformat(),
                overdue_badge=overdue_badge if overdue else "",
                status_class=STATUS_BADGES.get(finding["status"], "text-bg-secondary"),
                status=statuses.get(finding["status"]) or html.escape(finding["status"]),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value in a row is escaped above)  # nosec B308 B703


@login_required
def finding_list(request):
    filterset = _filterset(request)
    valid = filterset.is_valid()
    # an invalid filter shows its message and no rows, rather than rows it did not ask for
    findings = filterset.qs if valid else filterset.queryset.none()
    # plain values, not model instances: a page needs a dozen columns, not five objects per row
    rows = findings.values(*LEDGER_COLUMNS)
    try:
        page = keyset_paginate(
            rows, date_field="found_on", after=request.GET.get("after"), before=request.GET.get("before")
        )
    except InvalidCursor:
        messages.warning(request, _("That page link is not valid (any more); here is the first page."))
        page = keyset_paginate(rows, date_field="found_on")
    _controls(filterset.form)
    site = filterset.form.cleaned_data.get("site") if valid else None
    context = {
        "filter": filterset,
        "page": page,
        "rows_html": _rows_html(page, today=timezone.localdate()),
        "count": bounded_count(findings) if valid else None,
        "site": site,
        # whether any filter is in force (opens the filter bar), without comparing every field's data
        "filtered": any(request.GET.get(name) for name in filterset.form.fields),
    }
    return render(request, "inspections/finding_list.html", context)


@login_required
def finding_export(request):
    filterset = _filterset(request)
    if not filterset.is_valid():
        messages.error(request, _("The filter is not valid, so nothing was exported. Correct it and export again."))
        return redirect(f"{reverse('inspections:finding-list')}?{request.GET.urlencode()}")
    today = timezone.localdate()
    file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    try:
        write_finding_ledger(
            filterset.qs,
            file,
            exported_by=request.user.display_name,
            filters=_active_filters(filterset),
            today=today,
        )
        file.seek(0)
    except BaseException:
        file.close()
        raise
    filename = f"{_('Hazard ledger')}-{today.isoformat()}.xlsx"
    response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
    # RFC 6266/5987: an ASCII name for old clients, the translated name for the others
    response["Content-Disposition"] = (
        f"attachment; filename=\"findings-{today.isoformat()}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response

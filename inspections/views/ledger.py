"""The hazard ledger (隐患台账): the filtered list of findings and its Excel export.

Both read ``Finding.objects.visible_to(user)`` through the same filter set, so the export holds
exactly the rows the list would page through. The list never counts the whole table: it pages
by keyset and counts at most 10,001 rows.
"""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from inspections.exports import XLSX_CONTENT_TYPE, write_finding_ledger
from inspections.filters.findings import FindingFilter
from inspections.models import Finding, FindingStatus
from inspections.pagination import InvalidCursor, bounded_count, keyset_paginate

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


def _controls(form) -> None:
    """Write each filter's control once in Python.

    The ledger is the page people open most; rendered through widget templates, the filter bar's
    forty-odd options cost more than the page's database work. Each field gets ``control_html``.
    """
    for bound in form.visible_fields():
        field = bound.field
        invalid = " is-invalid" if bound.errors else ""
        current = bound.data if bound.data is not None else ""
        if isinstance(field.widget, forms.Select):
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((value, " selected" if str(value) == str(current) else "", label) for value, label in field.choices),
            )
            field.control_html = format_html(
                '<select name="{}" id="{}" class="form-select form-select-sm{}">{}</select>',
                bound.html_name,
                bound.id_for_label,
                invalid,
                options,
            )
        else:
            kind = "search" if bound.name == "q" else bound.widget_type
            placeholder = field.widget.attrs.get("placeholder", "")
            field.control_html = format_html(
                '<input type="{}" name="{}" id="{}" value="{}" class="form-control form-control-sm{}"{}>',
                kind,
                bound.html_name,
                bound.id_for_label,
                current,
                invalid,
                format_html(' placeholder="{}"', placeholder) if placeholder else "",
            )


#: what a ledger row shows (forms.md §1, the columns that fit a screen)
LEDGER_COLUMNS = (
    "pk",
    "number",
    "found_on",
    "category",
    "grade",
    "description",
    "deadline",
    "status",
    "site__name",
    "village__name",
    "responsible_unit__name",
    "responsible_village__name",
)
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


def _rows_html(findings, *, today) -> str:
    """The ledger's rows (dicts of ``LEDGER_COLUMNS``), written in Python as the admin writes its result rows.

    25 rows of 10 cells through the template engine cost more than the page's queries; this is the
    same markup (a table that stacks into cards on a phone, ``data-label`` naming each cell).
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
    row = _ROW.format_map(_KeepPlaceholders({key: escape(label) for key, label in labels.items()}))
    overdue_badge = format_html(' <span class="badge text-bg-danger">{}</span>', _("Overdue"))
    categories = {value: str(label) for value, label in Finding.Category.choices}
    grades = {value: str(label) for value, label in Finding.Grade.choices}
    statuses = {value: str(label) for value, label in FindingStatus.choices}
    # one reverse() for the page, not one per row: the detail URL is the list's prefix plus "<pk>/"
    detail = reverse("inspections:finding-detail", args=[0]).removesuffix("0/")
    major_badge = '<span class="badge text-bg-danger{}">{}</span>'
    rows = []
    for finding in findings:
        overdue = finding["status"] != FindingStatus.CLOSED and finding["deadline"] < today
        major = finding["grade"] == Finding.Grade.MAJOR
        grade = grades.get(finding["grade"], finding["grade"])
        rows.append(
            format_html(
                row,
                row_attrs=mark_safe(' class="table-danger" data-overdue') if overdue else "",
                url=f"{detail}{finding['pk']}/",
                number=finding["number"],
                major_phone=format_html(" " + major_badge, " d-sm-none", grade) if major else "",
                site=_short(finding["site__name"], 14),
                site_full=finding["site__name"],
                village=finding["village__name"],
                found_on=finding["found_on"].isoformat(),
                category=categories.get(finding["category"], finding["category"]),
                grade=format_html(major_badge, "", grade) if major else grade,
                description=_short(finding["description"]),
                responsible=finding["responsible_unit__name"] or finding["responsible_village__name"] or "—",
                deadline_class=" text-danger fw-semibold" if overdue else "",
                deadline=finding["deadline"].isoformat(),
                overdue_badge=overdue_badge if overdue else "",
                status_class=STATUS_BADGES.get(finding["status"], "text-bg-secondary"),
                status=statuses.get(finding["status"], finding["status"]),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (each row is built by format_html)


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

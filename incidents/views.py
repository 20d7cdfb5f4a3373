"""The incident register: list with filters and totals, detail, create and edit, Excel export and import.

Everyone who may read incidents reads them through ``Incident.objects.visible_to(user)``; only town
administrators write. The list's totals are the figures the dashboard shows, so a drill-down from
the dashboard lands on rows that add up to the figure clicked.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from chashan_safety.generic import HISTORY_LIMIT
from chashan_safety.permissions import roles_required, town_admin_required
from incidents.exports import XLSX_CONTENT_TYPE, export_workbook
from incidents.filters import IncidentFilter
from incidents.forms import IncidentForm, IncidentImportForm
from incidents.imports import import_incidents, template_workbook
from incidents.models import Incident

PAGE_SIZE = 25
#: who reads the register: every role whose scope holds villages
READ_ROLES = ("town_admin", "leadership", "safety_officer", "village_office")


def _filtered(request) -> tuple[IncidentFilter, object]:
    incidents = Incident.objects.visible_to(request.user)
    incident_filter = IncidentFilter(request.GET or None, queryset=incidents, request=request)
    if incident_filter.is_bound and incident_filter.is_valid():
        return incident_filter, incident_filter.qs
    return incident_filter, incidents


@roles_required(*READ_ROLES)
def incident_list(request):
    incident_filter, incidents = _filtered(request)
    rows = incidents.select_related("village", "site").order_by("-occurred_at", "-pk")
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/incident_list.html",
        {
            "filter": incident_filter,
            "page_obj": page_obj,
            "totals": incidents.totals(),
            "query": query.urlencode(),
            "may_edit": request.user.is_town_admin,
            "nav_active": "incidents",
        },
    )


@roles_required(*READ_ROLES)
def incident_export(request):
    _filter, incidents = _filtered(request)
    response = HttpResponse(export_workbook(incidents), content_type=XLSX_CONTENT_TYPE)
    name = _("incident-ledger-%(date)s") % {"date": timezone.localdate().isoformat()}
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.xlsx")
    return response


@roles_required(*READ_ROLES)
def incident_detail(request, pk: int):
    incident = get_object_or_404(
        Incident.objects.visible_to(request.user).select_related("village", "site", "unit", "recorded_by"), pk=pk
    )
    history = None
    if request.user.is_town_admin:
        history = incident.history.select_related("history_user").order_by("-history_date")[:HISTORY_LIMIT]
    return render(
        request,
        "incidents/incident_detail.html",
        {"incident": incident, "history": history, "may_edit": request.user.is_town_admin, "nav_active": "incidents"},
    )


@town_admin_required
def incident_edit(request, pk: int | None = None):
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk) if pk else None
    form = IncidentForm(request.POST or None, instance=incident)
    if request.method == "POST" and form.is_valid():
        if incident is None:
            form.instance.recorded_by = request.user
        form.instance._history_user = request.user
        saved = form.save()
        messages.success(request, _("The incident was saved."))
        return redirect(saved)
    return render(
        request,
        "incidents/incident_form.html",
        {"form": form, "incident": incident, "nav_active": "incidents"},
        status=422 if form.errors else 200,
    )


@town_admin_required
def incident_import(request):
    form = IncidentImportForm(request.POST, request.FILES) if request.method == "POST" else IncidentImportForm()
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_incidents(file=form.cleaned_data["file"], by=request.user)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            summary = _("%(created)s created, %(unchanged)s already registered, %(rejected)s rejected.") % {
                "created": report.created,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
            }
            (messages.warning if report.rejected else messages.success)(request, summary)
    return render(
        request, "incidents/incident_import.html", {"form": form, "report": report, "nav_active": "incidents"}
    )


@town_admin_required
def incident_import_template(request):
    response = HttpResponse(template_workbook(), content_type=XLSX_CONTENT_TYPE)
    name = _("incident-import-template")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.xlsx")
    return response

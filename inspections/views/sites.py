"""Sites (检查对象): the list, a site with its inspections and findings, the form, the Excel import,
and the search the phone's inspection form asks as the officer types."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chashan_safety.generic import HISTORY_LIMIT
from inspections.filters.sites import SiteFilter
from inspections.forms.sites import SiteForm, SiteImportForm, manageable_villages, may_manage_sites
from inspections.imports import import_sites, template_workbook
from inspections.models import Finding, FindingStatus, Inspection, Site

PAGE_SIZE = 25
RECENT = 20
SEARCH_RESULTS = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _last_inspected():
    # one index probe per site shown, on (site, -started_at); no GROUP BY over the whole list
    latest = Inspection.objects.filter(site=OuterRef("pk")).order_by("-started_at").values("started_at")[:1]
    return Subquery(latest)


def _save(form: SiteForm) -> Site | None:
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        # two people saved the same name in the same village at once: the database kept one
        village, name = form.cleaned_data["village"], form.cleaned_data["name"]
        form.add_error(
            "name", _("%(village)s already has a site called %(name)s.") % {"village": village, "name": name}
        )
        return None


def _require_manager(user) -> None:
    if not may_manage_sites(user):
        raise PermissionDenied


@login_required
def site_list(request):
    user = request.user
    sites = (
        Site.objects.visible_to(user)
        .select_related("village", "grid")
        .annotate(last_inspected_at=_last_inspected())
        .order_by("village__order", "village__name", "name", "pk")
    )
    site_filter = SiteFilter(request.GET or None, queryset=sites, request=request)
    page_obj = Paginator(site_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/site_list.html",
        {"filter": site_filter, "page_obj": page_obj, "may_manage": may_manage_sites(user)},
    )


@login_required
def site_detail(request, pk: int):
    user = request.user
    site = get_object_or_404(
        Site.objects.visible_to(user).select_related("village__zone_link__zone", "grid"),
        pk=pk,
    )
    inspections = Inspection.objects.visible_to(user).filter(site=site)
    recent_inspections = (
        inspections.select_related("led_by", "team")
        .annotate(finding_count=Count("findings"))
        .order_by("-started_at", "-pk")[:RECENT]
    )
    findings = Finding.objects.visible_to(user).filter(site=site)
    not_closed = ~Q(status=FindingStatus.CLOSED)
    totals = findings.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=not_closed),
        overdue=Count("pk", filter=not_closed & Q(deadline__lt=timezone.localdate())),
        major_open=Count("pk", filter=not_closed & Q(grade=Finding.Grade.MAJOR)),
    )
    context = {
        "site": site,
        "inspections": recent_inspections,
        "inspection_count": inspections.count(),
        "findings": findings.with_overdue_flag().order_by("-found_on", "-pk")[:RECENT],
        "finding_totals": totals,
        "may_manage": may_manage_sites(user),
        "may_inspect": may_manage_sites(user) and site.is_active,
        "recent": RECENT,
    }
    if user.is_town_admin:
        context["history"] = site.history.select_related("history_user").order_by("-history_date")[:HISTORY_LIMIT]
    return render(request, "inspections/site_detail.html", context)


@login_required
def site_create(request):
    _require_manager(request.user)
    initial = {}
    village = request.GET.get("village", "")
    if village.isdigit() and manageable_villages(request.user).filter(pk=village).exists():
        initial["village"] = village
    form = SiteForm(request.POST if request.method == "POST" else None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid() and (site := _save(form)) is not None:
        messages.success(request, _("%(object)s was saved.") % {"object": site})
        return redirect(site)
    return render(request, "inspections/site_form.html", {"form": form, "object": None})


@login_required
def site_edit(request, pk: int):
    _require_manager(request.user)
    # an officer edits only the sites of his zones: every other one answers 404
    editable = Site.objects.visible_to(request.user).filter(village__in=manageable_villages(request.user))
    site = get_object_or_404(editable, pk=pk)
    form = SiteForm(request.POST if request.method == "POST" else None, instance=site, user=request.user)
    if request.method == "POST" and form.is_valid() and (site := _save(form)) is not None:
        messages.success(request, _("%(object)s was saved.") % {"object": site})
        return redirect(site)
    return render(request, "inspections/site_form.html", {"form": form, "object": site})


@login_required
def site_import(request):
    _require_manager(request.user)
    form = SiteImportForm(request.POST, request.FILES) if request.method == "POST" else SiteImportForm()
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_sites(file=form.cleaned_data["file"], by=request.user)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            summary = _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(rejected)s rejected.") % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
            }
            (messages.warning if report.rejected else messages.success)(request, summary)
    return render(request, "inspections/site_import.html", {"form": form, "report": report})


@login_required
def site_import_template(request):
    _require_manager(request.user)
    response = HttpResponse(template_workbook(by=request.user), content_type=XLSX)
    name = _("site-import-template")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.xlsx")
    return response


@require_GET
@login_required
def site_search(request):
    """Sites for the inspection form's picker: by name or address, or, with nothing typed, the ones
    of the user's scope that have waited longest for an inspection."""
    text = request.GET.get("q", "").strip()[:100]
    sites = Site.objects.visible_to(request.user).filter(is_active=True).select_related("village")
    if text:
        sites = sites.filter(Q(name__icontains=text) | Q(address__icontains=text)).order_by("name", "pk")
    else:
        sites = sites.annotate(last_inspected_at=_last_inspected()).order_by(
            F("last_inspected_at").asc(nulls_first=True), "name", "pk"
        )
    results = [
        {
            "id": site.pk,
            "name": site.name,
            "village": site.village.name,
            "address": site.address,
            "risk_level": site.risk_level,
            "risk_label": str(site.get_risk_level_display()),
        }
        for site in sites[:SEARCH_RESULTS]
    ]
    return JsonResponse({"results": results})

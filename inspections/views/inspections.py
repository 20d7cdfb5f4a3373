"""Inspections: logged on a phone (often at night) with their findings, read back, listed.

The new-inspection page posts one form and a formset of findings. ``static/js/inspection-form.js``
sends it with ``fetch`` and the header ``X-Requested-With: fetch``: such a request gets JSON
``{"redirect": url}`` when the inspection is saved (or was saved before, by the same form), and
the page again with status 422 when something must be corrected. A plain post (no JavaScript)
gets the usual redirect or page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chashan_safety.permissions import roles_required
from inspections.forms.inspections import DEFAULT_DEADLINE_DAYS, FindingFormSet, InspectionFilter, InspectionForm
from inspections.models import Finding, Inspection, Photo, Site
from inspections.services import inspection_record

FETCH_HEADER = "fetch"
PAGE_SIZE = 25


def _is_fetch(request) -> bool:
    return request.headers.get("X-Requested-With") == FETCH_HEADER


def _done(request, inspection: Inspection):
    if _is_fetch(request):
        return JsonResponse({"redirect": inspection.get_absolute_url()})
    return redirect(inspection)


def _already_saved(request, form_data) -> Inspection | None:
    """The inspection this very form made before: a double tap or a resend after the network dropped."""
    token = InspectionForm.base_fields["client_token"]
    try:
        value = token.clean(form_data.get("client_token"))
    except ValidationError:
        return None
    return Inspection.objects.filter(client_token=value, led_by=request.user).first()


@roles_required("town_admin", "safety_officer")
def inspection_create(request):
    """Record an inspection and its findings on one page, all or nothing."""
    user = request.user
    if request.method == "POST":
        existing = _already_saved(request, request.POST)
        if existing is not None:
            messages.info(request, _("This inspection was already saved."))
            return _done(request, existing)
        form = InspectionForm(request.POST, request.FILES, user=user)
        formset = FindingFormSet(request.POST, request.FILES, prefix="findings", user=user)
        form_valid = form.is_valid()
        findings_valid = formset.is_valid()
        if form_valid:
            # every block is checked, so that all the errors show at once
            findings_valid = formset.check_deadlines(form.found_on) and findings_valid
        if form_valid and findings_valid:
            data = form.cleaned_data
            try:
                inspection, created = inspection_record(
                    by=user,
                    site=data["site"],
                    kind=data["kind"],
                    started_at=data["started_at"],
                    ended_at=data["ended_at"],
                    team=data["team"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    location_accuracy=data["location_accuracy"],
                    participants=data["participants"],
                    notes=data["notes"],
                    photos=data["photos"],
                    findings=formset.drafts(),
                    client_token=data["client_token"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created:
                    count = len(formset.filled_forms())
                    message = ngettext(
                        "The inspection was saved with %(count)d finding.",
                        "The inspection was saved with %(count)d findings.",
                        count,
                    )
                    messages.success(request, message % {"count": count})
                else:
                    messages.info(request, _("This inspection was already saved."))
                return _done(request, inspection)
        status = 422 if _is_fetch(request) else 200
    else:
        initial = {}
        site_id = request.GET.get("site", "")
        if site_id:
            site = (
                Site.objects.visible_to(user).select_related("village").filter(pk=site_id).first()
                if (site_id.isdigit())
                else None
            )
            if site is None:
                messages.warning(request, _("That site was not found among the sites you may inspect."))
            else:
                initial["site"] = site
        form = InspectionForm(initial=initial, user=user)
        formset = FindingFormSet(prefix="findings", user=user)
        status = 200

    site_query = request.GET.get("site_q", "").strip()
    site_matches = (
        Site.objects.visible_to(user).select_related("village").search(site_query)[:10] if site_query else None
    )
    context = {
        "form": form,
        "formset": formset,
        "site": form.site_for_display(),
        "site_query": site_query,
        "site_matches": site_matches,
        "deadline_days": DEFAULT_DEADLINE_DAYS,
        "nav_active": "new-inspection",
    }
    return render(request, "inspections/inspection_form.html", context, status=status)


@login_required
def inspection_detail(request, pk: int):
    user = request.user
    findings = (
        Finding.objects.visible_to(user)
        .select_related("responsible_village", "responsible_unit")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("uploaded_at", "pk")))
        .order_by("number")
    )
    inspection = get_object_or_404(
        Inspection.objects.visible_to(user)
        .select_related("site__village", "team__zone", "led_by")
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.filter(finding__isnull=True).order_by("uploaded_at", "pk")),
            Prefetch("findings", queryset=findings),
        ),
        pk=pk,
    )
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": inspection.findings.all(),
            "photos": inspection.photos.all(),
            "may_log": user.is_town_admin or user.is_safety_officer,
            "nav_active": "inspections",
        },
    )


@login_required
def inspection_list(request):
    user = request.user
    queryset = (
        Inspection.objects.visible_to(user)
        .select_related("site__village", "team", "led_by")
        .annotate(
            finding_count=Count("findings", distinct=True),
            major_count=Count("findings", filter=Q(findings__grade=Finding.Grade.MAJOR), distinct=True),
        )
        .order_by("-started_at", "-pk")
    )
    inspection_filter = InspectionFilter(request.GET or None, queryset=queryset, request=request)
    rows = inspection_filter.qs if inspection_filter.is_bound and inspection_filter.is_valid() else queryset
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    night = Inspection.Kind.NIGHT
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "filter": inspection_filter,
            "page_obj": page_obj,
            "night_only": request.GET.get("kind") == night,
            "night": night,
            "may_log": user.is_town_admin or user.is_safety_officer,
            "today": timezone.localdate(),
            "nav_active": "inspections",
        },
    )

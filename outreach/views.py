"""Outreach pages: the coverage matrix, the calendar, carriers and activities, their photos, the ledger."""

from __future__ import annotations

import calendar
import datetime as dt
import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from chashan_safety.files import protected_file_response
from chashan_safety.generic import HISTORY_LIMIT
from chashan_safety.permissions import town_admin_required
from outreach import services
from outreach.coverage import coverage_for
from outreach.exports import XLSX_CONTENT_TYPE, write_outreach_ledger
from outreach.filters import ActivityFilter, CarrierFilter
from outreach.forms import FIRST_YEAR, ActivityForm, CarrierForm, CarrierTypeForm, VisitorCountForm
from outreach.models import Activity, Carrier, CarrierType, Photo, VisitorCount

PAGE_SIZE = 25
RECENT = 20
VISITOR_MONTHS = 24
_SPOOL_BYTES = 8 * 1024 * 1024


def _year(request) -> int:
    """The year asked for with ``?year=``, or this year; an unreadable year is this year."""
    this_year = timezone.localdate().year
    value = request.GET.get("year", "")
    if value.isdigit() and FIRST_YEAR <= int(value) <= this_year + 1:
        return int(value)
    return this_year


def _require_recorder(user) -> None:
    if not services.may_record(user):
        raise PermissionDenied


def _history(user, obj):
    if user.is_town_admin:
        return obj.history.select_related("history_user").order_by("-history_date")[:HISTORY_LIMIT]
    return None


# --- coverage and calendar -------------------------------------------------------------------------------


@login_required
def coverage(request):
    year = _year(request)
    matrix = coverage_for(request.user, year)
    return render(
        request,
        "outreach/coverage.html",
        {
            "coverage": matrix,
            "year": year,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < timezone.localdate().year else None,
            "may_record": services.may_record(request.user),
            "nav_active": "outreach-coverage",
        },
    )


def _month(request) -> dt.date:
    today = timezone.localdate()
    value = request.GET.get("month", "")
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)
    if not FIRST_YEAR <= month.year <= today.year + 2:
        return today.replace(day=1)
    return month


@login_required
def calendar_view(request):
    """A month of activities, week by week; days to come show what is planned."""
    month = _month(request)
    today = timezone.localdate()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    first, last = weeks[0][0], weeks[-1][-1]
    activities = (
        Activity.objects.visible_to(request.user)
        .filter(held_on__gte=first, held_on__lte=last)
        .select_related("village", "carrier")
        .order_by("held_on", "village__order", "pk")
    )
    by_day: dict[dt.date, list[Activity]] = {}
    for activity in activities:
        by_day.setdefault(activity.held_on, []).append(activity)
    grid = [[{"day": day, "activities": by_day.get(day, [])} for day in week] for week in weeks]
    upcoming = (
        Activity.objects.visible_to(request.user)
        .filter(held_on__gt=today)
        .select_related("village", "carrier")
        .order_by("held_on", "pk")[:10]
    )
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "outreach/calendar.html",
        {
            "month": month,
            "weeks": grid,
            "today": today,
            "upcoming": upcoming,
            "previous_month": previous,
            "next_month": following,
            "month_activity_count": sum(len(items) for day, items in by_day.items() if day.month == month.month),
            "may_record": services.may_record(request.user),
            "nav_active": "outreach-calendar",
        },
    )


# --- carriers ----------------------------------------------------------------------------------------------


@login_required
def carrier_list(request):
    user = request.user
    carriers = (
        Carrier.objects.visible_to(user)
        .select_related("village", "type")
        .annotate(photo_count=Count("photos"))
        .order_by("village__order", "village__name", "type__order", "name", "pk")
    )
    carrier_filter = CarrierFilter(request.GET or None, queryset=carriers, request=request)
    rows = carrier_filter.qs if carrier_filter.is_bound and carrier_filter.is_valid() else carriers
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/carrier_list.html",
        {
            "filter": carrier_filter,
            "page_obj": page_obj,
            "may_record": services.may_record(user),
            "may_manage_types": services.may_manage_types(user),
            "nav_active": "outreach-carriers",
        },
    )


@login_required
def carrier_detail(request, pk: int):
    user = request.user
    carrier = get_object_or_404(
        Carrier.objects.visible_to(user)
        .select_related("village", "type", "created_by")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("uploaded_at", "pk"))),
        pk=pk,
    )
    activities = Activity.objects.visible_to(user).filter(carrier=carrier)
    totals = activities.aggregate(count=Count("pk"), audience=Sum("audience_count"))
    recent = activities.order_by("-held_on", "-pk")[:RECENT]
    visits = VisitorCount.objects.visible_to(user).filter(carrier=carrier).order_by("-month")[:VISITOR_MONTHS]
    may_record = services.may_record(user)
    context = {
        "carrier": carrier,
        "photos": carrier.photos.all(),
        "activities": recent,
        "totals": totals,
        "visits": visits,
        "visitor_total": VisitorCount.objects.filter(carrier=carrier).aggregate(total=Sum("visitors"))["total"],
        "may_record": may_record,
        "visitor_form": VisitorCountForm(initial={"month": timezone.localdate().replace(day=1)})
        if may_record and carrier.type.is_venue
        else None,
        "history": _history(user, carrier),
        "recent": RECENT,
        "nav_active": "outreach-carriers",
    }
    return render(request, "outreach/carrier_detail.html", context)


def _carrier_form_page(request, carrier: Carrier | None):
    user = request.user
    _require_recorder(user)
    instance = carrier or Carrier()
    form = CarrierForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=instance,
        user=user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.carrier_save(carrier=form.instance, by=user, photos=form.cleaned_data["photos"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(object)s was saved.") % {"object": saved})
            return redirect(saved)
    venue_types = CarrierType.objects.filter(is_venue=True).values_list("pk", flat=True)
    return render(
        request,
        "outreach/carrier_form.html",
        {
            "form": form,
            "object": carrier,
            "venue_types": ",".join(str(pk) for pk in venue_types),
            "nav_active": "outreach-carriers",
        },
    )


@login_required
def carrier_create(request):
    return _carrier_form_page(request, None)


@login_required
def carrier_edit(request, pk: int):
    carrier = get_object_or_404(Carrier.objects.visible_to(request.user).select_related("type"), pk=pk)
    return _carrier_form_page(request, carrier)


@login_required
@require_POST
def carrier_visitors(request, pk: int):
    user = request.user
    carrier = get_object_or_404(Carrier.objects.visible_to(user).select_related("type"), pk=pk)
    _require_recorder(user)
    form = VisitorCountForm(request.POST)
    if form.is_valid():
        try:
            services.visitor_count_record(
                carrier=carrier, month=form.cleaned_data["month"], visitors=form.cleaned_data["visitors"], by=user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Visitors of %(month)s saved: %(visitors)d.")
                % {"month": form.cleaned_data["month"].strftime("%Y-%m"), "visitors": form.cleaned_data["visitors"]},
            )
    else:
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, _("The visitors were not saved: %(errors)s") % {"errors": " ".join(errors)})
    return redirect(f"{carrier.get_absolute_url()}#visitors")


# --- activities ----------------------------------------------------------------------------------------------


@login_required
def activity_list(request):
    user = request.user
    activities = (
        Activity.objects.visible_to(user)
        .select_related("village", "carrier")
        .annotate(photo_count=Count("photos"))
        .order_by("-held_on", "-pk")
    )
    activity_filter = ActivityFilter(request.GET or None, queryset=activities, request=request)
    rows = activity_filter.qs if activity_filter.is_bound and activity_filter.is_valid() else activities
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/activity_list.html",
        {
            "filter": activity_filter,
            "page_obj": page_obj,
            "today": timezone.localdate(),
            "may_record": services.may_record(user),
            "nav_active": "outreach-activities",
        },
    )


@login_required
def activity_detail(request, pk: int):
    user = request.user
    activity = get_object_or_404(
        Activity.objects.visible_to(user)
        .select_related("village", "carrier__type", "created_by")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("uploaded_at", "pk"))),
        pk=pk,
    )
    return render(
        request,
        "outreach/activity_detail.html",
        {
            "activity": activity,
            "photos": activity.photos.all(),
            "may_record": services.may_record(user),
            "history": _history(user, activity),
            "nav_active": "outreach-activities",
        },
    )


def _activity_form_page(request, activity: Activity | None):
    user = request.user
    _require_recorder(user)
    initial = {}
    if activity is None and request.method == "GET":
        carrier_id = request.GET.get("carrier", "")
        if carrier_id.isdigit():
            carrier = Carrier.objects.visible_to(user).filter(pk=carrier_id).exclude(status=Carrier.Status.RETIRED)
            carrier = carrier.filter(village__in=services.recordable_villages(user)).first()
            if carrier is not None:
                initial.update({"carrier": carrier, "village": carrier.village_id})
        if request.GET.get("kind") in Activity.Kind.values:
            initial["kind"] = request.GET["kind"]
    form = ActivityForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=activity,
        initial=initial,
        user=user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in ActivityForm.Meta.fields}
        try:
            if activity is None:
                saved = services.activity_record(by=user, photos=data["photos"], **fields)
            else:
                # the form wrote its values onto the instance; the service checks and saves them
                saved = services.activity_update(activity=form.instance, by=user, photos=data["photos"], **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(data["photos"])
            if count:
                message = ngettext(
                    "%(object)s was saved with %(count)d new photo.",
                    "%(object)s was saved with %(count)d new photos.",
                    count,
                ) % {"object": saved, "count": count}
            else:
                message = _("%(object)s was saved.") % {"object": saved}
            messages.success(request, message)
            return redirect(saved)
    return render(
        request,
        "outreach/activity_form.html",
        {"form": form, "object": activity, "nav_active": "outreach-record"},
    )


@login_required
def activity_create(request):
    return _activity_form_page(request, None)


@login_required
def activity_edit(request, pk: int):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    return _activity_form_page(request, activity)


# --- carrier types (town_admin) -----------------------------------------------------------------------------


@town_admin_required
def carrier_type_list(request):
    types = CarrierType.objects.annotate(carrier_count=Count("carriers")).order_by("order", "name")
    return render(request, "outreach/carrier_type_list.html", {"types": types, "nav_active": "outreach-types"})


@town_admin_required
def carrier_type_edit(request, pk: int | None = None):
    kind = get_object_or_404(CarrierType, pk=pk) if pk else None
    form = CarrierTypeForm(request.POST if request.method == "POST" else None, instance=kind)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("%(object)s was saved.") % {"object": saved})
        return redirect("outreach:carrier-type-list")
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "object": kind,
            "verbose_name": CarrierType._meta.verbose_name,
            "cancel_url": reverse("outreach:carrier-type-list"),
            "nav_active": "outreach-types",
        },
    )


# --- photos and the ledger -------------------------------------------------------------------------------------


@login_required
def photo(request, pk: int, size: str):
    """A photo, served only to those who may see its carrier or activity."""
    if size not in {"full", "thumb"}:
        raise Http404
    found = get_object_or_404(Photo.objects.visible_to(request.user), pk=pk)
    file = found.thumbnail if size == "thumb" else found.image
    owner = f"carrier-{found.carrier_id}" if found.carrier_id else f"activity-{found.activity_id}"
    name = f"outreach-{owner}-{found.pk}{'-thumb' if size == 'thumb' else ''}.jpg"
    return protected_file_response(file, content_type="image/jpeg", filename=name)


@login_required
def ledger_export(request):
    year = _year(request)
    file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    try:
        write_outreach_ledger(request.user, file, year=year, exported_by=request.user.display_name)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    filename = _("Outreach ledger %(year)d") % {"year": year} + ".xlsx"
    response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"outreach-{year}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response

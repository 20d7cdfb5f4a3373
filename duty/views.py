"""Pages of the duty app: the duty desk, the calendar and its printable table, shifts and swaps,
the duty log, response activations and the 1+4+N roster.

Every read starts from ``visible_to(user)``: what lies outside the user's scope answers 404. The
views check access, validate a form, call one service and redirect with a message.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from chashan_safety.permissions import town_admin_required
from duty import services
from duty.forms import (
    ActivateForm,
    CallOutForm,
    CloseForm,
    DecisionForm,
    HandoverForm,
    LogEntryForm,
    LogStepForm,
    NoteForm,
    PlanForm,
    ResponseContactFormSet,
    ResponseTemplateForm,
    ResponseUnitForm,
    ShiftForm,
    SwapForm,
    TemplateUnitFormSet,
)
from duty.models import (
    ActivationEvent,
    CallOut,
    DutyAssignment,
    DutyLogEntry,
    DutyLogStep,
    DutyShift,
    ResponseActivation,
    ResponseContact,
    ResponseTemplate,
    ResponseUnit,
    ShiftHandover,
    SwapRequest,
    TemplateUnit,
)
from incidents.models import Incident, day_start

PAGE_SIZE = 25
LOG_ROLES = ("town_admin", "leadership", "safety_officer", "village_office")


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _with_people(shifts):
    return shifts.prefetch_related(
        Prefetch("assignments", queryset=DutyAssignment.objects.select_related("person").order_by("pk"))
    )


def current_shift(user, at=None) -> DutyShift | None:
    return _with_people(DutyShift.objects.visible_to(user).covering(at or timezone.now())).order_by("starts_at").first()


def _require_log_reader(user) -> None:
    if not (user.is_superuser or user.role in LOG_ROLES):
        raise PermissionDenied


# --- the duty desk -----------------------------------------------------------------------------------


@login_required
def desk(request):
    """The duty desk: who is on duty now, the previous shift's handover, and this shift's calls."""
    user = request.user
    now = timezone.now()
    shift = current_shift(user)
    previous = (
        DutyShift.objects.visible_to(user)
        .filter(ends_at__lte=shift.starts_at if shift else now)
        .select_related("handover__by")
        .order_by("-ends_at")
        .first()
    )
    entries = []
    if shift is not None and (user.is_superuser or user.role in LOG_ROLES):
        entries = list(
            DutyLogEntry.objects.visible_to(user)
            .filter(shift=shift)
            .select_related("village", "event_type", "incident")
            .order_by("-received_at", "-pk")[:50]
        )
    upcoming = _with_people(DutyShift.objects.visible_to(user).filter(starts_at__gt=now)).order_by("starts_at")[:3]
    return render(
        request,
        "duty/desk.html",
        {
            "shift": shift,
            "previous": previous,
            "previous_handover": getattr(previous, "handover", None) if previous else None,
            "entries": entries,
            "upcoming": upcoming,
            "may_keep_log": services.may_keep_log(user, shift),
            "handover_form": HandoverForm() if shift and not hasattr(shift, "handover") else None,
        },
    )


# --- the calendar ------------------------------------------------------------------------------------


def _month_of(request) -> dt.date:
    value = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _month_shifts(user, first: dt.date):
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start, end = day_start(first), day_start(last + dt.timedelta(days=1))
    return _with_people(DutyShift.objects.visible_to(user).overlapping(start, end)).order_by("starts_at", "pk"), last


def _neighbour(first: dt.date, step: int) -> str:
    month = first.month - 1 + step
    return f"{first.year + month // 12:04d}-{month % 12 + 1:02d}"


@login_required
def month_calendar(request):
    """A month of shifts, by the day each starts on; holidays and approved swaps are marked."""
    user = request.user
    first = _month_of(request)
    shifts, last = _month_shifts(user, first)
    by_day: dict[dt.date, list[DutyShift]] = {}
    for shift in shifts:
        by_day.setdefault(timezone.localtime(shift.starts_at).date(), []).append(shift)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [{"day": day, "in_month": day.month == first.month, "shifts": by_day.get(day, [])} for day in week]
        )
    return render(
        request,
        "duty/calendar.html",
        {
            "first": first,
            "last": last,
            "weeks": weeks,
            "today": timezone.localdate(),
            "previous_month": _neighbour(first, -1),
            "next_month": _neighbour(first, 1),
            "month_value": f"{first:%Y-%m}",
        },
    )


@login_required
def calendar_print(request):
    """The printable duty table (值班表) of a month."""
    user = request.user
    first = _month_of(request)
    shifts, last = _month_shifts(user, first)
    return render(
        request,
        "duty/calendar_print.html",
        {"first": first, "last": last, "shifts": shifts, "month_value": f"{first:%Y-%m}", "printed_at": timezone.now()},
    )


# --- shifts and swaps --------------------------------------------------------------------------------


@login_required
def shift_detail(request, pk: int):
    user = request.user
    shift = get_object_or_404(_with_people(DutyShift.objects.visible_to(user)), pk=pk)
    handover = ShiftHandover.objects.filter(shift=shift).select_related("by").first()
    entries = []
    if user.is_superuser or user.role in LOG_ROLES:
        entries = list(
            DutyLogEntry.objects.visible_to(user)
            .filter(shift=shift)
            .select_related("village", "event_type", "incident")
            .order_by("-received_at", "-pk")
        )
    mine = any(a.person_id == user.pk for a in shift.assignments.all())
    swaps = SwapRequest.objects.filter(shift=shift).select_related("requester", "colleague", "decided_by")
    if not user.is_town_admin:
        swaps = swaps.filter(requester=user) | swaps.filter(colleague=user)
    return render(
        request,
        "duty/shift_detail.html",
        {
            "shift": shift,
            "handover": handover,
            "entries": entries,
            "may_swap": mine and shift.ends_at > timezone.now(),
            "may_hand_over": handover is None and not user.is_leadership and (mine or user.is_town_admin),
            "handover_form": HandoverForm(),
            "swaps": swaps,
        },
    )


@town_admin_required
def shift_edit(request, pk: int | None = None):
    shift = get_object_or_404(_with_people(DutyShift.objects.all()), pk=pk) if pk else None
    initial = ShiftForm.initial_for(shift) if shift else {}
    if shift is None and request.GET.get("day"):
        try:
            day = dt.date.fromisoformat(request.GET["day"])
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
            initial = {"starts_at": start, "ends_at": start + dt.timedelta(days=1)}
        except ValueError:
            pass
    form = ShiftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.shift_save(by=request.user, shift=shift, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The shift was saved."))
            return redirect(saved)
    return render(request, "duty/shift_form.html", {"form": form, "shift": shift})


@login_required
def swap_create(request, pk: int):
    user = request.user
    shift = get_object_or_404(_with_people(DutyShift.objects.visible_to(user)), pk=pk)
    if not any(a.person_id == user.pk for a in shift.assignments.all()):
        raise PermissionDenied
    form = SwapForm(request.POST or None, shift=shift)
    if request.method == "POST" and form.is_valid():
        try:
            services.swap_request(shift=shift, requester=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Your swap request was sent to the office for approval."))
            return redirect(shift)
    return render(request, "duty/swap_form.html", {"form": form, "shift": shift})


@login_required
def swap_list(request):
    """The office decides the pending swaps; everyone else sees the swaps that concern them."""
    user = request.user
    swaps = SwapRequest.objects.select_related("shift", "counter_shift", "requester", "colleague", "decided_by")
    if not user.is_town_admin:
        swaps = swaps.filter(requester=user) | swaps.filter(colleague=user)
    pending = swaps.filter(status=SwapRequest.Status.PENDING).order_by("shift__starts_at", "pk")
    decided = swaps.exclude(status=SwapRequest.Status.PENDING).order_by("-decided_at", "-pk")
    page_obj = Paginator(decided, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "duty/swap_list.html", {"pending": pending, "page_obj": page_obj, "decision_form": DecisionForm()}
    )


@require_POST
@town_admin_required
def swap_decide(request, pk: int):
    swap = get_object_or_404(SwapRequest, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to refuse."))
        return redirect("duty:swap-list")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.swap_decide(swap=swap, by=request.user, approve=approve, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The swap was approved and filed.") if approve else _("The swap was refused."))
    return redirect("duty:swap-list")


@require_POST
@login_required
def handover(request, pk: int):
    shift = get_object_or_404(DutyShift.objects.visible_to(request.user), pk=pk)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what the next shift must know."))
        return redirect(shift)
    try:
        services.shift_handover(shift=shift, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The shift was handed over."))
    return redirect(shift)


# --- the duty log ------------------------------------------------------------------------------------


@login_required
def log_list(request):
    user = request.user
    _require_log_reader(user)
    entries = (
        DutyLogEntry.objects.visible_to(user)
        .select_related("village", "event_type", "incident", "recorded_by")
        .order_by("-received_at", "-pk")
    )
    page_obj = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "duty/log_list.html", {"page_obj": page_obj, "may_keep_log": services.may_keep_log(user)})


@login_required
def log_create(request):
    user = request.user
    if not services.may_keep_log(user):
        raise PermissionDenied
    form = LogEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            entry = services.log_receive(by=user, **data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The call was logged. Now report it to the leader on duty."))
            return redirect(entry)
    return render(request, "duty/log_form.html", {"form": form})


def _entry_for(user, pk: int) -> DutyLogEntry:
    _require_log_reader(user)
    return get_object_or_404(
        DutyLogEntry.objects.visible_to(user).select_related(
            "village", "event_type", "incident", "recorded_by", "shift"
        ),
        pk=pk,
    )


@login_required
def log_detail(request, pk: int):
    return _log_page(request, _entry_for(request.user, pk))


def _log_page(request, entry: DutyLogEntry, *, step_form: LogStepForm | None = None):
    """The entry with its steps; ``step_form`` is a refused step, shown again with what was typed."""
    user = request.user
    steps = list(DutyLogStep.objects.filter(entry=entry).select_related("by").order_by("at", "pk"))
    activation = ResponseActivation.objects.filter(incident_id=entry.incident_id).first() if entry.incident_id else None
    may_keep = services.may_keep_log(user, entry.shift)
    return render(
        request,
        "duty/log_detail.html",
        {
            "entry": entry,
            "steps": steps,
            "activation": activation,
            "may_keep_log": may_keep,
            "step_form": (step_form or LogStepForm(initial=_next_step(entry, steps))) if may_keep else None,
            "activate_form": ActivateForm(initial={"template": entry.event_type_id})
            if may_keep and not activation
            else None,
            "initial_late": services.initial_report_late(entry, steps),
            "report_minutes": services.initial_report_minutes(),
        },
    )


def _next_step(entry: DutyLogEntry, steps: list[DutyLogStep]) -> dict:
    """What the duty officer most likely records next: the initial report to the leader on duty, a continued
    report once orders were passed on, or nothing guessed."""
    reports = [step for step in steps if step.step == DutyLogStep.Step.REPORT]
    if reports and steps[-1].step == DutyLogStep.Step.REPORT:
        return {"step": DutyLogStep.Step.PASS_ON}  # reported: the leader's orders go on to whom they concern
    initial = {
        "step": DutyLogStep.Step.REPORT,
        "report_kind": DutyLogStep.ReportKind.CONTINUED if reports else DutyLogStep.ReportKind.INITIAL,
    }
    if entry.shift_id:
        prefetch_related_objects([entry.shift], "assignments__person")
        leader = entry.shift.leader
        if leader:
            initial["counterpart"] = f"{leader.display_name}（{leader.title}）" if leader.title else leader.display_name
    return initial


@require_POST
@login_required
def log_step(request, pk: int):
    user = request.user
    entry = _entry_for(user, pk)
    form = LogStepForm(request.POST)
    if not form.is_valid():
        # shown again with the errors beside their fields: what the duty officer typed is kept
        return _log_page(request, entry, step_form=form)
    try:
        services.log_step(entry=entry, by=user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The step was recorded."))
    return redirect(entry)


@require_POST
@login_required
def log_activate(request, pk: int):
    """One action: the entry becomes an incident and its call-out list opens."""
    user = request.user
    entry = _entry_for(user, pk)
    form = ActivateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the type of incident."))
        return redirect(entry)
    try:
        activation = services.activation_from_entry(entry=entry, by=user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(entry)
    messages.success(request, _("The incident was registered and the call-out list is open."))
    return redirect(activation)


# --- activations -------------------------------------------------------------------------------------


@login_required
def activation_list(request):
    user = request.user
    _require_log_reader(user)
    rows = ResponseActivation.objects.visible_to(user).select_related("incident__village", "template", "opened_by")
    status = request.GET.get("status", "")
    if status in ResponseActivation.Status.values:
        rows = rows.filter(status=status)
    page_obj = Paginator(rows.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "duty/activation_list.html", {"page_obj": page_obj, "status": status})


def _activation_for(user, pk: int) -> ResponseActivation:
    _require_log_reader(user)
    return get_object_or_404(
        ResponseActivation.objects.visible_to(user).select_related(
            "incident__village", "template", "opened_by", "closed_by", "log_entry__shift"
        ),
        pk=pk,
    )


@login_required
def activation_detail(request, pk: int):
    user = request.user
    activation = _activation_for(user, pk)
    callouts = list(CallOut.objects.filter(activation=activation).order_by("order", "pk"))
    events = ActivationEvent.objects.filter(activation=activation).select_related("by").order_by("at", "pk")
    may_act = activation.is_open and services.may_keep_log(
        user, activation.log_entry.shift if activation.log_entry_id else None
    )
    return render(
        request,
        "duty/activation_detail.html",
        {
            "activation": activation,
            "callouts": callouts,
            "events": events,
            "may_act": may_act,
            "note_form": NoteForm(),
            "close_form": CloseForm(),
        },
    )


@login_required
def activation_create(request):
    """Open the joint response to an incident already in the register (``?incident=<pk>``)."""
    user = request.user
    _require_log_reader(user)
    incident_pk = request.GET.get("incident", "")
    incident = get_object_or_404(
        Incident.objects.visible_to(user).select_related("village"), pk=int(incident_pk) if incident_pk.isdigit() else 0
    )
    if not services.may_keep_log(user):
        raise PermissionDenied
    form = ActivateForm(request.POST or None)
    form.fields.pop("category")
    if request.method == "POST" and form.is_valid():
        try:
            activation = services.activation_open(incident=incident, template=form.cleaned_data["template"], by=user)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The call-out list is open."))
            return redirect(activation)
    return render(request, "duty/activation_form.html", {"form": form, "incident": incident})


@require_POST
@login_required
def callout_record(request, pk: int):
    user = request.user
    _require_log_reader(user)
    callout = get_object_or_404(
        CallOut.objects.filter(activation__in=ResponseActivation.objects.visible_to(user)).select_related(
            "activation__incident", "activation__log_entry__shift"
        ),
        pk=pk,
    )
    form = CallOutForm(request.POST)
    if form.is_valid():
        values = dict(form.cleaned_data)
        # "called now" / "arrived now": the server's clock, not the moment the page was drawn
        now_field = {"called": "called_at", "arrived": "arrived_at"}.get(request.POST.get("now", ""))
        if now_field:
            values = {"note": values["note"], now_field: timezone.now()}
        try:
            services.callout_record(callout=callout, by=user, **values)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Recorded for %(unit)s.") % {"unit": callout.unit_name})
    else:
        messages.error(request, _("Enter the times as date and time."))
    return redirect(callout.activation)


@require_POST
@login_required
def activation_note(request, pk: int):
    user = request.user
    activation = _activation_for(user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.activation_note(activation=activation, by=user, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
    else:
        messages.error(request, _("Write the note."))
    return redirect(activation)


@require_POST
@login_required
def activation_close(request, pk: int):
    user = request.user
    activation = _activation_for(user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Record the outcome to close the response."))
        return redirect(activation)
    try:
        services.activation_close(activation=activation, by=user, outcome=form.cleaned_data["outcome"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The response was closed."))
    return redirect(activation)


# --- the 1+4+N roster --------------------------------------------------------------------------------


@login_required
def roster(request):
    user = request.user
    units = ResponseUnit.objects.visible_to(user)
    if not user.is_town_admin:
        # a unit taken off the roster stays in the office's view, to be put back
        units = units.active()
    units = units.prefetch_related(Prefetch("contacts", queryset=ResponseContact.objects.order_by("order", "pk")))
    templates = ResponseTemplate.objects.visible_to(user).prefetch_related(
        Prefetch("template_units", queryset=TemplateUnit.objects.select_related("unit").order_by("order", "pk"))
    )
    units = list(units)
    return render(
        request,
        "duty/roster.html",
        {
            "core_units": [u for u in units if u.is_core],
            "other_units": [u for u in units if not u.is_core],
            "templates": templates,
        },
    )


def _edit_with_formset(request, *, form_class, formset_class, instance, template_name, saved_message, extra=None):
    form = form_class(request.POST or None, instance=instance)
    formset = formset_class(request.POST or None, instance=instance, prefix="rows")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            saved = form.save()
            formset.instance = saved
            formset.save()
        messages.success(request, saved_message % {"object": saved})
        return redirect("duty:roster")
    return render(request, template_name, {"form": form, "formset": formset, "object": instance, **(extra or {})})


@town_admin_required
def unit_edit(request, pk: int | None = None):
    unit = get_object_or_404(ResponseUnit, pk=pk) if pk else None
    return _edit_with_formset(
        request,
        form_class=ResponseUnitForm,
        formset_class=ResponseContactFormSet,
        instance=unit,
        template_name="duty/unit_form.html",
        saved_message=_("%(object)s was saved."),
    )


@town_admin_required
def template_edit(request, pk: int | None = None):
    template = get_object_or_404(ResponseTemplate, pk=pk) if pk else None
    return _edit_with_formset(
        request,
        form_class=ResponseTemplateForm,
        formset_class=TemplateUnitFormSet,
        instance=template,
        template_name="duty/template_form.html",
        saved_message=_("%(object)s was saved."),
    )


@require_POST
@town_admin_required
def shift_delete(request, pk: int):
    shift = get_object_or_404(DutyShift, pk=pk)
    month = f"{timezone.localtime(shift.starts_at):%Y-%m}"
    try:
        services.shift_delete(shift=shift, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(shift)
    messages.success(request, _("The shift was removed from the duty table."))
    return redirect(f"{reverse('duty:calendar')}?month={month}")


@town_admin_required
def shifts_plan(request):
    """Plan a run of days at once, e.g. the Spring Festival holiday, the people taking turns."""
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            planned = services.shifts_plan(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(
                request,
                ngettext("%(count)d shift was planned.", "%(count)d shifts were planned.", len(planned))
                % {"count": len(planned)},
            )
            first = planned[0]
            return redirect(f"{reverse('duty:calendar')}?month={timezone.localtime(first.starts_at):%Y-%m}")
    return render(request, "duty/plan_form.html", {"form": form})

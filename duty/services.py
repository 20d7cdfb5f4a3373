"""Writes of the duty app: shifts, swaps, the duty log and its handover, response activations.

Each function validates everything before it writes, under ``transaction.atomic``: a refused input
raises ``ValidationError`` with a message a person can read, and nothing changes.

An incident is *closed* for the joint response once its activation has been closed with an outcome:
an incident is answered by one activation, so a closed incident cannot be activated again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chashan_safety.models import Notification, Role, User
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
    ShiftHandover,
    SwapRequest,
)
from incidents.models import Incident
from responsibility.models import Village

Position = DutyAssignment.Position
Step = DutyLogStep.Step
ReportKind = DutyLogStep.ReportKind

#: who may stand in each position: leaders on duty are town leaders or sub-bureau staff; officers are
#: sub-bureau staff or full-time safety officers
ELIGIBLE = {
    Position.LEADER: frozenset({Role.LEADERSHIP, Role.TOWN_ADMIN}),
    Position.OFFICER: frozenset({Role.TOWN_ADMIN, Role.SAFETY_OFFICER}),
}
MAX_OFFICERS = 2
#: a week's duty at a stretch; a mistyped year (2099 for 2026) would otherwise keep three people on one shift
#: for decades, on duty now on every home page and refused every other shift in between
LONGEST_SHIFT = dt.timedelta(days=7)
DEFAULT_INITIAL_REPORT_MINUTES = 30

#: reports go 初报 → 续报 (one or more) → 终报: the report kinds allowed after the last one
REPORT_NEXT = {
    None: {ReportKind.INITIAL},
    ReportKind.INITIAL: {ReportKind.CONTINUED, ReportKind.FINAL},
    ReportKind.CONTINUED: {ReportKind.CONTINUED, ReportKind.FINAL},
    ReportKind.FINAL: set(),
}


def initial_report_minutes() -> int:
    """How soon after the call the first report upward is due (a local rule: a setting, not a constant)."""
    return int(getattr(settings, "DUTY_INITIAL_REPORT_MINUTES", DEFAULT_INITIAL_REPORT_MINUTES))


def _name(user) -> str:
    return user.display_name


def _notify(people, title: str, url: str) -> None:
    """An inbox item for each person (the daily digests send it on)."""
    Notification.objects.bulk_create(Notification(recipient=person, title=title[:200], url=url) for person in people)


# --- who may do what ---------------------------------------------------------------------------------


def on_duty_now(user: User, *, at: dt.datetime | None = None) -> bool:
    if not user.is_authenticated:
        return False
    return DutyAssignment.objects.filter(
        person=user, shift__in=DutyShift.objects.covering(at or timezone.now())
    ).exists()


def may_keep_log(user: User, shift: DutyShift | None = None) -> bool:
    """The town administrators, the people on duty now, and the people of the shift concerned; leadership reads only."""
    if not user.is_authenticated or not user.is_active or user.is_leadership:
        # town leaders read the log; the leader on duty is reported to and gives orders, the officers write
        return False
    if user.is_town_admin or on_duty_now(user):
        return True
    return shift is not None and shift.assignments.filter(person=user).exists()


def _require_log_keeper(user: User, shift: DutyShift | None) -> None:
    if not may_keep_log(user, shift):
        raise PermissionDenied


# --- shifts ------------------------------------------------------------------------------------------


def _check_eligible(person: User, position: str) -> None:
    if not person.is_active or person.role not in ELIGIBLE[position]:
        if position == Position.LEADER:
            message = _("%(name)s cannot be the leader on duty: a leader on duty is a town leader or sub-bureau staff.")
        else:
            message = _("%(name)s cannot be a duty officer: duty officers are sub-bureau staff or safety officers.")
        raise ValidationError(message % {"name": _name(person)})


def _check_no_overlap(person: User, start: dt.datetime, end: dt.datetime, *, excluding: Sequence[int] = ()) -> None:
    clash = (
        DutyShift.objects.overlapping(start, end)
        .filter(assignments__person=person)
        .exclude(pk__in=[pk for pk in excluding if pk])
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(name)s is already on duty from %(start)s to %(end)s; one person cannot hold two shifts at once.")
            % {
                "name": _name(person),
                "start": f"{timezone.localtime(clash.starts_at):%Y-%m-%d %H:%M}",
                "end": f"{timezone.localtime(clash.ends_at):%Y-%m-%d %H:%M}",
            }
        )


def _lock_people(people: Sequence[User]) -> None:
    # lock: two administrators may put the same person on two shifts at once
    list(User.objects.select_for_update().filter(pk__in=[p.pk for p in people]).order_by("pk").values_list("pk"))


@transaction.atomic
def shift_save(
    *,
    by: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    leader: User,
    officers: Sequence[User],
    holiday: str = "",
    note: str = "",
    shift: DutyShift | None = None,
    leaders: Sequence[User] = (),
) -> DutyShift:
    """Create or change a shift with its leader on duty and one or two duty officers.

    ``leaders`` names any further leaders a caller tried to add: a shift has exactly one, so any refuses.
    """
    if not by.is_town_admin:
        raise PermissionDenied
    if ends_at <= starts_at:
        raise ValidationError(_("A shift must end after it starts."))
    if ends_at - starts_at > LONGEST_SHIFT:
        raise ValidationError(_("A shift lasts at most 7 days: check the dates of its start and end."))
    if leaders:
        raise ValidationError(_("A shift has exactly one leader on duty."))
    officers = list(officers)
    if not 1 <= len(officers) <= MAX_OFFICERS:
        raise ValidationError(_("A shift has one or two duty officers."))
    if len({o.pk for o in officers}) != len(officers):
        raise ValidationError(_("The same duty officer is named twice."))
    if leader.pk in {o.pk for o in officers}:
        raise ValidationError(
            _("%(name)s cannot be both the leader on duty and a duty officer.") % {"name": _name(leader)}
        )
    _check_eligible(leader, Position.LEADER)
    for officer in officers:
        _check_eligible(officer, Position.OFFICER)
    _lock_people([leader, *officers])
    for person in [leader, *officers]:
        _check_no_overlap(person, starts_at, ends_at, excluding=[shift.pk if shift else None])
    if shift is None:
        shift = DutyShift(created_by=by)
    shift.starts_at, shift.ends_at, shift.holiday, shift.note = starts_at, ends_at, holiday.strip(), note.strip()
    shift.save()
    wanted = {leader.pk: Position.LEADER, **{o.pk: Position.OFFICER for o in officers}}
    current = {a.person_id: a for a in shift.assignments.all()}
    for person_id, assignment in current.items():
        if wanted.get(person_id) != assignment.position:
            assignment.delete()
    for person_id, position in wanted.items():
        if person_id not in current or current[person_id].position != position:
            DutyAssignment.objects.create(shift=shift, person_id=person_id, position=position)
    return shift


@transaction.atomic
def shift_delete(*, shift: DutyShift, by: User) -> None:
    if not by.is_town_admin:
        raise PermissionDenied
    if shift.log_entries.exists():
        raise ValidationError(_("This shift has duty log entries and is kept."))
    shift.delete()


# --- swaps -------------------------------------------------------------------------------------------


def _position_of(person: User, shift: DutyShift) -> str | None:
    return shift.assignments.filter(person=person).values_list("position", flat=True).first()


def _validate_swap(*, shift: DutyShift, requester: User, colleague: User, counter_shift: DutyShift | None) -> str:
    """The position the requester gives up; raises when the swap cannot be made as it stands."""
    if colleague.pk == requester.pk:
        raise ValidationError(_("A swap needs a colleague: you cannot swap with yourself."))
    position = _position_of(requester, shift)
    if position is None:
        raise ValidationError(_("%(name)s is not on this shift.") % {"name": _name(requester)})
    if colleague.role not in ELIGIBLE[position] or not colleague.is_active:
        raise ValidationError(
            _("%(name)s cannot take the place of a %(position)s: a swap stays within one duty role.")
            % {"name": _name(colleague), "position": Position(position).label}
        )
    if _position_of(colleague, shift) is not None:
        raise ValidationError(_("%(name)s is already on this shift.") % {"name": _name(colleague)})
    excluding = [shift.pk]
    if counter_shift is not None:
        if counter_shift.pk == shift.pk:
            raise ValidationError(_("The shift taken in return must be another shift."))
        their_position = _position_of(colleague, counter_shift)
        if their_position is None:
            raise ValidationError(_("%(name)s is not on the shift offered in return.") % {"name": _name(colleague)})
        if their_position != position:
            raise ValidationError(
                _("A swap stays within one duty role: a leader's shift for a leader's, an officer's for an officer's.")
            )
        if _position_of(requester, counter_shift) is not None:
            raise ValidationError(_("%(name)s is already on the shift offered in return.") % {"name": _name(requester)})
        excluding.append(counter_shift.pk)
        _check_no_overlap(requester, counter_shift.starts_at, counter_shift.ends_at, excluding=excluding)
    _check_no_overlap(colleague, shift.starts_at, shift.ends_at, excluding=excluding)
    return position


@transaction.atomic
def swap_request(
    *, shift: DutyShift, requester: User, colleague: User, reason: str, counter_shift: DutyShift | None = None
) -> SwapRequest:
    """An officer on ``shift`` asks ``colleague`` to take their place; the office approves or refuses."""
    if shift.ends_at <= timezone.now():
        raise ValidationError(_("This shift is over; it can no longer be swapped."))
    if not reason.strip():
        raise ValidationError(_("Say why you ask for the swap."))
    _validate_swap(shift=shift, requester=requester, colleague=colleague, counter_shift=counter_shift)
    if SwapRequest.objects.filter(shift=shift, requester=requester, status=SwapRequest.Status.PENDING).exists():
        raise ValidationError(_("You already asked to swap this shift; wait for the decision."))
    swap = SwapRequest.objects.create(
        shift=shift, requester=requester, colleague=colleague, counter_shift=counter_shift, reason=reason.strip()
    )
    title = _("Swap request: %(name)s asks %(colleague)s to take the shift of %(shift)s.") % {
        "name": _name(requester),
        "colleague": _name(colleague),
        "shift": shift,
    }
    admins = User.objects.filter(role=Role.TOWN_ADMIN, is_active=True)
    _notify([*admins, colleague], title, reverse("duty:swap-list"))
    return swap


@transaction.atomic
def swap_decide(*, swap: SwapRequest, by: User, approve: bool, note: str = "") -> SwapRequest:
    """``town_admin`` approves (the places are exchanged and filed) or refuses a pending swap."""
    if not by.is_town_admin:
        raise PermissionDenied
    locked = (
        SwapRequest.objects.select_for_update(of=("self",)).select_related("shift", "counter_shift").get(pk=swap.pk)
    )
    if locked.status != SwapRequest.Status.PENDING:
        raise ValidationError(_("This swap was already decided."))
    if approve:
        _lock_people([locked.requester, locked.colleague])
        position = _validate_swap(
            shift=locked.shift,
            requester=locked.requester,
            colleague=locked.colleague,
            counter_shift=locked.counter_shift,
        )
        DutyAssignment.objects.filter(shift=locked.shift, person=locked.requester).update(
            person=locked.colleague, swap=locked
        )
        if locked.counter_shift is not None:
            DutyAssignment.objects.filter(
                shift=locked.counter_shift, person=locked.colleague, position=position
            ).update(person=locked.requester, swap=locked)
    locked.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REFUSED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save()
    if approve:
        title = _("Swap approved: %(colleague)s takes the shift of %(shift)s instead of %(name)s.")
    else:
        title = _("Swap refused: %(name)s keeps the shift of %(shift)s.")
    title = title % {"name": _name(locked.requester), "colleague": _name(locked.colleague), "shift": locked.shift}
    _notify([locked.requester, locked.colleague], title, locked.shift.get_absolute_url())
    return locked


# --- the duty log ------------------------------------------------------------------------------------


INTAKE_FIELDS = (
    "caller_name",
    "caller_unit",
    "caller_phone",
    "event_type",
    "village",
    "place",
    "what_happened",
    "casualties",
    "measures_taken",
    "help_requested",
    "already_told",
)


@transaction.atomic
def log_receive(*, by: User, received_at: dt.datetime, **intake) -> DutyLogEntry:
    """接: record a call; the entry belongs to the shift on duty when it came in."""
    unknown = set(intake) - set(INTAKE_FIELDS)
    if unknown:
        raise ValueError(f"not intake fields: {sorted(unknown)}")
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("A call cannot be received in the future."))
    shift = DutyShift.objects.covering(received_at).first()
    _require_log_keeper(by, shift)
    for required in ("caller_name", "caller_phone", "place", "what_happened"):
        if not str(intake.get(required) or "").strip():
            raise ValidationError(_("The caller, their phone, the place and what happened are needed."))
    if intake.get("village") is None:
        raise ValidationError(_("Say in which village or community it happened."))
    return DutyLogEntry.objects.create(shift=shift, received_at=received_at, recorded_by=by, **intake)


def last_report_kind(entry: DutyLogEntry) -> str | None:
    kinds = list(entry.steps.filter(step=Step.REPORT).order_by("at", "pk").values_list("report_kind", flat=True))
    return kinds[-1] if kinds else None


@transaction.atomic
def log_step(
    *,
    entry: DutyLogEntry,
    by: User,
    step: str,
    at: dt.datetime,
    counterpart: str,
    content: str,
    report_kind: str = "",
) -> DutyLogStep:
    """报 传 跟: reports go 初报 → 续报 … → 终报; orders are passed on and followed up after the call."""
    locked = DutyLogEntry.objects.select_for_update().get(pk=entry.pk)
    _require_log_keeper(by, locked.shift)
    if step not in Step.values:
        raise ValidationError(_("Choose a step."))
    if at < locked.received_at:
        raise ValidationError(_("A step cannot come before the call was received."))
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("A step cannot lie in the future."))
    if not counterpart.strip() or not content.strip():
        raise ValidationError(_("Say to or from whom, and what was said."))
    if step == Step.REPORT:
        last = last_report_kind(locked)
        if report_kind not in REPORT_NEXT[last]:
            if last is None:
                raise ValidationError(_("The first report upward is the initial report (初报)."))
            if last == ReportKind.FINAL:
                raise ValidationError(_("The final report (终报) was made; no report follows it."))
            raise ValidationError(
                _("After the initial report come continued reports (续报) and the final report (终报).")
            )
    else:
        report_kind = ""
    return DutyLogStep.objects.create(
        entry=locked,
        step=step,
        report_kind=report_kind,
        at=at,
        counterpart=counterpart.strip(),
        content=content.strip(),
        by=by,
    )


def initial_report_late(entry: DutyLogEntry, steps: Sequence[DutyLogStep]) -> bool:
    """Whether the initial report came (or is still missing) later than the local time limit allows."""
    limit = entry.received_at + dt.timedelta(minutes=initial_report_minutes())
    initial = next((s for s in steps if s.report_kind == ReportKind.INITIAL), None)
    return (initial.at if initial else timezone.now()) > limit


@transaction.atomic
def shift_handover(*, shift: DutyShift, by: User, note: str) -> ShiftHandover:
    """The handover note at the end of a shift, written once by one of its people (or the office)."""
    if by.is_leadership or not (by.is_town_admin or shift.assignments.filter(person=by).exists()):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError(_("Write what the next shift must know."))
    if ShiftHandover.objects.filter(shift=shift).exists():
        raise ValidationError(_("This shift was already handed over."))
    return ShiftHandover.objects.create(shift=shift, by=by, note=note.strip())


# --- activations -------------------------------------------------------------------------------------


def contacts_for(unit, village: Village) -> list[dict]:
    """A unit's contacts in order of call; the territorial village's are those of the incident's village."""
    if unit.is_territorial:
        contacts = []
        if village.head or village.phone:
            contacts.append({"name": village.head, "post": _("Person in charge"), "phone": village.phone})
        offices = User.objects.filter(role=Role.VILLAGE_OFFICE, village=village, is_active=True).exclude(phone="")
        contacts += [{"name": u.display_name, "post": u.title, "phone": u.phone} for u in offices.order_by("pk")]
        return contacts
    return [
        {"name": c.name, "post": c.post, "phone": c.phone}
        for c in ResponseContact.objects.filter(unit=unit).order_by("order", "pk")
    ]


@transaction.atomic
def activation_open(
    *, incident: Incident, template: ResponseTemplate, by: User, log_entry: DutyLogEntry | None = None
) -> ResponseActivation:
    """Open the joint response to ``incident``: the call-out list of ``template``, in order of call."""
    _require_log_keeper(by, log_entry.shift if log_entry else None)
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    existing = ResponseActivation.objects.filter(incident=incident).first()
    if existing is not None and not existing.is_open:
        raise ValidationError(_("This incident's response was closed; a closed incident is not activated again."))
    if existing is not None:
        raise ValidationError(_("This incident already has a response under way."))
    units = [tu.unit for tu in template.template_units.select_related("unit").order_by("order", "pk")]
    if not units:
        raise ValidationError(_("This type of incident calls no unit yet; complete its template first."))
    activation = ResponseActivation.objects.create(
        incident=incident, template=template, log_entry=log_entry, opened_by=by
    )
    CallOut.objects.bulk_create(
        CallOut(
            activation=activation,
            unit=unit,
            unit_name=str(incident.village) if unit.is_territorial else unit.name,
            contacts=contacts_for(unit, incident.village),
            order=order,
        )
        for order, unit in enumerate(units, start=1)
    )
    ActivationEvent.objects.create(
        activation=activation, kind=ActivationEvent.Kind.OPENED, at=activation.opened_at, by=by, text=str(template)
    )
    return activation


@transaction.atomic
def activation_from_entry(
    *, entry: DutyLogEntry, by: User, template: ResponseTemplate, category: str = ""
) -> ResponseActivation:
    """One action: the log entry becomes an incident in the register, and its joint response opens."""
    locked = DutyLogEntry.objects.select_for_update(of=("self",)).select_related("village").get(pk=entry.pk)
    _require_log_keeper(by, locked.shift)
    if locked.incident_id is not None:
        incident = locked.incident
    else:
        incident = Incident(
            occurred_at=locked.received_at,
            village=locked.village,
            location=locked.place[:120],
            category=category or template.category,
            summary=locked.what_happened,
            recorded_by=by,
        )
        incident.full_clean()
        incident.save()
        locked.incident = incident
        locked.save(update_fields=["incident"])
    return activation_open(incident=incident, template=template, by=by, log_entry=locked)


def _lock_open(activation: ResponseActivation) -> ResponseActivation:
    locked = ResponseActivation.objects.select_for_update().get(pk=activation.pk)
    if not locked.is_open:
        raise ValidationError(_("This response is closed; its record no longer changes."))
    return locked


def _unless_same_minute(sent: dt.datetime | None, stored: dt.datetime | None) -> dt.datetime | None:
    if sent is not None and stored is not None and sent == stored.replace(second=0, microsecond=0):
        return None
    return sent


@transaction.atomic
def callout_record(
    *,
    callout: CallOut,
    by: User,
    called_at: dt.datetime | None = None,
    arrived_at: dt.datetime | None = None,
    note: str = "",
) -> CallOut:
    """Record when a unit was called and when it arrived; each new time is a line of the timeline."""
    activation = _lock_open(callout.activation)
    _require_log_keeper(by, activation.log_entry.shift if activation.log_entry_id else None)
    locked = CallOut.objects.select_for_update().get(pk=callout.pk)
    # the form shows times to the minute: a time sent back as it was shown is no change
    called_at = _unless_same_minute(called_at, locked.called_at)
    arrived_at = _unless_same_minute(arrived_at, locked.arrived_at)
    called = called_at or locked.called_at
    arrived = arrived_at or locked.arrived_at
    now = timezone.now() + dt.timedelta(minutes=5)
    if (called_at and called_at > now) or (arrived_at and arrived_at > now):
        raise ValidationError(_("A time cannot lie in the future."))
    if arrived is not None and called is None:
        raise ValidationError(_("Record when %(unit)s was called before it arrives.") % {"unit": locked.unit_name})
    if arrived is not None and arrived < called:
        raise ValidationError(_("%(unit)s cannot arrive before it was called.") % {"unit": locked.unit_name})
    if called is not None and called < activation.incident.occurred_at:
        raise ValidationError(_("A unit cannot be called before the incident happened."))
    if called_at is None and arrived_at is None and not note.strip():
        raise ValidationError(_("Enter a time or a note."))
    events = []
    if called_at is not None and called_at != locked.called_at:
        events.append((ActivationEvent.Kind.CALLED, called_at))
    if arrived_at is not None and arrived_at != locked.arrived_at:
        events.append((ActivationEvent.Kind.ARRIVED, arrived_at))
    locked.called_at, locked.arrived_at = called, arrived
    if note.strip():
        locked.note = note.strip()
    locked.save()
    for kind, at in events:
        ActivationEvent.objects.create(
            activation=activation, callout=locked, kind=kind, at=at, by=by, text=note.strip() or locked.unit_name
        )
    if note.strip() and not events:
        ActivationEvent.objects.create(
            activation=activation,
            callout=locked,
            kind=ActivationEvent.Kind.NOTE,
            at=timezone.now(),
            by=by,
            text=f"{locked.unit_name}：{note.strip()}",
        )
    return locked


@transaction.atomic
def activation_note(*, activation: ResponseActivation, by: User, text: str) -> ActivationEvent:
    locked = _lock_open(activation)
    _require_log_keeper(by, locked.log_entry.shift if locked.log_entry_id else None)
    if not text.strip():
        raise ValidationError(_("Write the note."))
    return ActivationEvent.objects.create(
        activation=locked, kind=ActivationEvent.Kind.NOTE, at=timezone.now(), by=by, text=text.strip()
    )


@transaction.atomic
def activation_close(*, activation: ResponseActivation, by: User, outcome: str) -> ResponseActivation:
    """Close the response with its outcome; from then on the incident counts as closed."""
    locked = _lock_open(activation)
    _require_log_keeper(by, locked.log_entry.shift if locked.log_entry_id else None)
    if not outcome.strip():
        raise ValidationError(_("Record the outcome to close the response."))
    locked.status = ResponseActivation.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.outcome = outcome.strip()
    locked.save()
    ActivationEvent.objects.create(
        activation=locked, kind=ActivationEvent.Kind.CLOSED, at=locked.closed_at, by=by, text=locked.outcome
    )
    return locked


MAX_PLANNED_DAYS = 62


@transaction.atomic
def shifts_plan(
    *,
    by: User,
    first_day: dt.date,
    last_day: dt.date,
    start: dt.time,
    leaders: Sequence[User],
    officers: Sequence[User],
    officers_per_shift: int = 2,
    holiday: str = "",
) -> list[DutyShift]:
    """Plan a run of 24-hour shifts, one a day from ``start``, the leaders and the officers taking turns.

    Every shift is checked as ``shift_save`` checks one; if any is refused, none is written.
    """
    if last_day < first_day:
        raise ValidationError(_("The last day cannot be before the first day."))
    days = (last_day - first_day).days + 1
    if days > MAX_PLANNED_DAYS:
        raise ValidationError(_("Plan at most %(days)s days at once.") % {"days": MAX_PLANNED_DAYS})
    leaders, officers = list(leaders), list(officers)
    if not leaders or len(officers) < officers_per_shift:
        raise ValidationError(_("Choose at least one leader on duty and enough duty officers for one shift."))
    planned = []
    for index in range(days):
        day = first_day + dt.timedelta(days=index)
        starts_at = timezone.make_aware(dt.datetime.combine(day, start))
        team = [officers[(index * officers_per_shift + k) % len(officers)] for k in range(officers_per_shift)]
        try:
            planned.append(
                shift_save(
                    by=by,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(days=1),
                    leader=leaders[index % len(leaders)],
                    officers=list(dict.fromkeys(team)),
                    holiday=holiday,
                )
            )
        except ValidationError as error:
            raise ValidationError(
                _("%(day)s: %(error)s") % {"day": f"{day:%Y-%m-%d}", "error": " ".join(error.messages)}
            ) from error
    return planned

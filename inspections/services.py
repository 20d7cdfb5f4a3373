"""Writes that touch several models or move a finding through its life.

The finding lifecycle::

    open ──submit_fix──▶ fix_submitted ──verify(pass)──▶ verified ──close──▶ closed (销号)
      ▲                        │ verify(fail)                │                    │
      └────────────────────────┴───────────── reopen ◀───────┴────────────────────┘

One function, ``finding_move``, moves a finding: it locks the row, checks that the move is
allowed from the current status and for this user, saves, and writes a ``FindingEvent``.
A general finding verified as fixed is closed in the same step; a major one (重大隐患, under
listed supervision) waits for a town administrator to close it.

Apps above this one take part in the lifecycle through two small registries: a *move guard*
(``register_move_guard``) is asked before a move and refuses it with a ``ValidationError``; an
*after-move hook* (``register_after_move``) runs in the move's transaction once its event is
written. A 回头看 that finds the hazard back moves a closed finding with ``relapse``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chashan_safety.models import Counter, User
from inspections.models import Finding, FindingEvent, FindingStatus, Inspection, PatrolTeam, Photo, Site
from inspections.photos import ProcessedPhoto
from responsibility.models import Unit, Village

S = FindingStatus
A = FindingEvent.Action


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    action: str


MOVES = {
    "submit_fix": Move("submit_fix", frozenset({S.OPEN}), S.FIX_SUBMITTED, A.FIX_SUBMITTED),
    "verify_pass": Move("verify_pass", frozenset({S.FIX_SUBMITTED}), S.VERIFIED, A.VERIFIED_PASSED),
    "verify_fail": Move("verify_fail", frozenset({S.FIX_SUBMITTED}), S.OPEN, A.VERIFIED_FAILED),
    "close": Move("close", frozenset({S.VERIFIED}), S.CLOSED, A.CLOSED),
    "reopen": Move("reopen", frozenset({S.VERIFIED, S.CLOSED}), S.OPEN, A.REOPENED),
    # a 回头看 (follow-up) found the hazard back: the closed finding is reopened with a new deadline
    "relapse": Move("relapse", frozenset({S.CLOSED}), S.OPEN, A.RELAPSED),
}

#: moves that send a finding back to the responsible office: each needs a reason and a new deadline
MOVES_WITH_DEADLINE = frozenset({"verify_fail", "reopen", "relapse"})


# --- hooks for the apps above -----------------------------------------------------------------------

#: called as ``guard(finding=…, move=…, by=…)`` with the locked finding before it moves
MoveGuard = Callable[..., None]
#: called as ``hook(finding=…, move=…, by=…, event=…)`` after the move, in its transaction
AfterMove = Callable[..., None]

_move_guards: list[MoveGuard] = []
_after_move: list[AfterMove] = []


def register_move_guard(guard: MoveGuard) -> None:
    """``guard`` may refuse a move by raising ``ValidationError`` with a message a person can read."""
    if guard not in _move_guards:
        _move_guards.append(guard)


def move_refusal(*, finding: Finding, move: str, by: User) -> str | None:
    """What a registered guard would answer to ``move`` now, or None: a page says it before the form is filled in.

    The move itself asks the guards again, on the locked finding.
    """
    for guard in _move_guards:
        try:
            guard(finding=finding, move=move, by=by)
        except ValidationError as error:
            return " ".join(error.messages)
    return None


def register_after_move(hook: AfterMove) -> None:
    """``hook`` runs after every move, inside its transaction: what it writes stands or falls with the move."""
    if hook not in _after_move:
        _after_move.append(hook)


# --- who may do what ----------------------------------------------------------------------------


def is_responsible_office(user: User, finding: Finding) -> bool:
    """The village or unit office that must fix the finding."""
    if user.is_village_office:
        return bool(user.village_id) and finding.responsible_village_id == user.village_id
    if user.is_unit_office:
        return bool(user.unit_id) and finding.responsible_unit_id == user.unit_id
    return False


def is_zone_officer(user: User, finding: Finding) -> bool:
    """A safety officer whose zones hold the finding's village."""
    return user.is_safety_officer and finding.village_id in user.zone_village_ids


def may_move(user: User, finding: Finding, move: str) -> bool:
    if not user.is_active:
        return False
    if move == "submit_fix":
        return user.is_town_admin or is_responsible_office(user, finding)
    if move in {"verify_pass", "verify_fail", "reopen", "relapse"}:
        return user.is_town_admin or is_zone_officer(user, finding)
    if move == "close":
        # a major finding is under listed supervision: only the town may close it
        return user.is_town_admin or (not finding.is_major and is_zone_officer(user, finding))
    return False


def allowed_moves(user: User, finding: Finding) -> set[str]:
    """The moves this user may make on this finding now (for showing the right buttons)."""
    return {name for name, move in MOVES.items() if finding.status in move.sources and may_move(user, finding, name)}


def may_edit(user: User, finding: Finding) -> bool:
    return not finding.is_closed and (user.is_town_admin or is_zone_officer(user, finding))


# --- photos ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _files_removed_on_failure() -> Iterator[list[Photo]]:
    """Photos saved inside a transaction that fails are removed from storage too."""
    saved: list[Photo] = []
    try:
        yield saved
    except BaseException:
        for photo in saved:
            photo.image.delete(save=False)
            photo.thumbnail.delete(save=False)
        raise


def _attach_photos(
    processed: Iterable[ProcessedPhoto], *, kind: str, by: User, saved: list[Photo], **owner
) -> list[Photo]:
    photos = []
    for item in processed:
        photo = Photo(kind=kind, uploaded_by=by, width=item.width, height=item.height, size=item.size, **owner)
        photo.image.save("photo.jpg", item.image, save=False)
        photo.thumbnail.save("thumb.jpg", item.thumbnail, save=False)
        saved.append(photo)
        photo.save()
        photos.append(photo)
    return photos


# --- recording inspections and findings -------------------------------------------------------


@dataclass
class FindingDraft:
    """What an officer records about one hazard; validated by a form before it gets here."""

    category: str
    description: str
    deadline: dt.date
    grade: str = Finding.Grade.GENERAL
    location: str = ""
    measures: str = ""
    responsible_village: Village | None = None
    responsible_unit: Unit | None = None
    responsible_contact: str = ""
    responsible_phone: str = ""
    photos: list[ProcessedPhoto] = field(default_factory=list)


def _next_finding_number(found_on: dt.date) -> str:
    return f"YH{found_on.year}-{Counter.next_value('finding', found_on.year):05d}"


def _finding_create(*, inspection: Inspection, by: User, draft: FindingDraft, saved: list[Photo]) -> Finding:
    found_on = timezone.localdate(inspection.started_at)
    if draft.deadline < found_on:
        raise ValidationError(
            _("The rectification deadline %(deadline)s is before the day the hazard was found (%(found)s).")
            % {"deadline": draft.deadline, "found": found_on}
        )
    site = inspection.site
    responsible_village = draft.responsible_village
    if responsible_village is None and draft.responsible_unit is None:
        responsible_village = site.village  # territorial management: the site's village by default
    finding = Finding.objects.create(
        number=_next_finding_number(found_on),
        inspection=inspection,
        site=site,
        village_id=site.village_id,
        found_on=found_on,
        category=draft.category,
        grade=draft.grade,
        location=draft.location,
        description=draft.description,
        measures=draft.measures,
        responsible_village=responsible_village,
        responsible_unit=draft.responsible_unit,
        responsible_contact=draft.responsible_contact or site.contact_name,
        responsible_phone=draft.responsible_phone or site.contact_phone,
        deadline=draft.deadline,
        created_by=by,
    )
    event = FindingEvent.objects.create(
        finding=finding, action=A.CREATED, to_status=S.OPEN, by=by, at=inspection.started_at, deadline=draft.deadline
    )
    _attach_photos(draft.photos, kind=Photo.Kind.BEFORE, by=by, saved=saved, finding=finding, event=event)
    return finding


def inspection_record(
    *,
    by: User,
    site: Site,
    kind: str,
    started_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    team: PatrolTeam | None = None,
    latitude=None,
    longitude=None,
    location_accuracy: int | None = None,
    participants: str = "",
    notes: str = "",
    photos: Iterable[ProcessedPhoto] = (),
    findings: Iterable[FindingDraft] = (),
    client_token: uuid.UUID | None = None,
) -> tuple[Inspection, bool]:
    """Record an inspection with its photos and findings, all or nothing.

    A form sent twice (a double tap, a resend after the network dropped) carries the same
    ``client_token``: the second time, the inspection made the first time is returned with
    ``False`` and nothing new is written.
    """
    if not (by.is_safety_officer or by.is_town_admin):
        raise PermissionDenied
    if client_token is not None:
        existing = Inspection.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, False
    if ended_at is not None and ended_at < started_at:
        raise ValidationError(_("An inspection cannot end before it starts."))
    if started_at > timezone.now() + dt.timedelta(minutes=10):
        raise ValidationError(_("An inspection cannot start in the future."))
    try:
        with _files_removed_on_failure() as saved, transaction.atomic():
            inspection = Inspection.objects.create(
                kind=kind,
                site=site,
                team=team,
                led_by=by,
                started_at=started_at,
                ended_at=ended_at,
                latitude=latitude,
                longitude=longitude,
                location_accuracy=location_accuracy,
                participants=participants,
                notes=notes,
                client_token=client_token,
            )
            _attach_photos(photos, kind=Photo.Kind.INSPECTION, by=by, saved=saved, inspection=inspection)
            for draft in findings:
                _finding_create(inspection=inspection, by=by, draft=draft, saved=saved)
    except IntegrityError:
        # the same form arrived twice at the same moment: the other request made it
        if client_token is not None:
            existing = Inspection.objects.filter(client_token=client_token).first()
            if existing is not None:
                return existing, False
        raise
    return inspection, True


def finding_add(*, inspection: Inspection, by: User, draft: FindingDraft) -> Finding:
    """Add a finding to an inspection already recorded."""
    if not (by.is_town_admin or by.pk == inspection.led_by_id or (by.is_safety_officer and _in_zones(by, inspection))):
        raise PermissionDenied
    with _files_removed_on_failure() as saved, transaction.atomic():
        return _finding_create(inspection=inspection, by=by, draft=draft, saved=saved)


def _in_zones(user: User, inspection: Inspection) -> bool:
    return inspection.site.village_id in user.zone_village_ids


# --- the lifecycle ----------------------------------------------------------------------------------


def finding_move(
    *,
    finding: Finding,
    move: str,
    by: User,
    note: str = "",
    deadline: dt.date | None = None,
    photos: Iterable[ProcessedPhoto] = (),
    photo_kind: str = Photo.Kind.VERIFICATION,
    at: dt.datetime | None = None,
) -> FindingEvent:
    """Move ``finding`` by ``move``; the one place where a finding's status changes."""
    spec = MOVES.get(move)
    if spec is None:
        raise ValidationError(_("Unknown action."))
    note = note.strip()
    with _files_removed_on_failure() as saved, transaction.atomic():
        # lock: two officers may verify the same finding at once; the second sees the first's result
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.status not in spec.sources:
            raise ValidationError(
                _("This finding is now “%(status)s”, so this action is no longer possible. Reload the page.")
                % {"status": locked.get_status_display()}
            )
        if not may_move(by, locked, move):
            raise PermissionDenied
        today = timezone.localdate()
        if move == "submit_fix" and not note:
            raise ValidationError(_("Say what was done to fix the hazard."))
        if move in MOVES_WITH_DEADLINE:
            if not note:
                raise ValidationError(_("Give the reason, so the responsible office knows what is still wrong."))
            if deadline is None:
                raise ValidationError(_("Set a new rectification deadline."))
            if deadline < today:
                raise ValidationError(_("The new deadline cannot be in the past."))
        for guard in _move_guards:
            guard(finding=locked, move=move, by=by)
        previous = locked.status
        locked.status = spec.target
        if spec.target == S.CLOSED:
            locked.closed_at = at or timezone.now()
        else:
            locked.closed_at = None
        if deadline is not None and move in MOVES_WITH_DEADLINE:
            locked.deadline = deadline
        if move in {"reopen", "relapse"}:
            locked.reopen_count += 1
        locked._change_reason = spec.action
        locked.save()
        event = FindingEvent.objects.create(
            finding=locked,
            action=spec.action,
            from_status=previous,
            to_status=spec.target,
            by=by,
            at=at or timezone.now(),
            note=note,
            deadline=deadline if move in MOVES_WITH_DEADLINE else None,
        )
        _attach_photos(photos, kind=photo_kind, by=by, saved=saved, finding=locked, event=event)
        for hook in _after_move:
            hook(finding=locked, move=move, by=by, event=event)
    finding.refresh_from_db()
    return event


def finding_note_event(
    *,
    finding: Finding,
    by: User,
    action: str,
    note: str = "",
    photos: Iterable[ProcessedPhoto] = (),
    photo_kind: str = Photo.Kind.VERIFICATION,
) -> FindingEvent:
    """A timeline entry that does not move the finding (a 回头看 that found the fix held), with photos."""
    with _files_removed_on_failure() as saved, transaction.atomic():
        event = FindingEvent.objects.create(
            finding=finding, action=action, from_status=finding.status, to_status=finding.status, by=by, note=note
        )
        _attach_photos(photos, kind=photo_kind, by=by, saved=saved, finding=finding, event=event)
    return event


def finding_submit_fix(*, finding: Finding, by: User, note: str, photos: Iterable[ProcessedPhoto]) -> FindingEvent:
    photos = list(photos)
    if not photos:
        raise ValidationError(_("Add at least one photo of the site after the fix."))
    return finding_move(
        finding=finding, move="submit_fix", by=by, note=note, photos=photos, photo_kind=Photo.Kind.AFTER
    )


def finding_verify(
    *,
    finding: Finding,
    by: User,
    passed: bool,
    note: str = "",
    deadline: dt.date | None = None,
    photos: Iterable[ProcessedPhoto] = (),
) -> FindingEvent:
    """Record the officer's check of a fix; a general finding that passes is closed at once."""
    if not passed:
        return finding_move(finding=finding, move="verify_fail", by=by, note=note, deadline=deadline, photos=photos)
    with transaction.atomic():
        event = finding_move(finding=finding, move="verify_pass", by=by, note=note, photos=photos)
        if not finding.is_major and may_move(by, finding, "close"):
            event = finding_move(finding=finding, move="close", by=by)
    return event


def finding_close(*, finding: Finding, by: User, note: str = "") -> FindingEvent:
    return finding_move(finding=finding, move="close", by=by, note=note)


def finding_reopen(*, finding: Finding, by: User, note: str, deadline: dt.date) -> FindingEvent:
    return finding_move(finding=finding, move="reopen", by=by, note=note, deadline=deadline)


EDITABLE_FIELDS = (
    "category",
    "grade",
    "location",
    "description",
    "measures",
    "responsible_village",
    "responsible_unit",
    "responsible_contact",
    "responsible_phone",
    "deadline",
)


def finding_update(*, finding: Finding, by: User, note: str = "", **changes) -> FindingEvent | None:
    """Correct a finding's details; a closed finding is not edited, a new deadline is logged as such."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.is_closed:
            raise ValidationError(_("A closed finding cannot be edited; reopen it first."))
        if not may_edit(by, locked):
            raise PermissionDenied
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        if not changed:
            return None
        new_deadline = changes.get("deadline", locked.deadline)
        if new_deadline < locked.found_on:
            raise ValidationError(_("The rectification deadline cannot be before the day the hazard was found."))
        if changes.get("responsible_village", locked.responsible_village) is None and (
            changes.get("responsible_unit", locked.responsible_unit) is None
        ):
            raise ValidationError(_("Name the village or unit responsible for the fix."))
        for name in changed:
            setattr(locked, name, changes[name])
        locked.save()
        action = A.DEADLINE_CHANGED if changed == ["deadline"] else A.EDITED
        event = FindingEvent.objects.create(
            finding=locked,
            action=action,
            from_status=locked.status,
            to_status=locked.status,
            by=by,
            note=note,
            deadline=locked.deadline if "deadline" in changed else None,
        )
    finding.refresh_from_db()
    return event

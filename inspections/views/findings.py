"""A finding's page, its lifecycle actions and the correction of its details.

Every read starts from ``Finding.objects.visible_to(user)``: a finding outside the user's scope
answers 404. The moves themselves live in ``inspections.services``; the views check access,
validate a form, call one service and redirect with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chashan_safety.generic import HISTORY_LIMIT
from inspections.forms.findings import CloseForm, FindingEditForm, ReopenForm, SubmitFixForm, VerifyForm
from inspections.models import Finding, FindingEvent, FindingStatus, Inspection, Photo, Site
from inspections.photos import ProcessedPhoto, process_photos
from inspections.reminders import reminders_for
from inspections.services import (
    MOVES,
    allowed_moves,
    finding_close,
    finding_reopen,
    finding_submit_fix,
    finding_update,
    finding_verify,
    is_zone_officer,
    may_edit,
    may_move,
    move_refusal,
)


def _findings(user):
    return Finding.objects.visible_to(user).select_related(
        "site",
        "village",
        "inspection__led_by",
        "inspection__team",
        "responsible_village",
        "responsible_unit",
        "created_by",
    )


# --- the actions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One form on the finding page: the form, the service move it stands for, and how to perform it."""

    form_class: type[forms.Form]
    move: str  # the service move that decides who may use the form and from which status
    perform: Callable[..., FindingEvent]


def _submit_fix(finding, user, data, photos):
    return finding_submit_fix(finding=finding, by=user, note=data["note"], photos=photos)


def _verify(finding, user, data, photos):
    return finding_verify(
        finding=finding,
        by=user,
        passed=data["result"] == VerifyForm.PASS,
        note=data["note"],
        deadline=None if data["result"] == VerifyForm.PASS else data["deadline"],
        photos=photos,
    )


def _close(finding, user, data, photos):
    return finding_close(finding=finding, by=user, note=data["note"])


def _reopen(finding, user, data, photos):
    return finding_reopen(finding=finding, by=user, note=data["note"], deadline=data["deadline"])


ACTIONS = {
    "submit_fix": Action(SubmitFixForm, "submit_fix", _submit_fix),
    "verify": Action(VerifyForm, "verify_pass", _verify),
    "close": Action(CloseForm, "close", _close),
    "reopen": Action(ReopenForm, "reopen", _reopen),
}


def _action_form(name: str, *args, **kwargs) -> forms.Form:
    # ids carry the action's name: several forms share a page and each has a "note"
    return ACTIONS[name].form_class(*args, auto_id=f"{name}-%s", **kwargs)


def _success_message(finding: Finding, name: str) -> str:
    if name == "submit_fix":
        return _("The fix was submitted; the finding now awaits verification.")
    if finding.status == FindingStatus.CLOSED:
        if name == "close":
            return _("The finding was closed.")
        return _("The fix passed verification and the finding was closed.")
    if finding.status == FindingStatus.VERIFIED:
        return _("The fix passed verification; a town administrator closes this major finding.")
    return _("The finding was sent back for rectification; the new deadline is %(deadline)s.") % {
        "deadline": finding.deadline.isoformat()
    }


# --- the page ------------------------------------------------------------------------------------------


def _with_timeline(queryset):
    # the timeline in a constant number of queries: events with who made them and their photos
    return queryset.prefetch_related(
        Prefetch("photos", queryset=Photo.objects.filter(kind=Photo.Kind.BEFORE), to_attr="before_photos"),
        Prefetch("events", queryset=FindingEvent.objects.select_related("by").prefetch_related("photos")),
    )


def _next_to_fix(user, *, exclude: int) -> Finding | None:
    """The office's own finding still to fix whose deadline comes first."""
    ours = Q(responsible_village_id=user.village_id) if user.is_village_office else Q(responsible_unit_id=user.unit_id)
    return (
        Finding.objects.visible_to(user)
        .filter(ours, status=FindingStatus.OPEN)
        .exclude(pk=exclude)
        .select_related("site")
        .order_by("deadline", "pk")
        .first()
    )


def _render_detail(request, finding: Finding, *, bound: dict[str, forms.Form] | None = None):
    user = request.user
    moves = allowed_moves(user, finding)
    action_forms = {
        name: (bound or {}).get(name) or _action_form(name) for name, action in ACTIONS.items() if action.move in moves
    }
    for name, form in action_forms.items():
        # e.g. a major finding's fix before its 五落实 plan is complete: said before photos are taken and uploaded
        form.refusal = None if form.is_bound else move_refusal(finding=finding, move=ACTIONS[name].move, by=user)
    context = {
        "finding": finding,
        "events": finding.events.all(),
        "action_forms": action_forms,
        # reopening is the exception, not the next step: it gets no button at the top of the page
        "primary_action": any(name != "reopen" for name in action_forms),
        "may_edit": may_edit(user, finding),
        "overdue_days": -finding.days_to_deadline,
        "reminders": reminders_for(finding),
    }
    if not action_forms and (user.is_village_office or user.is_unit_office):
        # an office fixing several findings in a row goes straight on to the next one
        context["next_to_fix"] = _next_to_fix(user, exclude=finding.pk)
    if user.sees_whole_town:
        context["site_visible"] = context["inspection_visible"] = True
    else:
        # a unit office sees the finding it must fix, but not necessarily the site or the whole inspection
        context["site_visible"] = Site.objects.visible_to(user).filter(pk=finding.site_id).exists()
        context["inspection_visible"] = Inspection.objects.visible_to(user).filter(pk=finding.inspection_id).exists()
    if user.is_town_admin:
        context["history"] = finding.history.select_related("history_user").order_by("-history_date")[:HISTORY_LIMIT]
    return render(request, "inspections/finding_detail.html", context)


@login_required
def finding_detail(request, pk: int):
    finding = get_object_or_404(_with_timeline(_findings(request.user)), pk=pk)
    return _render_detail(request, finding)


@require_POST
@login_required
def finding_action(request, pk: int, move: str):
    """Submit a fix, verify it, close or reopen the finding: one form, one service call."""
    user = request.user
    finding = get_object_or_404(_findings(user), pk=pk)
    action = ACTIONS.get(move)
    if action is None:
        raise Http404
    if not may_move(user, finding, action.move):
        raise PermissionDenied
    if finding.status not in MOVES[action.move].sources:
        messages.error(
            request,
            _("This finding is now “%(status)s”, so this action is no longer possible. Reload the page.")
            % {"status": finding.get_status_display()},
        )
        return redirect(finding)
    form = _action_form(move, request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, _with_timeline(_findings(user)).get(pk=pk), bound={move: form})
    photos: list[ProcessedPhoto] = []
    if "photos" in form.fields:
        try:
            photos = process_photos(form.cleaned_data["photos"])
        except ValidationError as error:
            form.add_error("photos", error)
            return _render_detail(request, _with_timeline(_findings(user)).get(pk=pk), bound={move: form})
    try:
        action.perform(finding, user, form.cleaned_data, photos)
    except ValidationError as error:
        # e.g. another officer verified it a moment ago: say so, change nothing
        messages.error(request, " ".join(error.messages))
        return redirect(finding)
    messages.success(request, _success_message(finding, move))
    return redirect(finding)


@login_required
def finding_edit(request, pk: int):
    """Correct a finding's details (a typo, the wrong responsible party, a new deadline)."""
    user = request.user
    finding = get_object_or_404(_findings(user), pk=pk)
    if not (user.is_town_admin or is_zone_officer(user, finding)):
        raise PermissionDenied
    if finding.is_closed or not may_edit(user, finding):
        messages.error(request, _("A closed finding cannot be edited; reopen it first."))
        return redirect(finding)
    form = FindingEditForm(request.POST or None, instance=finding)
    if request.method == "POST" and form.is_valid():
        try:
            event = finding_update(finding=finding, by=user, note=form.cleaned_data["note"], **form.changes())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if event is None:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("%(object)s was saved.") % {"object": finding})
            return redirect(finding)
    return render(request, "inspections/finding_form.html", {"form": form, "finding": finding})

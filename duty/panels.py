"""What the duty app adds to the home page and the navigation."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import HomePanel, NavItem, register_nav, register_panel
from duty.models import DutyAssignment, DutyShift, SwapRequest

ALL = frozenset({"town_admin", "safety_officer", "leadership", "village_office", "unit_office"})
LOG_READERS = frozenset({"town_admin", "safety_officer", "leadership", "village_office"})
ON_DUTY_ROLES = frozenset({"town_admin", "safety_officer", "leadership"})
MY_SHIFTS_SHOWN = 3
SWAP_RESULTS_DAYS = 14


def _people_prefetch():
    return Prefetch("assignments", queryset=DutyAssignment.objects.select_related("person").order_by("pk"))


def _on_duty_now(user) -> dict:
    shift = (
        DutyShift.objects.visible_to(user)
        .covering(timezone.now())
        .prefetch_related(_people_prefetch())
        .order_by("starts_at")
        .first()
    )
    return {"shift": shift}


def _my_duty(user) -> dict:
    now = timezone.now()
    shifts = list(
        DutyShift.objects.visible_to(user)
        .filter(assignments__person=user, ends_at__gt=now)
        .prefetch_related(_people_prefetch())
        .order_by("starts_at")[:MY_SHIFTS_SHOWN]
    )
    for shift in shifts:
        shift.my_assignment = next((a for a in shift.assignments.all() if a.person_id == user.pk), None)
    since = now - dt.timedelta(days=SWAP_RESULTS_DAYS)
    swaps = list(
        SwapRequest.objects.filter(Q(requester=user) | Q(colleague=user))
        .filter(Q(status=SwapRequest.Status.PENDING) | Q(decided_at__gte=since))
        .select_related("shift", "requester", "colleague")
        .order_by("-created_at", "-pk")[:5]
    )
    pending_to_decide = (
        SwapRequest.objects.filter(status=SwapRequest.Status.PENDING).count() if user.is_town_admin else 0
    )
    return {"shifts": shifts, "swaps": swaps, "pending_to_decide": pending_to_decide}


def register() -> None:
    # in the incidents app's "Emergency and duty" group, beside the incident register
    items = [
        ("duty-desk", _("Duty desk"), "duty:desk", "bi-headset", ALL),
        ("duty-calendar", _("Duty calendar"), "duty:calendar", "bi-calendar3", ALL),
        ("duty-log", _("Duty log"), "duty:log-list", "bi-journal-text", LOG_READERS),
        ("duty-activations", _("Joint responses"), "duty:activation-list", "bi-broadcast", LOG_READERS),
        ("duty-swaps", _("Shift swaps"), "duty:swap-list", "bi-arrow-left-right", ON_DUTY_ROLES),
        ("duty-roster", _("1+4+N roster"), "duty:roster", "bi-telephone", ALL),
    ]
    for order, (key, label, url_name, icon, roles) in enumerate(items, start=30):
        register_nav(NavItem(key, label, url_name, icon, roles=roles, order=order, group="response"))
    register_panel(HomePanel("on-duty-now", "duty/includes/_panel_on_duty.html", _on_duty_now, roles=ALL, order=0))
    register_panel(HomePanel("my-duty", "duty/includes/_panel_my_duty.html", _my_duty, roles=ON_DUTY_ROLES, order=2))

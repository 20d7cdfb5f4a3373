"""What the outreach app adds to the navigation and the home page."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import HomePanel, NavGroup, NavItem, register_nav, register_nav_group, register_panel
from outreach.coverage import coverage_for
from outreach.models import Activity

READ_ROLES = frozenset({"town_admin", "safety_officer", "leadership", "village_office"})
RECORD_ROLES = frozenset({"town_admin", "safety_officer", "village_office"})
UPCOMING_SHOWN = 5


def _upcoming(user):
    today = timezone.localdate()
    return list(
        Activity.objects.visible_to(user)
        .filter(held_on__gt=today)
        .select_related("village", "carrier")
        .order_by("held_on", "pk")[:UPCOMING_SHOWN]
    )


def _village_outreach(user) -> dict:
    """A village office's year: its activities and audience, and what its village still lacks."""
    matrix = coverage_for(user, timezone.localdate().year)
    row = matrix.rows[0] if matrix.rows else None
    gaps = [cell.column.label for cell in row.cells if cell.is_gap] if row else []
    return {"coverage": matrix, "row": row, "gaps": gaps, "upcoming": _upcoming(user)}


def _town_outreach(user) -> dict:
    """The town's year: villages fully covered, the gaps left, and what comes next."""
    matrix = coverage_for(user, timezone.localdate().year)
    activities = sum(row.activities for row in matrix.rows)
    audience = sum(row.audience for row in matrix.rows)
    weakest = sorted(matrix.columns, key=lambda column: column.covered)[:3]
    return {
        "coverage": matrix,
        "activities": activities,
        "audience": audience,
        "weakest": weakest,
        "village_count": len(matrix.rows),
        "upcoming": _upcoming(user),
    }


def register() -> None:
    register_nav_group(NavGroup("outreach", _("Outreach"), "bi-megaphone", order=50))
    register_nav(
        NavItem(
            "outreach-record",
            _("Record an activity"),
            "outreach:activity-create",
            "bi-plus-circle",
            order=1,
            group="outreach",
            roles=RECORD_ROLES,
        )
    )
    register_nav(
        NavItem(
            "outreach-coverage",
            _("Coverage"),
            "outreach:coverage",
            "bi-grid-3x3-gap",
            order=2,
            group="outreach",
            roles=READ_ROLES,
        )
    )
    register_nav(
        NavItem(
            "outreach-calendar",
            _("Activity calendar"),
            "outreach:calendar",
            "bi-calendar3",
            order=3,
            group="outreach",
            roles=READ_ROLES,
        )
    )
    register_nav(
        NavItem(
            "outreach-activities",
            _("Activities"),
            "outreach:activity-list",
            "bi-people",
            order=4,
            group="outreach",
            roles=READ_ROLES,
        )
    )
    register_nav(
        NavItem(
            "outreach-carriers",
            _("Carriers (2+6)"),
            "outreach:carrier-list",
            "bi-signpost-split",
            order=5,
            group="outreach",
            roles=READ_ROLES,
        )
    )
    register_nav(
        NavItem(
            "outreach-types",
            _("Carrier types"),
            "outreach:carrier-type-list",
            "bi-tags",
            order=6,
            group="outreach",
            roles=frozenset({"town_admin"}),
        )
    )
    register_panel(
        HomePanel(
            "village-outreach",
            "outreach/includes/_panel_village_outreach.html",
            _village_outreach,
            roles=frozenset({"village_office"}),
            order=40,
        )
    )
    register_panel(
        HomePanel(
            "town-outreach",
            "outreach/includes/_panel_town_outreach.html",
            _town_outreach,
            roles=frozenset({"town_admin", "leadership", "safety_officer"}),
            order=60,
        )
    )

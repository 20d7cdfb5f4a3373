"""What the inspections app adds to the home page and the navigation."""

import datetime as dt

from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import HomePanel, NavGroup, NavItem, register_nav, register_nav_group, register_panel
from inspections.models import Finding, FindingStatus, Grid, Inspection, PatrolTeam, Section, Zone
from responsibility.models import Unit, Village

#: every status before close-out (销号)
OPEN_STATUSES = [status for status in FindingStatus.values if status != FindingStatus.CLOSED]
URGENT_COUNT = 10
RECENT_INSPECTIONS = 5


def _town_overview(user) -> dict:
    counts = {
        "villages": Village.objects.count(),
        "units": Unit.objects.count(),
        "sections": Section.objects.count(),
        "zones": Zone.objects.count(),
        "grids": Grid.objects.count(),
        "teams": PatrolTeam.objects.filter(is_active=True).count(),
    }
    return {"counts": counts}


def _my_zones(user) -> dict:
    zones = (
        Zone.objects.filter(pk__in=user.zone_ids)
        .select_related("section")
        .annotate(village_count=Count("villages", distinct=True))
    )
    teams = (
        PatrolTeam.objects.filter(leader=user, is_active=True)
        .select_related("zone")
        .annotate(member_count=Count("members"))
    )
    return {"zones": zones, "teams": teams}


def _village_patrol(user) -> dict:
    zone = Zone.objects.filter(village_links__village_id=user.village_id).select_related("section__head").first()
    officers = zone.officers.filter(is_active=True) if zone else []
    teams = PatrolTeam.objects.visible_to(user).filter(is_active=True).select_related("leader")
    return {"zone": zone, "officers": officers, "teams": teams}


# --- findings on the home page: each panel runs a fixed number of queries, counted in the database ---


def _most_urgent(findings, limit: int = URGENT_COUNT) -> list[Finding]:
    """Open findings, the overdue first (their deadlines are the earliest), then by deadline.

    Two queries: the earliest deadlines of each open status (the index on (status, deadline) hands
    them over in order), merged; then those rows with their site and village.
    """
    order = ("deadline", "found_on", "pk")
    related = ("site", "village", "responsible_village", "responsible_unit")
    if connection.features.supports_slicing_ordering_in_compound:
        per_status = [
            findings.filter(status=status).order_by(*order).values_list(*order)[:limit] for status in OPEN_STATUSES
        ]
        earliest = per_status[0].union(*per_status[1:], all=True).order_by(*order)[:limit]
        ids = [pk for *_key, pk in earliest]
        urgent = list(Finding.objects.filter(pk__in=ids).select_related(*related).order_by(*order)) if ids else []
    else:  # SQLite, on a laptop: one plain query does
        urgent = list(findings.select_related(*related).order_by(*order)[:limit])
    for finding in urgent:
        finding.days_overdue = max(0, -finding.days_to_deadline)
    return urgent


def _zone_findings(user) -> dict:
    """A safety officer's open findings in his zones; those awaiting his verification are his to-do."""
    today = timezone.localdate()
    findings = Finding.objects.visible_to(user).filter(status__in=OPEN_STATUSES)
    counts = findings.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=today)),
        awaiting_verification=Count("pk", filter=Q(status=FindingStatus.FIX_SUBMITTED)),
    )
    return {"counts": counts, "urgent": _most_urgent(findings), "today": today}


def _recent_inspections(user) -> dict:
    # the findings are counted for the 5 rows shown only, not grouped over all of his inspections
    findings = (
        Finding.objects.filter(inspection=OuterRef("pk"))
        .order_by()
        .values("inspection")
        .annotate(count=Count("pk"))
        .values("count")
    )
    inspections = (
        Inspection.objects.visible_to(user)
        .filter(led_by=user)
        .select_related("site__village")
        .annotate(finding_count=Coalesce(Subquery(findings), 0))
        .order_by("-started_at", "-pk")[:RECENT_INSPECTIONS]
    )
    return {"inspections": list(inspections)}


def _our_findings(user) -> dict:
    """A village or unit office's open findings, those it must fix, most urgent first."""
    today = timezone.localdate()
    ours = Q(responsible_village_id=user.village_id) if user.is_village_office else Q(responsible_unit_id=user.unit_id)
    findings = Finding.objects.visible_to(user).filter(ours, status__in=OPEN_STATUSES)
    counts = findings.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=today)),
        due_soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=2))),
        to_fix=Count("pk", filter=Q(status=FindingStatus.OPEN)),
    )
    return {"counts": counts, "urgent": _most_urgent(findings), "today": today}


def _town_findings(user) -> dict:
    """The town's totals for administrators and leaders, each a link into the filtered ledger.

    Separate counts rather than one aggregate: each is answered from an index alone.
    """
    today = timezone.localdate()
    year_start = timezone.make_aware(dt.datetime(today.year, 1, 1))
    findings = Finding.objects.visible_to(user)
    open_findings = findings.filter(status__in=OPEN_STATUSES)
    counts = {
        "open": open_findings.count(),
        "overdue": open_findings.filter(deadline__lt=today).count(),
        "major_open": open_findings.filter(grade=Finding.Grade.MAJOR).count(),
        "closed_this_year": findings.filter(status=FindingStatus.CLOSED, closed_at__gte=year_start).count(),
    }
    return {"counts": counts, "year": today.year}


STRUCTURE_ROLES = frozenset({"town_admin", "safety_officer", "leadership", "village_office", "unit_office"})


FIELD_ROLES = frozenset({"town_admin", "safety_officer"})
READ_ROLES = frozenset({"town_admin", "safety_officer", "leadership", "village_office", "unit_office"})


def register() -> None:
    # inspection work beyond logging one and the ledger: lists, sites, and what apps above add
    # (listed supervision, 回头看, campaigns, the planner)
    register_nav_group(NavGroup("inspection", _("Inspection work"), "bi-clipboard-check", order=3))
    register_nav(
        NavItem(
            "new-inspection",
            _("Log an inspection"),
            "inspections:inspection-create",
            "bi-clipboard-plus",
            order=1,
            roles=FIELD_ROLES,
        )
    )
    register_nav(
        NavItem(
            "findings",
            _("Hazard ledger"),
            "inspections:finding-list",
            "bi-exclamation-triangle",
            order=2,
            roles=READ_ROLES,
        )
    )
    register_nav(
        NavItem(
            "inspections",
            _("Inspections"),
            "inspections:inspection-list",
            "bi-clipboard-check",
            order=3,
            roles=frozenset({"town_admin", "safety_officer", "leadership", "village_office"}),
            group="inspection",
        )
    )
    register_nav(
        NavItem(
            "sites",
            _("Sites"),
            "inspections:site-list",
            "bi-shop",
            order=4,
            roles=frozenset({"town_admin", "safety_officer", "leadership", "village_office"}),
            group="inspection",
        )
    )
    register_nav(
        NavItem(
            "structure",
            _("1+4+4 structure"),
            "inspections:structure",
            "bi-diagram-3",
            order=10,
            roles=STRUCTURE_ROLES,
            group="registries",
        )
    )
    register_nav(
        NavItem(
            "teams",
            _("Patrol teams"),
            "inspections:team-list",
            "bi-people",
            order=40,
            group="registries",
            roles=frozenset({"town_admin", "safety_officer", "leadership", "village_office"}),
        )
    )
    register_nav(
        NavItem(
            "grids",
            _("Grids"),
            "inspections:grid-list",
            "bi-grid-3x3",
            order=50,
            group="registries",
            roles=frozenset({"town_admin", "safety_officer", "leadership", "village_office"}),
        )
    )
    register_panel(
        HomePanel(
            "zone-findings",
            "inspections/includes/_panel_zone_findings.html",
            _zone_findings,
            roles=frozenset({"safety_officer"}),
            order=5,
        )
    )
    register_panel(
        HomePanel(
            "recent-inspections",
            "inspections/includes/_panel_recent_inspections.html",
            _recent_inspections,
            roles=frozenset({"safety_officer"}),
            order=6,
        )
    )
    register_panel(
        HomePanel(
            "our-findings",
            "inspections/includes/_panel_our_findings.html",
            _our_findings,
            roles=frozenset({"village_office", "unit_office"}),
            order=5,
        )
    )
    register_panel(
        HomePanel(
            "town-findings",
            "inspections/includes/_panel_town_findings.html",
            _town_findings,
            roles=frozenset({"town_admin", "leadership"}),
            order=5,
        )
    )
    register_panel(
        HomePanel(
            "town-overview",
            "inspections/includes/_panel_town_overview.html",
            _town_overview,
            roles=frozenset({"town_admin", "leadership"}),
            order=50,
        )
    )
    register_panel(
        HomePanel(
            "my-zones",
            "inspections/includes/_panel_my_zones.html",
            _my_zones,
            roles=frozenset({"safety_officer"}),
            order=10,
        )
    )
    register_panel(
        HomePanel(
            "village-patrol",
            "inspections/includes/_panel_village_patrol.html",
            _village_patrol,
            roles=frozenset({"village_office"}),
            order=20,
        )
    )

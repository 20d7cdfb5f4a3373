"""What the inspections app adds to the home page and the navigation."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import HomePanel, NavItem, register_nav, register_panel
from inspections.models import Grid, PatrolTeam, Section, Zone
from responsibility.models import Unit, Village


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


STRUCTURE_ROLES = frozenset({"town_admin", "safety_officer", "leadership", "village_office", "unit_office"})


def register() -> None:
    register_nav(
        NavItem(
            "structure", _("1+4+4 structure"), "inspections:structure", "bi-diagram-3", order=10, roles=STRUCTURE_ROLES
        )
    )
    register_nav(
        NavItem(
            "teams",
            _("Patrol teams"),
            "inspections:team-list",
            "bi-people",
            order=40,
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
            roles=frozenset({"town_admin", "safety_officer", "leadership", "village_office"}),
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

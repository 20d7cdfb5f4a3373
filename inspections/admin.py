from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inspections.models import (
    Finding,
    FindingEvent,
    Grid,
    Inspection,
    PatrolTeam,
    PatrolTeamMember,
    Section,
    Site,
    Zone,
    ZoneVillage,
)


class ZoneVillageInline(admin.TabularInline):
    model = ZoneVillage
    extra = 0


class PatrolTeamMemberInline(admin.TabularInline):
    model = PatrolTeamMember
    extra = 0


@admin.register(Section)
class SectionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "head", "order"]


@admin.register(Zone)
class ZoneAdmin(SimpleHistoryAdmin):
    list_display = ["name", "section", "order"]
    inlines = [ZoneVillageInline]


@admin.register(Grid)
class GridAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "village", "worker_name"]
    list_filter = ["village"]


@admin.register(PatrolTeam)
class PatrolTeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "zone", "leader", "is_active"]
    inlines = [PatrolTeamMemberInline]


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "village", "industry", "risk_level", "is_active"]
    list_filter = ["village", "risk_level", "kind"]
    search_fields = ["name", "address"]


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["site", "kind", "led_by", "started_at"]
    list_filter = ["kind"]
    raw_id_fields = ["site", "team", "led_by"]


class FindingEventInline(admin.TabularInline):
    model = FindingEvent
    extra = 0
    readonly_fields = ["action", "from_status", "to_status", "by", "at", "note", "deadline"]
    can_delete = False


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    """Kept for superusers; the portal's own ledger is the page people use."""

    list_display = ["number", "site", "village", "category", "grade", "status", "found_on", "deadline"]
    list_filter = ["village", "status", "grade", "category"]
    search_fields = ["description", "site__name"]
    raw_id_fields = ["inspection", "site", "village", "responsible_village", "responsible_unit", "created_by"]
    readonly_fields = ["number", "status", "closed_at"]
    inlines = [FindingEventInline]

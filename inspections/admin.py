from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inspections.models import Grid, PatrolTeam, PatrolTeamMember, Section, Zone, ZoneVillage


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

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from supervision.models import (
    Campaign,
    CampaignCategory,
    FollowUp,
    FollowUpRound,
    InspectionPlan,
    PlannedVisit,
    RectificationNotice,
    RectificationPlan,
)


@admin.register(RectificationPlan)
class RectificationPlanAdmin(SimpleHistoryAdmin):
    list_display = ["finding", "responsible_person", "funds", "deadline", "updated_at"]
    raw_id_fields = ["finding", "updated_by"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["finding", "source", "due_on", "done_at", "result"]
    list_filter = ["source", "result"]
    raw_id_fields = ["finding", "round", "done_by", "event"]


@admin.register(FollowUpRound)
class FollowUpRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "share", "seed", "due_on", "created_by", "created_at"]


@admin.register(CampaignCategory)
class CampaignCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "starts_on", "ends_on"]
    raw_id_fields = ["inspections", "findings"]


class PlannedVisitInline(admin.TabularInline):
    model = PlannedVisit
    raw_id_fields = ["site"]
    extra = 0


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ["planned_for", "kind", "team", "status", "created_by"]
    inlines = [PlannedVisitInline]


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(admin.ModelAdmin):
    list_display = ["number", "inspection", "finding", "issued_by", "issued_at"]
    raw_id_fields = ["inspection", "finding", "issued_by"]

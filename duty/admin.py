from django.contrib import admin

from duty.models import (
    DutyAssignment,
    DutyLogEntry,
    DutyShift,
    ResponseContact,
    ResponseTemplate,
    ResponseUnit,
    SwapRequest,
    TemplateUnit,
)


class ResponseContactInline(admin.TabularInline):
    model = ResponseContact
    extra = 1


@admin.register(ResponseUnit)
class ResponseUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "core_role", "order", "is_active"]
    list_filter = ["core_role", "is_active"]
    inlines = [ResponseContactInline]


class TemplateUnitInline(admin.TabularInline):
    model = TemplateUnit
    extra = 1


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "order"]
    inlines = [TemplateUnitInline]


class DutyAssignmentInline(admin.TabularInline):
    model = DutyAssignment
    extra = 0
    readonly_fields = ["swap"]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "holiday"]
    date_hierarchy = "starts_at"
    inlines = [DutyAssignmentInline]


@admin.register(SwapRequest)
class SwapRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "decided_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "decided_by", "decided_at"]


@admin.register(DutyLogEntry)
class DutyLogEntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "village", "caller_name", "incident"]
    list_select_related = ["village", "incident"]
    readonly_fields = ["incident", "recorded_by"]

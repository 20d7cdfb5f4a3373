from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from responsibility.models import LetterTemplate, ResponsibilityLetter, TargetItem, Unit, Village


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "head", "phone", "order"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "industries", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "industries"]


class TargetItemInline(admin.TabularInline):
    model = TargetItem
    extra = 0


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["year", "party_kind", "title"]
    list_filter = ["year", "party_kind"]
    inlines = [TargetItemInline]

    def has_change_permission(self, request, obj=None):
        # a template with issued letters froze their text: it stays as it was
        if obj is not None and obj.letters.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.letters.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ResponsibilityLetter)
class ResponsibilityLetterAdmin(admin.ModelAdmin):
    """Letters are read here, never written: issuing and signing go through the portal's pages."""

    list_display = ["year", "party_name", "deadline", "signed_at", "archived_at"]
    list_filter = ["year", "template__party_kind"]
    search_fields = ["party_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

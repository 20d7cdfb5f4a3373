from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from responsibility.models import Unit, Village


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "head", "phone", "order"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "industries", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "industries"]

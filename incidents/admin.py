from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import Incident


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = ["occurred_at", "village", "category", "deaths", "serious_injuries", "minor_injuries", "direct_loss"]
    list_filter = ["category", "village"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["site"]
    search_fields = ["summary", "cause", "location"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outreach.models import Activity, Carrier, CarrierType, VisitorCount


@admin.register(CarrierType)
class CarrierTypeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "tier", "is_venue", "expected_in_every_village", "order", "is_active"]
    list_filter = ["tier", "is_venue", "is_active"]


@admin.register(Carrier)
class CarrierAdmin(SimpleHistoryAdmin):
    list_display = ["name", "type", "village", "status", "capacity"]
    list_filter = ["type", "status", "village"]
    search_fields = ["name", "address"]
    list_select_related = ["type", "village"]
    raw_id_fields = ["created_by"]


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "held_on", "village", "carrier", "audience_count"]
    list_filter = ["kind", "village"]
    search_fields = ["title", "organiser"]
    date_hierarchy = "held_on"
    list_select_related = ["village", "carrier"]
    raw_id_fields = ["carrier", "created_by"]


@admin.register(VisitorCount)
class VisitorCountAdmin(SimpleHistoryAdmin):
    list_display = ["carrier", "month", "visitors"]
    list_select_related = ["carrier"]
    raw_id_fields = ["carrier", "recorded_by"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from chashan_safety.models import Heartbeat, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "village", "unit", "is_active"]
    list_filter = ["role", "is_active", "village"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Portal role"), {"fields": ["role", "full_name", "title", "phone", "village", "unit", "zones"]}),
    )
    filter_horizontal = ["zones", "groups", "user_permissions"]


admin.site.register(Heartbeat)
admin.site.site_header = _("Chashan Town Work Safety Portal")

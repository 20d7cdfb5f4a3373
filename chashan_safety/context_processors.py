from django.conf import settings

from chashan_safety.inbox import unread_count
from chashan_safety.registry import NavItem, nav_entries_for


def portal(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    entries = nav_entries_for(user) if signed_in else []
    path = request.path
    active = None
    for entry in entries:
        for item in [entry] if isinstance(entry, NavItem) else entry[1]:
            prefixes = item.active_prefixes or (item.url,)
            if item.url != "/" and any(path.startswith(prefix) for prefix in prefixes):
                active = item.key
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_entries": entries,
        "nav_active": active,
        # the bell's badge: one COUNT per request
        "inbox_unread": unread_count(request) if signed_in else 0,
    }

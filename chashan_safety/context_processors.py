from django.conf import settings
from django.urls import get_script_prefix

from chashan_safety.inbox import unread_count
from chashan_safety.registry import NavLink, nav_links_for_role, role_of


def portal(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    entries = nav_links_for_role(role_of(user), get_script_prefix()) if signed_in else ()
    path = request.path
    active = None
    for entry in entries:
        for item in [entry] if isinstance(entry, NavLink) else entry[1]:
            if item.url != "/" and any(path.startswith(prefix) for prefix in item.prefixes):
                active = item.key
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_entries": entries,
        "nav_active": active,
        # the bell's badge: read with the user (see chashan_safety.auth), else one COUNT
        "inbox_unread": unread_count(request) if signed_in else 0,
    }

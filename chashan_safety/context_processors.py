from django.conf import settings

from chashan_safety.registry import nav_for


def portal(request):
    user = getattr(request, "user", None)
    items = nav_for(user) if user is not None and user.is_authenticated else []
    path = request.path
    active = None
    for item in items:
        prefixes = item.active_prefixes or (item.url,)
        if any(path.startswith(prefix) for prefix in prefixes) and item.url != "/":
            active = item.key
    return {"portal_name": settings.PORTAL_NAME, "nav_items": items, "nav_active": active}

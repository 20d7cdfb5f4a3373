"""Session expiry after inactivity, without a database write on every request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

TOUCH_KEY = "_touched"


@receiver(user_logged_in)
def _touch_on_login(sender, request, user, **kwargs):
    # signing in saves the session anyway: count the interval from here
    if request is not None and hasattr(request, "session"):
        request.session[TOUCH_KEY] = int(time.time())


class IdleSessionMiddleware:
    """Renews a signed-in session at most every SESSION_TOUCH_INTERVAL seconds.

    Renewing marks the session modified, so Django saves it with a fresh expiry: a session thus
    ends SESSION_COOKIE_AGE after the last request (give or take the interval), while a page that
    loads twenty photos at once costs no twenty session writes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(request.session.get(TOUCH_KEY, 0)) >= settings.SESSION_TOUCH_INTERVAL:
                request.session[TOUCH_KEY] = now
        return self.get_response(request)

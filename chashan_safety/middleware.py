"""Session expiry after inactivity, without a database write on every request; request ids; a cap on
request bodies."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string

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


# --- Request ids -----------------------------------------------------------------------------------
# One id per request, so that what an official quotes from an error page finds its lines in the log.

#: the id of the request this thread or task is serving ("-" outside a request)
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# what a proxy may hand over (nginx's $request_id, a UUID …): anything else is replaced, so a client
# cannot write arbitrary text into the log or the response headers
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


class RequestIdMiddleware:
    """Gives each request an id: the proxy's ``X-Request-ID`` when it is a sane token, else a new one.

    The id is ``request.request_id``, is added to every log record written while the request is served
    (``RequestIdFilter``), and is sent back in the ``X-Request-ID`` response header. First in
    ``MIDDLEWARE``, so that every response carries it, error pages included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request.request_id = offered if _SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record, so that a format may show ``%(request_id)s``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


# --- request bodies too large to take ----------------------------------------------------------------


class RequestBodyLimitMiddleware:
    """Answers 413 with a plain page to a request whose body is larger than the portal ever takes.

    The check reads only the Content-Length header, before anything reads the body, so a huge upload
    costs neither memory nor a temporary file. A form with photos may carry up to
    ``MAX_REQUEST_BODY_BYTES``; any other body the ``DATA_UPLOAD_MAX_MEMORY_SIZE`` that Django would
    refuse later anyway (with a bare 400). nginx's ``client_max_body_size`` refuses even earlier.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > self.limit_for(request):
            page = render_to_string("413.html", {"max_megabytes": settings.MAX_REQUEST_BODY_BYTES // 2**20})
            response = HttpResponse(page, status=413)
            # the client is still sending: the length tells it where this answer ends
            response["Content-Length"] = str(len(response.content))
            return response
        return self.get_response(request)

    @staticmethod
    def limit_for(request) -> int:
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            return settings.MAX_REQUEST_BODY_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or settings.MAX_REQUEST_BODY_BYTES

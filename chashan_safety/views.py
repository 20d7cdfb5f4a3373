from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Case, Value, When
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chashan_safety.celery import app as celery_app
from chashan_safety.filters import UserFilter
from chashan_safety.forms import UserForm, UserPasswordForm
from chashan_safety.models import Heartbeat, Role, User
from chashan_safety.permissions import town_admin_required
from chashan_safety.registry import panels_for
from chashan_safety.twofactor import confirmed_device_id

log = logging.getLogger(__name__)


@login_required
def home(request):
    return render(request, "home.html", {"panels": panels_for(request.user)})


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure to reach the database is reported, not raised
        log.warning("health: database unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}


def _check_broker() -> dict:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
        return {"ok": True}
    except Exception as exc:
        log.warning("health: broker unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}


def _check_beat(database_ok: bool) -> dict:
    if not database_ok:
        return {"ok": False, "last_run": None, "error": "database unavailable"}
    beat = Heartbeat.objects.filter(name="beat").first()
    if beat is None:
        return {"ok": False, "last_run": None}
    age = (timezone.now() - beat.last_seen).total_seconds()
    return {"ok": age <= settings.HEALTH_BEAT_MAX_AGE, "last_run": beat.last_seen.isoformat(), "age_seconds": int(age)}


@never_cache
def healthz(request):
    database = _check_database()
    checks = {"database": database, "broker": _check_broker(), "beat": _check_beat(database["ok"])}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "fail", **checks}, status=200 if healthy else 503)


def client_ip(request) -> str:
    """The client's address for lock-out: behind N trusted proxies, the Nth entry from the right."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request, original_response=None, credentials=None):
    """Shown instead of the login form while a username is locked from this address."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


@require_POST
def set_language(request):
    """Switch the interface language; an unknown code changes nothing and says so."""
    code = request.POST.get("language", "")
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code not in dict(settings.LANGUAGES):
        messages.error(request, _("That language is not available."))
        return response
    translation.activate(code)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


#: the account list reads from the town down: its administrators and leaders, the officers, then the offices
ROLE_ORDER = Case(
    *(
        When(role=role, then=Value(position))
        for position, role in enumerate(
            [Role.TOWN_ADMIN, Role.LEADERSHIP, Role.SAFETY_OFFICER, Role.VILLAGE_OFFICE, Role.UNIT_OFFICE]
        )
    ),
    default=Value(9),
)


@town_admin_required
def user_list(request):
    qs = User.objects.visible_to(request.user).select_related("village", "unit").prefetch_related("zones")
    user_filter = UserFilter(request.GET, queryset=qs.order_by(ROLE_ORDER, "village__order", "unit__name", "username"))
    page = Paginator(user_filter.qs, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"filter": user_filter, "page_obj": page})


@town_admin_required
def user_edit(request, pk: int | None = None):
    instance = get_object_or_404(User.objects.visible_to(request.user), pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Account %(name)s was saved.") % {"name": user.display_name})
        return redirect("accounts:user-list")
    two_factor_on = instance is not None and confirmed_device_id(instance) is not None
    context = {"form": form, "object": instance, "two_factor_on": two_factor_on}
    return render(request, "accounts/user_form.html", context)


@town_admin_required
def user_set_password(request, pk: int):
    target = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = UserPasswordForm(target, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("A new password was set for %(name)s.") % {"name": target.display_name})
        return redirect("accounts:user-list")
    return render(request, "accounts/user_password.html", {"form": form, "object": target})


# --- Error pages ---------------------------------------------------------------------------------
# Django calls handler500 (chashan_safety.urls) inside its exception handling, so sys.exc_info() is the
# error. Both pages are rendered without the request: no context processor, no database, no session.

# SQLSTATE classes of PostgreSQL errors that mean the server cannot serve us now: 08 connection
# exception, 53 insufficient resources (too many connections …), 57P operator intervention (shutdown,
# restart, "the database system is starting up")
_OUTAGE_SQLSTATES = ("08", "53", "57P")
# SQLite: busy or locked, cannot open, I/O error, disk full
_OUTAGE_SQLITE_CODES = {5, 6, 10, 13, 14}


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached (an outage), rather than that a query was wrong."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    if isinstance(exc, InterfaceError):  # "connection already closed"
        return True
    driver_error = exc.__cause__
    pgcode = getattr(driver_error, "pgcode", None)
    if pgcode is not None:
        return pgcode.startswith(_OUTAGE_SQLSTATES)
    sqlite_code = getattr(driver_error, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in _OUTAGE_SQLITE_CODES
    return True  # no answer from the server at all: refused, reset, timed out


def _error_page(template_name: str, request_id: str | None, status: int) -> HttpResponse:
    try:
        body = loader.get_template(template_name).render({"request_id": request_id})
    except Exception:  # the page of last resort must not fail in turn
        log.exception("error page %s could not be rendered", template_name)
        body = (
            '<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>茶山安全</title>'
            f"<h1>{status}</h1><p>系统暂时出错，请稍后再试。</p><p>错误编号：{escape(request_id or '-')}</p></html>"
        )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def server_error(request):
    """handler500: the generic error page with the request id; a database outage gets 503 instead."""
    exc = sys.exc_info()[1]
    request_id = getattr(request, "request_id", None)
    if not database_unavailable(exc):
        return _error_page("500.html", request_id, 500)
    response = _error_page("503.html", request_id, 503)
    response["Retry-After"] = "30"
    # one line per request, without a traceback: the same one on every page while the database is away
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    log.error(
        "Service unavailable, database unreachable: %s %s (%s: %s)",
        request.method,
        request.path,
        exc.__class__.__name__,
        first_line,
    )
    response._has_been_logged = True  # tells Django's request logger not to log it again
    return response

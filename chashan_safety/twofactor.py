"""Two-factor sign-in: after the password, a six-digit code from an authenticator app (TOTP, django-otp).

Required for town administrators, leadership and staff who may open Django's admin (unless
``CHASHAN_REQUIRE_2FA`` is off); optional for the other roles, who turn it on from their user menu. Once
someone has a confirmed authenticator, every sign-in asks for its code. Until the code is given, every page
(the admin included) sends them to the code step, or to enrolment when they must enrol and have not.

The verified state is one session value: the id of the authenticator the code was checked against. So it
ends with the session (signing out, inactivity) and with the authenticator (a reset deletes it). The id of
the user's confirmed authenticator is read in the query that loads the user (``chashan_safety.auth``): a page
costs no query more than before, where django-otp's own middleware would load the device on every request.

Wrong codes meet two limits. django-otp's throttle on the device asks for 1, 2, 4, 8 … seconds between
attempts after successive failures, counted across sign-ins until a right code. And every wrong code counts
as a failed sign-in of that username from that address for django-axes: at ``AXES_FAILURE_LIMIT`` the user
is signed out and locked out for the cool-off, like after wrong passwords.

Backup codes (django-otp's static device): ten one-time codes shown once, at enrolment or when made anew.
"""

from __future__ import annotations

import base64
import logging
import math
import re
from dataclasses import dataclass

import segno
from axes.helpers import get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chashan_safety.models import User
from chashan_safety.permissions import town_admin_required

log = logging.getLogger(__name__)

#: the session value that says "the code was given": the id of the authenticator it was checked against
VERIFIED_SESSION_KEY = "_two_factor_device"
#: new backup codes wait here, between the action that made them and the one page that shows them
NEW_CODES_SESSION_KEY = "_two_factor_new_codes"
#: set on users loaded by ``chashan_safety.auth.PortalBackend``: the id of their confirmed authenticator
DEVICE_ATTRIBUTE = "totp_device_on_load"
BACKUP_CODE_COUNT = 10

#: pages an unverified user may still open (URL names without namespace); static files are free too
OPEN_PAGES = frozenset({"login", "logout", "set-language", "healthz", "two-factor-verify", "two-factor-setup"})

_SIX_DIGITS = re.compile(r"\d{6}")
_BACKUP_CODE = re.compile(r"[a-z2-7]{8}")


# --- who must give a code -------------------------------------------------------------------------------


def device_id_sql() -> RawSQL:
    """The id of the user's confirmed authenticator (or NULL), as a subquery for loading the user."""
    devices = connection.ops.quote_name(TOTPDevice._meta.db_table)
    users = connection.ops.quote_name(User._meta.db_table)
    sql = (
        f"SELECT d.id FROM {devices} d WHERE d.user_id = {users}.id AND d.confirmed "  # noqa: S608  # nosec B608 (names from models)
        "ORDER BY d.id LIMIT 1"
    )
    return RawSQL(sql, ())  # noqa: S611  # nosec B611 (no value from outside)


def confirmed_device_id(user) -> int | None:
    if hasattr(user, DEVICE_ATTRIBUTE):
        return getattr(user, DEVICE_ATTRIBUTE)
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").values_list("pk", flat=True).first()


def is_required(user) -> bool:
    """Whether this user must enrol: town administrators, leadership and whoever may open the admin."""
    return bool(settings.CHASHAN_REQUIRE_2FA) and (user.is_town_admin or user.is_leadership or user.is_staff)


def verification_pending(request) -> bool:
    """Whether this signed-in user still owes a code (or an enrolment) before any other page."""
    device_id = confirmed_device_id(request.user)
    if device_id is None:
        return is_required(request.user)
    return request.session.get(VERIFIED_SESSION_KEY) != device_id


def _is_open(path: str) -> bool:
    if path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return not match.namespaces and match.url_name in OPEN_PAGES


def _step_url(request, name: str) -> str:
    url = reverse(name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class TwoFactorMiddleware:
    """Sends a signed-in user who owes a code to the code step (or to enrolment) from every other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        owes_code = user is not None and user.is_authenticated and verification_pending(request)
        if owes_code and not _is_open(request.path_info):
            step = "two-factor-verify" if confirmed_device_id(user) else "two-factor-setup"
            return HttpResponseRedirect(_step_url(request, step))
        return self.get_response(request)


# --- services ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    backup_code: bool = False
    #: set when the throttle refused to look at the code: when the next attempt is allowed
    retry_at: object = None
    device_id: int | None = None


def normalise_code(raw: str) -> str:
    """Spaces and hyphens removed, lower case: "123 456", "abcd-efgh" and "ABCDEFGH" are all fine."""
    return re.sub(r"[\s-]+", "", raw or "").lower()


def _record(*, by: User, user: User, message: str) -> None:
    """A row in the admin's history of ``user`` (who did it, when, what)."""
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[user], action_flag=CHANGE, change_message=message, single_object=True
    )


@transaction.atomic
def check_code(*, user: User, code: str) -> CodeCheck:
    """Check a code from the authenticator (six digits) or a backup code against ``user``'s devices.

    The device row is locked: two requests with the same code at once cannot both use it.
    """
    code = normalise_code(code)
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
    if totp is None:
        return CodeCheck(ok=False)
    if _SIX_DIGITS.fullmatch(code):
        device = totp
    else:
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            return CodeCheck(ok=False)
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(ok=False, retry_at=(info or {}).get("locked_until"))
    ok = device.verify_token(code)
    return CodeCheck(ok=ok, backup_code=isinstance(device, StaticDevice), device_id=totp.pk)


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled: made once, the same one until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def new_backup_codes(*, user: User) -> list[str]:
    """Replace ``user``'s backup codes with ``BACKUP_CODE_COUNT`` new ones, and return them (shown once)."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    device.throttle_reset()
    return codes


@transaction.atomic
def enrol(*, user: User, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending authenticator with a code from it; returns it and the new backup codes, or None."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None or not _SIX_DIGITS.fullmatch(normalise_code(code)):
        return None
    if not device.verify_is_allowed()[0] or not device.verify_token(normalise_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()  # one authenticator per person
    codes = new_backup_codes(user=user)
    _record(by=user, user=user, message=_("Two-factor sign-in was set up."))
    return device, codes


@transaction.atomic
def remove_two_factor(*, user: User, by: User) -> int:
    """Delete ``user``'s authenticator and backup codes (a reset by a town administrator, or turning it off).

    Returns how many devices went. Every session of ``user`` verified with the old authenticator stops
    counting as verified on its next request.
    """
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    static, _detail = StaticDevice.objects.filter(user=user).delete()
    if by.pk == user.pk:
        message = _("Two-factor sign-in was turned off.")
    else:
        message = _("Two-factor sign-in was reset by %(name)s.") % {"name": by.display_name}
    _record(by=by, user=user, message=message)
    log.info("two-factor: %s removed the devices of %s", by.username, user.username)
    return removed + static


# --- forms ------------------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Sign-in code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "class": "otp-input"}
        ),
    )

    def __init__(self, *args, backup_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.backup_allowed = backup_allowed

    def clean_otp_token(self) -> str:
        code = normalise_code(self.cleaned_data["otp_token"])
        if _SIX_DIGITS.fullmatch(code) or (self.backup_allowed and _BACKUP_CODE.fullmatch(code)):
            return code
        if self.backup_allowed:
            raise forms.ValidationError(_("Enter the 6-digit code from your authenticator app, or a backup code."))
        raise forms.ValidationError(_("Enter the 6-digit code from your authenticator app."))


# --- views ------------------------------------------------------------------------------------------------


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _mark_verified(request, device_id: int) -> None:
    # a new session key for the session that now counts as fully signed in
    request.session.cycle_key()
    request.session[VERIFIED_SESSION_KEY] = device_id


def _wait_message(retry_at) -> str:
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds())) if retry_at else 1
    return _("Too many wrong codes. Wait %(seconds)s seconds, then try again.") % {"seconds": seconds}


def _count_failure(request) -> bool:
    """Count a wrong code as a failed sign-in for django-axes; True when that locks this username out here."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.get_username()}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def _secret_text(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_svg(device: TOTPDevice) -> str:
    # drawn here as inline SVG: no image service, nothing leaves the portal; dark on white in either mode
    qr = segno.make(device.config_url, micro=False)
    svg = qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True, svgclass="otp-qr")
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703 (segno's own SVG of our own URL)


@never_cache
@login_required
def verify(request):
    """The code step of signing in."""
    user = request.user
    if not verification_pending(request):
        return redirect(_next_url(request))
    if confirmed_device_id(user) is None:
        return redirect(_step_url(request, "two-factor-setup") if request.method == "GET" else "two-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = check_code(user=user, code=form.cleaned_data["otp_token"])
        if result.ok:
            _mark_verified(request, result.device_id)
            if result.backup_code:
                left = StaticToken.objects.filter(device__user=user).count()
                messages.warning(
                    request,
                    _("You signed in with a backup code; %(count)s are left. Make new ones under Two-factor sign-in.")
                    % {"count": left},
                )
            return redirect(_next_url(request))
        log.warning("two-factor: wrong code for %s", user.username)
        if _count_failure(request):
            credentials = {"username": user.get_username()}
            logout(request)
            return get_lockout_response(request, None, credentials)
        if result.retry_at:
            form.add_error("otp_token", _wait_message(result.retry_at))
        else:
            form.add_error("otp_token", _("That code is not right, or was already used. Try the current code."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request), "two_factor_pending": True},
    )


@never_cache
@login_required
def setup(request):
    """Enrolment: scan the QR code (or type the secret), then confirm with a code from the app."""
    user = request.user
    if confirmed_device_id(user) is not None:
        messages.info(request, _("Two-factor sign-in is already on for your account."))
        return redirect("two-factor")
    device = pending_device(user)
    form = CodeForm(request.POST or None, backup_allowed=False)
    if request.method == "POST" and form.is_valid():
        enrolled = enrol(user=user, code=form.cleaned_data["otp_token"])
        if enrolled is not None:
            confirmed, codes = enrolled
            setattr(user, DEVICE_ATTRIBUTE, confirmed.pk)
            _mark_verified(request, confirmed.pk)
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor sign-in is on. Keep the backup codes below somewhere safe."))
            return redirect(f"{reverse('two-factor-codes')}?{urlencode({'next': _next_url(request)})}")
        device.refresh_from_db()
        _allowed, throttled = device.verify_is_allowed()
        if throttled:
            form.add_error("otp_token", _wait_message(throttled.get("locked_until")))
        else:
            message = _("That code is not right. Check the time on your phone and try the current code.")
            form.add_error("otp_token", message)
    context = {
        "form": form,
        "qr_svg": _qr_svg(device),
        "secret": _secret_text(device),
        "required": is_required(user),
        "next": _next_url(request),
        "two_factor_pending": verification_pending(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
def backup_codes(request):
    """New backup codes, shown once: a reload finds them gone."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("two-factor")
    shown = [f"{code[:4]}-{code[4:]}" for code in codes]
    return render(request, "accounts/two_factor_codes.html", {"codes": shown, "next": _next_url(request)})


@never_cache
@login_required
def overview(request):
    """The user's own two-factor page: on or off, backup codes left; turn on, new codes, turn off."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    context = {
        "device": device,
        "codes_left": StaticToken.objects.filter(device__user=user).count() if device else 0,
        "required": is_required(user),
        "form": CodeForm(),
    }
    return render(request, "accounts/two_factor.html", context)


@require_POST
@login_required
def codes_new(request):
    if confirmed_device_id(request.user) is None:
        return redirect("two-factor")
    request.session[NEW_CODES_SESSION_KEY] = new_backup_codes(user=request.user)
    _record(by=request.user, user=request.user, message=_("New backup codes were made."))
    return redirect("two-factor-codes")


@require_POST
@login_required
def turn_off(request):
    """Optional roles may turn two-factor sign-in off again, with a current code."""
    user = request.user
    if is_required(user):
        messages.error(request, _("Your role must sign in with two factors; it cannot be turned off."))
        return redirect("two-factor")
    form = CodeForm(request.POST)
    if form.is_valid():
        result = check_code(user=user, code=form.cleaned_data["otp_token"])
        if result.ok:
            remove_two_factor(user=user, by=user)
            request.session.pop(VERIFIED_SESSION_KEY, None)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two-factor")
        message = _wait_message(result.retry_at) if result.retry_at else _("That code is not right.")
    else:
        message = form.errors["otp_token"][0]
    messages.error(request, message)
    return redirect("two-factor")


@require_POST
@town_admin_required
def user_reset(request, pk: int):
    """A town administrator removes another person's authenticator and backup codes (a lost phone)."""
    target = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    remove_two_factor(user=target, by=request.user)
    if is_required(target):
        text = _("Two-factor sign-in of %(name)s was reset: they set it up again at their next sign-in.")
    else:
        text = _("Two-factor sign-in of %(name)s was reset.")
    messages.success(request, text % {"name": target.display_name})
    return redirect("accounts:user-edit", pk=target.pk)

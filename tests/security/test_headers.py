"""What a production server tells the browser: the Content-Security-Policy, HSTS, secure cookies,
framing, referrer and sniffing rules; and `check --deploy --fail-level WARNING` passes.

The production values are not copied here: chashan_safety/settings.py itself is executed with a
production environment (DJANGO_DEBUG=0, a long random DJANGO_SECRET_KEY, ALLOWED_HOSTS), and the
settings that the deploy checks and the security middleware read are taken from it. The rest (the
test database, the static-files storage without a manifest) stays the test run's.
"""

from __future__ import annotations

import runpy
import secrets
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.urls import reverse

from tests.builders import make_finding, make_site
from tests.factories import PASSWORD

HOST = "anquan.chashan.example"
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
}
SECURITY_SETTINGS = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "MIDDLEWARE",
    "X_FRAME_OPTIONS",
    "SILENCED_SYSTEM_CHECKS",
    "CONTENT_SECURITY_POLICY",
}
SECURITY_PREFIXES = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_")
#: the policy the portal sends, directive by directive
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


@pytest.fixture(scope="module")
def production_values():
    """The security settings that chashan_safety/settings.py gives under a production environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PRODUCTION_ENV.items():
            patch.setenv(name, value)
        values = runpy.run_path(str(settings.BASE_DIR / "chashan_safety" / "settings.py"))
    return {
        name: value for name, value in values.items() if name in SECURITY_SETTINGS or name.startswith(SECURITY_PREFIXES)
    }


@pytest.fixture
def production(production_values):
    with override_settings(**production_values):
        yield production_values


def policy_of(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def secure_get(client, url):
    return client.get(url, secure=True, headers={"host": HOST})


# --- check --deploy --------------------------------------------------------------------------------


def test_production_mode_changes_the_settings_that_the_deploy_checks_look_at(production_values):
    assert production_values["DEBUG"] is False
    assert production_values["SECURE_SSL_REDIRECT"] is True
    assert production_values["SESSION_COOKIE_SECURE"] is True
    assert production_values["CSRF_COOKIE_SECURE"] is True
    assert production_values["SECURE_HSTS_SECONDS"] >= 31536000


def test_the_deploy_checks_pass_at_warning_level_under_production_settings(production, monkeypatch):
    # the browser journeys set it for Playwright's live server in this process; a server never has it
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    out = StringIO()
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    assert "System check identified no issues" in out.getvalue()


@pytest.mark.parametrize(
    ("setting", "laptop_value", "check_id"),
    [
        ("DEBUG", True, "security.W018"),
        ("SECURE_HSTS_SECONDS", 0, "security.W004"),
        ("SECURE_SSL_REDIRECT", False, "security.W008"),
        ("SESSION_COOKIE_SECURE", False, "security.W012"),
        ("CSRF_COOKIE_SECURE", False, "security.W016"),
        ("X_FRAME_OPTIONS", "SAMEORIGIN", "security.W019"),
        ("SECRET_KEY", "django-insecure-short", "security.W009"),
    ],
)
def test_the_deploy_checks_fail_when_one_protection_is_missing(production, setting, laptop_value, check_id):
    with override_settings(**{setting: laptop_value}), pytest.raises(SystemCheckError, match=check_id):
        call_command("check", deploy=True, fail_level="WARNING", stdout=StringIO(), stderr=StringIO())


# --- the headers of real responses -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_carries_every_security_header(client, production):
    response = secure_get(client, reverse("login"))
    assert response.status_code == 200
    assert policy_of(response) == POLICY
    assert response["Strict-Transport-Security"] == f"max-age={production['SECURE_HSTS_SECONDS']}; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_policy_allows_no_inline_script_no_eval_and_no_inline_style(client, production):
    header = secure_get(client, reverse("login"))["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert "'unsafe-hashes'" not in header
    assert "*" not in header


@pytest.mark.django_db
def test_plain_http_is_sent_to_https(client, production):
    response = client.get(reverse("login"), headers={"host": HOST})
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}{reverse('login')}"


@pytest.mark.django_db
def test_a_signed_in_page_and_a_page_out_of_scope_carry_the_policy(client_for, village_office, village_b, production):
    client = client_for(village_office)
    home = secure_get(client, reverse("home"))
    assert home.status_code == 200
    assert policy_of(home) == POLICY

    other_village_finding = make_finding(make_site(village_b))
    not_found = secure_get(client, reverse("inspections:finding-detail", args=[other_village_finding.pk]))
    assert not_found.status_code == 404
    assert policy_of(not_found) == POLICY
    assert not_found["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_cookies_are_secure_and_hidden_from_scripts_in_production(client, village_office, production):
    page = secure_get(client, reverse("login"))
    assert page.cookies["csrftoken"]["secure"] is True

    response = client.post(
        reverse("login"),
        {"username": village_office.username, "password": PASSWORD},
        secure=True,
        headers={"host": HOST},
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"

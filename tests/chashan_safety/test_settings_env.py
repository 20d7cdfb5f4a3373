"""Settings come from the environment through strict helpers: a bad value fails loudly with a message that
names the variable, and manage.py turns it into one readable line instead of a traceback."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from chashan_safety.env import env_bool, env_int, env_list, env_str, parse_database_url, parse_email_url

PROJECT_DIR = Path(settings.BASE_DIR)

# --- env_str / env_bool / env_int / env_list --------------------------------------------------------------


def test_env_str_returns_the_value_or_the_default(monkeypatch):
    monkeypatch.setenv("CHASHAN_TEST_VALUE", "abc")
    assert env_str("CHASHAN_TEST_VALUE", "x") == "abc"
    monkeypatch.setenv("CHASHAN_TEST_VALUE", "")
    assert env_str("CHASHAN_TEST_VALUE", "x") == "x"


def test_env_str_without_a_default_names_the_missing_variable(monkeypatch):
    monkeypatch.delenv("CHASHAN_TEST_VALUE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="CHASHAN_TEST_VALUE is required"):
        env_str("CHASHAN_TEST_VALUE")


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_reads_the_words_for_true(monkeypatch, raw):
    monkeypatch.setenv("CHASHAN_TEST_FLAG", raw)
    assert env_bool("CHASHAN_TEST_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", "OFF"])
def test_env_bool_reads_the_words_for_false(monkeypatch, raw):
    monkeypatch.setenv("CHASHAN_TEST_FLAG", raw)
    assert env_bool("CHASHAN_TEST_FLAG", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_falls_back_to_the_default_when_unset_or_empty(monkeypatch, default):
    monkeypatch.delenv("CHASHAN_TEST_FLAG", raising=False)
    assert env_bool("CHASHAN_TEST_FLAG", default) is default
    monkeypatch.setenv("CHASHAN_TEST_FLAG", "  ")
    assert env_bool("CHASHAN_TEST_FLAG", default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "enabled"])
def test_env_bool_refuses_anything_else_and_names_variable_and_value(monkeypatch, raw):
    monkeypatch.setenv("CHASHAN_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env_bool("CHASHAN_TEST_FLAG", True)
    assert "CHASHAN_TEST_FLAG" in str(error.value)
    assert repr(raw) in str(error.value)


def test_env_int_reads_a_whole_number(monkeypatch):
    monkeypatch.setenv("CHASHAN_TEST_NUMBER", " 42 ")
    assert env_int("CHASHAN_TEST_NUMBER", 1) == 42
    monkeypatch.delenv("CHASHAN_TEST_NUMBER")
    assert env_int("CHASHAN_TEST_NUMBER", 7) == 7


@pytest.mark.parametrize("raw", ["ten", "4.5", "1e3", "5 minutes"])
def test_env_int_refuses_what_is_not_a_whole_number(monkeypatch, raw):
    monkeypatch.setenv("CHASHAN_TEST_NUMBER", raw)
    with pytest.raises(ImproperlyConfigured, match=r"CHASHAN_TEST_NUMBER.*not a whole number"):
        env_int("CHASHAN_TEST_NUMBER", 1)


def test_env_int_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("CHASHAN_TEST_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="CHASHAN_TEST_NUMBER=0 is below the minimum of 1"):
        env_int("CHASHAN_TEST_NUMBER", 5, minimum=1)
    monkeypatch.setenv("CHASHAN_TEST_NUMBER", "1")
    assert env_int("CHASHAN_TEST_NUMBER", 5, minimum=1) == 1


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("CHASHAN_TEST_HOSTS", " safety.example.org, ,10.0.0.5,, ")
    assert env_list("CHASHAN_TEST_HOSTS", ["x"]) == ["safety.example.org", "10.0.0.5"]


def test_env_list_returns_a_copy_of_the_default(monkeypatch):
    monkeypatch.delenv("CHASHAN_TEST_HOSTS", raising=False)
    default = ["127.0.0.1"]
    hosts = env_list("CHASHAN_TEST_HOSTS", default)
    hosts.append("evil.example.com")
    assert default == ["127.0.0.1"]


# --- DATABASE_URL -------------------------------------------------------------------------------------------


def test_parse_database_url_reads_a_postgresql_url():
    config = parse_database_url("postgresql://safety:p%40ss%2Fword@db.example.org:5432/chashan?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "chashan"
    assert config["USER"] == "safety"
    assert config["PASSWORD"] == "p@ss/word"
    assert config["HOST"] == "db.example.org"
    assert config["PORT"] == "5432"
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_parse_database_url_accepts_every_postgresql_spelling(scheme):
    config = parse_database_url(f"{scheme}://u@localhost/chashan", conn_max_age=0)
    assert (config["ENGINE"], config["NAME"], config["PORT"], config["CONN_MAX_AGE"]) == (
        "django.db.backends.postgresql",
        "chashan",
        "",
        0,
    )


def test_parse_database_url_reads_an_absolute_sqlite_path():
    assert parse_database_url("sqlite:////srv/chashan/var/db.sqlite3") == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/srv/chashan/var/db.sqlite3",
    }


def test_parse_database_url_reads_a_relative_sqlite_path():
    assert parse_database_url("sqlite:///var/db.sqlite3")["NAME"] == "var/db.sqlite3"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user:pw@host/db", "unsupported scheme 'mysql'"),
        ("db.example.org/chashan", "unsupported scheme ''"),
        ("postgresql://user:pw@host:5432/", "names no database"),
        ("postgresql://user:pw@host:5432", "names no database"),
        ("postgresql://user:pw@host:port/chashan", "port that is not a number"),
        ("sqlite://", "names no file"),
    ],
)
def test_a_bad_database_url_raises_a_readable_error(url, message):
    with pytest.raises(ImproperlyConfigured, match=message) as error:
        parse_database_url(url)
    assert "DATABASE_URL" in str(error.value)


def test_a_bad_database_url_does_not_echo_the_password():
    with pytest.raises(ImproperlyConfigured) as error:
        parse_database_url("mysql://user:hunter2-secret@host/db")
    assert "hunter2-secret" not in str(error.value)


# --- EMAIL_URL ----------------------------------------------------------------------------------------------


def test_parse_email_url_reads_an_smtp_url():
    config = parse_email_url("smtp://mailer:s%40cret@mail.example.org:2525")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "s@cret",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": False,
    }


@pytest.mark.parametrize(
    ("url", "port", "ssl", "tls"),
    [
        ("smtp://mail.example.org", 25, False, False),
        ("smtps://mail.example.org", 465, True, False),
        ("submission://mail.example.org", 587, False, True),
    ],
)
def test_parse_email_url_picks_the_usual_port_and_encryption(url, port, ssl, tls):
    config = parse_email_url(url)
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (port, ssl, tls)


@pytest.mark.parametrize(
    ("url", "backend"),
    [("console://", "console"), ("locmem://", "locmem"), ("dummy://", "dummy")],
)
def test_parse_email_url_reads_the_backends_without_a_server(url, backend):
    assert parse_email_url(url) == {"EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://mail.example.org", "unsupported scheme 'ftp'"),
        ("smtp://", "names no mail server host"),
        ("smtp://mail.example.org:twenty-five", "port that is not a number"),
    ],
)
def test_a_bad_email_url_raises_a_readable_error(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_email_url(url)


# --- the whole settings module, end to end ------------------------------------------------------------------


@pytest.fixture
def clean_env(tmp_path):
    """The current environment without any deployment variable, with var/ in a temporary folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "SECURE_", "AXES_", "EMAIL_"))
        and key not in {"ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "STATIC_ROOT", "MEDIA_ROOT", "CHASHAN_VAR_DIR"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "chashan_safety.settings"
    env["CHASHAN_VAR_DIR"] = str(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG"),
        ("AXES_FAILURE_LIMIT", "five", "AXES_FAILURE_LIMIT"),
    ],
)
def test_manage_py_reports_a_bad_variable_in_one_line_without_a_traceback(clean_env, variable, value, named):
    clean_env[variable] = value
    result = manage(clean_env, "check")
    assert result.returncode != 0
    assert "Configuration error" in result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key(clean_env):
    clean_env.update(DJANGO_DEBUG="0", ALLOWED_HOSTS="safety.example.org")
    result = manage(clean_env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_the_deployment_checks(clean_env):
    clean_env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(45)[:60],
        ALLOWED_HOSTS="safety.example.org",
    )
    result = manage(clean_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_there_are_no_model_changes_without_a_migration(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()

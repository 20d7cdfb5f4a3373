"""Error pages and request ids with DEBUG=0: what a user sees when something breaks, and what the log keeps.

A request carries an id (the proxy's X-Request-ID when it is a sane token, else a new one) in its
response header, on the error page an official can quote, and in every log line written while it is
served. An error shows a generic page and leaks no traceback, SQL, setting or file path; a database
that cannot be reached answers 503 with a plain page (the real outage: test_outages.py).
"""

from __future__ import annotations

import io
import logging
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, ProgrammingError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.template import TemplateSyntaxError
from django.template.loader import render_to_string
from django.urls import reverse

from chashan_safety.views import database_unavailable
from tests.helpers import page_text

SECRET_WORDS = "password=hunter2 in /srv/chashan/settings.py"


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def signed_in(client_for, town_admin):
    """A signed-in client that gets the error page back instead of the exception (as a browser would)."""
    return client_for(town_admin, raise_request_exception=False)


@contextmanager
def portal_log():
    """What the portal's own log handler (settings.LOGGING "console") writes meanwhile, as text."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def request_id_on_page(response) -> str:
    match = re.search(r"<code[^>]*data-request-id>([^<]+)</code>", page_text(response))
    assert match, "the error page shows no error number"
    return match.group(1)


def assert_leaks_nothing(response):
    content = page_text(response)
    for leak in ("Traceback", 'File "', ".py", str(settings.BASE_DIR), settings.SECRET_KEY, "SECRET_KEY"):
        assert leak not in content, leak
    for leak in ("SELECT", "FROM", "no_such_register", "hunter2", "/srv/chashan", "DEBUG"):
        assert leak not in content, leak


def boom(user):
    raise RuntimeError(SECRET_WORDS)


def bad_sql(user):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT secret_column FROM no_such_register WHERE password = 'hunter2'")


# --- request ids -------------------------------------------------------------------------------------


def test_every_response_carries_a_new_request_id(client):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


def test_the_request_id_of_the_proxy_is_kept_and_sent_back(client):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="7f3c2a9e-4b1d-4c8e-9f2a-1d3e5b7c9a0f")

    assert response["X-Request-ID"] == "7f3c2a9e-4b1d-4c8e-9f2a-1d3e5b7c9a0f"


@pytest.mark.parametrize(
    "offered",
    ["", "x" * 65, "abc def", "abc\nINFO forged log line", "<script>alert(1)</script>", "-starts-with-a-dash"],
)
def test_a_request_id_that_is_not_a_sane_token_is_replaced_by_a_new_one(client, offered):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=offered)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_log_lines_written_during_a_request_carry_its_id_and_others_a_dash(signed_in, monkeypatch):
    def panels_that_log(user):
        logging.getLogger("chashan_safety.registry").warning("a warning while serving the page")
        return []

    monkeypatch.setattr("chashan_safety.views.panels_for", panels_that_log)
    with portal_log() as log:
        response = signed_in.get(reverse("home"), HTTP_X_REQUEST_ID="req-0042")
        logging.getLogger("chashan_safety").warning("outside any request")

    lines = log.getvalue().splitlines()
    assert response.status_code == 200
    assert any("WARNING chashan_safety.registry [req-0042] a warning while serving the page" in line for line in lines)
    assert any("[-] outside any request" in line for line in lines)


# --- a forced error ----------------------------------------------------------------------------------


def test_a_forced_error_shows_the_generic_chinese_page_with_the_request_id(signed_in, monkeypatch):
    monkeypatch.setattr("chashan_safety.views.panels_for", boom)

    response = signed_in.get(reverse("home"))

    assert response.status_code == 500
    assert "系统出错了" in page_text(response)
    assert request_id_on_page(response) == response["X-Request-ID"]
    assert_leaks_nothing(response)


def test_a_forced_error_is_logged_with_its_traceback_and_request_id(signed_in, monkeypatch):
    monkeypatch.setattr("chashan_safety.views.panels_for", boom)

    with portal_log() as log:
        response = signed_in.get(reverse("home"), HTTP_X_REQUEST_ID="support-case-17")

    text = log.getvalue()
    assert response["X-Request-ID"] == "support-case-17"
    assert "ERROR django.request [support-case-17] Internal Server Error: /" in text
    assert "Traceback (most recent call last)" in text
    assert f"RuntimeError: {SECRET_WORDS}" in text
    assert text.count("Internal Server Error") == 1


def test_a_failing_query_shows_the_generic_page_without_its_sql(signed_in, monkeypatch):
    monkeypatch.setattr("chashan_safety.views.panels_for", bad_sql)

    with portal_log() as log:
        response = signed_in.get(reverse("home"))

    # a wrong query is a defect, not an outage: 500, and the log keeps the statement's error
    assert response.status_code == 500
    assert "系统出错了" in page_text(response)
    assert_leaks_nothing(response)
    assert "no_such_register" in log.getvalue()


def test_the_error_pages_render_without_a_database_or_a_request():
    # no db fixture: any query would fail this test; no request: no context processor runs
    for template, words in (("500.html", "系统出错了"), ("503.html", "数据库暂时无法连接")):
        page = render_to_string(template, {"request_id": "abc123"})
        assert words in page
        assert ">abc123</code>" in page


def test_an_error_page_that_cannot_be_rendered_gives_way_to_a_plain_one_with_the_request_id(signed_in, monkeypatch):
    def broken_template(name):
        raise TemplateSyntaxError(f"{name} is broken: {SECRET_WORDS}")

    monkeypatch.setattr("chashan_safety.views.panels_for", boom)
    monkeypatch.setattr("chashan_safety.views.loader.get_template", broken_template)

    response = signed_in.get(reverse("home"), HTTP_X_REQUEST_ID="fallback-9")

    assert response.status_code == 500
    assert "系统暂时出错，请稍后再试" in page_text(response)
    assert "fallback-9" in page_text(response)
    assert_leaks_nothing(response)


def test_the_error_page_without_a_request_id_shows_no_empty_error_number():
    page = render_to_string("500.html")

    assert "data-request-id" not in page


# --- 400, 403, 404 stay generic ---------------------------------------------------------------------


def test_a_missing_page_is_the_portals_404_not_djangos_debug_page(signed_in):
    response = signed_in.get("/findings/987654321/")

    assert response.status_code == 404
    assert "Using the URLconf" not in page_text(response)
    assert "chashan_safety.urls" not in page_text(response)
    assert_leaks_nothing(response)


def test_a_page_outside_the_role_is_a_plain_403(client_for, village_office):
    response = client_for(village_office).get(reverse("accounts:user-list"))

    assert response.status_code == 403
    assert_leaks_nothing(response)


def test_an_unknown_host_is_a_plain_400_that_names_no_setting(client):
    response = client.get(reverse("login"), HTTP_HOST="intruder.example")

    assert response.status_code == 400
    assert "ALLOWED_HOSTS" not in page_text(response)
    assert "intruder.example" not in page_text(response)
    assert response["X-Request-ID"]
    assert_leaks_nothing(response)


# --- the database cannot be reached ------------------------------------------------------------------


@contextmanager
def database_refuses():
    """Every new query fails as psycopg2 fails when PostgreSQL refuses the connection."""
    error = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=error):
        yield


def test_pages_answer_503_with_a_plain_page_while_the_database_cannot_be_reached(signed_in):
    with database_refuses():
        response = signed_in.get(reverse("inspections:finding-list"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "数据库暂时无法连接，请稍后再试" in page_text(response)
    assert request_id_on_page(response) == response["X-Request-ID"]
    assert "5432" not in page_text(response)
    assert_leaks_nothing(response)


def test_a_database_outage_is_logged_once_a_request_with_its_id_and_no_traceback(signed_in):
    with database_refuses(), portal_log() as log:
        signed_in.get(reverse("inspections:finding-list"), HTTP_X_REQUEST_ID="outage-1")

    lines = [line for line in log.getvalue().splitlines() if "[outage-1]" in line]
    assert len(lines) == 1, log.getvalue()
    assert lines[0].split(" ")[2:5] == ["ERROR", "chashan_safety.views", "[outage-1]"]
    assert "database unreachable: GET /findings/ (OperationalError: connection to server" in lines[0]
    assert "Traceback" not in log.getvalue()


class DriverError(Exception):
    """What psycopg2 raises: the SQLSTATE the server answered with, or None when it did not answer."""

    def __init__(self, pgcode):
        super().__init__(pgcode)
        self.pgcode = pgcode


def pg_error(cls, pgcode):
    error = cls("from the driver")
    error.__cause__ = DriverError(pgcode)
    return error


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (OperationalError("could not connect to server: Connection refused"), True),
        (InterfaceError("connection already closed"), True),
        (pg_error(OperationalError, "57P01"), True),  # terminating connection due to administrator command
        (pg_error(OperationalError, "57P03"), True),  # the database system is starting up
        (pg_error(OperationalError, "53300"), True),  # too many connections
        (pg_error(OperationalError, "08006"), True),  # connection failure
        (pg_error(OperationalError, "40P01"), False),  # deadlock: a defect to look into, not an outage
        (pg_error(OperationalError, "57014"), False),  # statement timeout
        (pg_error(ProgrammingError, "42P01"), False),  # undefined table
        (RuntimeError("anything else"), False),
        (None, False),
    ],
)
def test_only_errors_that_mean_the_database_is_away_count_as_an_outage(error, outage):
    assert database_unavailable(error) is outage


def test_a_broken_sqlite_file_counts_as_an_outage_and_a_wrong_statement_does_not():
    import sqlite3

    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
    wrong = sqlite3.OperationalError("no such table: no_such_register")
    wrong.sqlite_errorcode = sqlite3.SQLITE_ERROR

    for driver_error, outage in ((locked, True), (wrong, False)):
        error = OperationalError(str(driver_error))
        error.__cause__ = driver_error
        assert database_unavailable(error) is outage

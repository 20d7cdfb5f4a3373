"""Every object outside a persona's scope answers 404, on every URL that names an object by its id.

The patterns are read from the resolver, like ``test_every_url``; ``scope_cases.CASES`` gives each one
an object of side B (village B, unit B, zone B), the persona inside its scope and the personas outside.
For each pattern:

- the personas outside get 404 for it, reading (GET) and writing (POST) alike, or, where their role
  may not use the page at all, the answer they get for an id that does not exist; nothing changes;
- the persona inside is served on the very same URL (so the 404 is the scope, not a broken URL), and
  its POST, the same the outsiders sent, is taken and changes the database;
- leadership reads only: its POST to any form or state change is refused and changes nothing, on
  these pages and on the forms that create records (``WRITES_WITHOUT_ID``).

Excel exports asked for side B's village give the personas of side A none of side B's rows.
A pattern with an object id, an export, or a page without an id that the tables do not cover fails
the walk.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse
from openpyxl import load_workbook

from tests.security.scope_cases import (
    CASES,
    EXPORTS,
    OWN_WITHOUT_ID,
    READS_WITHOUT_ID,
    TEXT_ARGUMENTS,
    WRITES_WITHOUT_ID,
    Case,
)
from tests.security.scope_town import Town
from tests.security.test_every_url import URLS, _walk

#: an id no object has: what a persona refused by role gets for it, it must get for a real one
MISSING_ID = 2_000_000_000
ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _pdfs_render() -> bool:
    try:
        import weasyprint  # noqa: F401 (imported where a PDF is made: pango may be missing)
    except (ImportError, OSError):
        return False
    return True


#: without WeasyPrint's system libraries a PDF page says so plainly (503) instead
PDFS_RENDER = _pdfs_render()


def object_patterns() -> dict[str, dict[str, str]]:
    """Every URL pattern with an object id: its name, and its arguments with their converters."""
    patterns = {}
    for route, name in _walk(get_resolver().url_patterns):
        arguments = {argument: converter or "str" for converter, argument in ARGUMENT.findall(route)}
        if "int" in arguments.values():
            patterns[name] = arguments
    return patterns


def export_patterns() -> set[str]:
    return {name for route, name in _walk(get_resolver().url_patterns) if route.endswith(".xlsx")}


#: apps outside the project whose rows say something about a person's account
ACCOUNT_APPS = {"otp_totp", "otp_static", "admin"}


def database_state() -> dict[str, list[dict]]:
    """Every row of the portal's own tables (history and link tables too), to show a request changed nothing.

    With them the two-factor devices and the admin's log of changes to accounts, which a town
    administrator's reset of a lost phone writes.
    """
    state = {}
    for config in apps.get_app_configs():
        own = "site-packages" not in config.path and Path(config.path).is_relative_to(settings.BASE_DIR)
        if not own and config.label not in ACCOUNT_APPS:
            continue
        for model in config.get_models(include_auto_created=True):
            rows = list(model._default_manager.order_by("pk").values())
            for row in rows:
                row.pop("last_login", None)  # signing in to make the request is not a change the request made
            state[model._meta.label] = rows
    return state


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, case: Case, town: Town, kwargs: dict):
    data = case.data(town, kwargs) if case.data else {}
    response = client.get(url) if method == "get" else client.post(url, data)
    if response.streaming:
        # a file answer holds its file open until read; what was read is kept for the test
        response.body = b"".join(response.streaming_content)
    return response


def _id(case: Case) -> str:
    return case.id


@pytest.fixture
def town(request, db) -> Town:
    return Town(request)


# --- the tables cover the resolver ------------------------------------------------------------------------


def test_every_url_with_an_object_id_is_walked():
    patterns = set(object_patterns())
    walked = {case.pattern for case in CASES}
    assert sorted(patterns - walked) == [], "give these URL patterns a case in tests/security/scope_cases.py"
    assert sorted(walked - patterns) == [], "these cases name no URL pattern any more"
    assert len(patterns) > 70


def test_every_value_of_a_text_argument_is_walked():
    for name, arguments in object_patterns().items():
        for argument, converter in arguments.items():
            if converter == "int":
                continue
            assert name in TEXT_ARGUMENTS, f"{name}: say in TEXT_ARGUMENTS which values {argument} takes"
            walked = {case.args.get(argument) for case in CASES if case.pattern == name}
            assert walked == TEXT_ARGUMENTS[name](), name


def test_every_case_names_its_arguments_and_a_way_in():
    patterns = object_patterns()
    for case in CASES:
        text_arguments = {argument for argument, converter in patterns[case.pattern].items() if converter != "int"}
        assert set(case.args) == text_arguments, case.id
        assert case.reads or case.data, f"{case.id}: the insider neither reads nor posts"
        assert case.insider not in case.outsiders, case.id
    assert len({case.id for case in CASES}) == len(CASES), "two cases have the same id"


def test_every_page_without_an_object_id_is_said_to_read_or_to_write():
    pages = {name for name, _url in URLS} - set(object_patterns())
    said = [READS_WITHOUT_ID, WRITES_WITHOUT_ID, OWN_WITHOUT_ID]
    assert sorted(pages - set().union(*said)) == [], "say in tests/security/scope_cases.py what these pages do"
    assert sorted(set().union(*said) - pages) == [], "these pages are gone"
    assert sum(len(kind) for kind in said) == len(set().union(*said)), "a page is said to do two things"


def test_every_excel_export_is_walked():
    assert export_patterns() == set(EXPORTS)


# --- outside, inside, and leadership ---------------------------------------------------------------------


@pytest.mark.parametrize("case", [case for case in CASES if case.outsiders], ids=_id)
def test_an_object_outside_a_personas_scope_answers_404_and_stays_as_it_was(town, case):
    kwargs = case.kwargs(town)
    url = reverse(case.pattern, kwargs=kwargs)
    missing = reverse(
        case.pattern, kwargs={key: MISSING_ID if isinstance(value, int) else value for key, value in kwargs.items()}
    )
    before = database_state()
    leaks = []
    for persona in case.outsiders:
        client = signed_in(getattr(town, persona))
        for method in ("get", "post"):
            status = send(client, method, url, case, town, kwargs).status_code
            if status == 404:
                continue
            if status in (403, 405):
                # refused by role, whatever the id: says nothing about the object
                if send(client, method, missing, case, town, kwargs).status_code == status:
                    continue
                leaks.append(f"{persona} {method.upper()} {url}: {status}, but 404 for an id that does not exist")
            else:
                leaks.append(f"{persona} {method.upper()} {url}: {status}")
    assert leaks == []
    assert database_state() == before


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_the_persona_inside_the_scope_is_served_on_the_same_url(town, case):
    kwargs = case.kwargs(town)
    url = reverse(case.pattern, kwargs=kwargs)
    client = signed_in(getattr(town, case.insider))
    if case.reads:
        response = send(client, "get", url, case, town, kwargs)
        if case.content_type == "application/pdf" and not PDFS_RENDER:
            assert response.status_code == 503, (case.insider, url)
            return
        assert response.status_code == case.status, (case.insider, url)
        if case.status == 200:
            assert response["Content-Type"].startswith(case.content_type), (url, response["Content-Type"])
    if case.data:
        before = database_state()
        response = send(client, "post", url, case, town, kwargs)
        assert response.status_code == 302, (case.insider, url, response.status_code)
        assert database_state() != before, f"{case.insider}'s POST to {url} changed nothing"


@pytest.mark.parametrize("case", [case for case in CASES if case.writes], ids=_id)
def test_leadership_reads_only_and_its_post_changes_nothing(town, case):
    kwargs = case.kwargs(town)
    url = reverse(case.pattern, kwargs=kwargs)
    before = database_state()
    response = send(signed_in(town.leadership), "post", url, case, town, kwargs)
    assert response.status_code in (403, 404), (url, response.status_code)
    assert database_state() == before


@pytest.mark.parametrize("name", sorted(WRITES_WITHOUT_ID))
def test_leadership_is_refused_every_form_that_creates_records(client_for, leadership, name):
    before = database_state()
    response = client_for(leadership).post(reverse(name), {"name": "领导新建", "year": "2026"})
    assert response.status_code in (403, 404), response.status_code
    assert database_state() == before


# --- exports ---------------------------------------------------------------------------------------------


def workbook_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    cells = (value for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row)
    return "\n".join(str(value) for value in cells if value is not None)


@pytest.mark.parametrize("export", [export for export in EXPORTS.values() if export], ids=lambda export: export.pattern)
def test_an_export_asked_for_another_village_holds_none_of_its_rows(town, export):
    mine, theirs, their_query = export.build(town)
    url = reverse(export.pattern)
    leaks = []
    for persona in export.outsiders:
        client = signed_in(getattr(town, persona))
        for query in ({}, their_query):
            response = client.get(url, query)
            if response.status_code in (302, 403) and (query or persona not in export.exporters):
                continue  # refused: the role may not export, or the filter names what it may not see
            if response.status_code != 200:
                leaks.append(f"{persona} {url} {query}: {response.status_code}")
                continue
            text = workbook_text(response)
            if theirs in text:
                leaks.append(f"{persona} {url} {query}: holds {theirs}")
            if not query and persona in export.exporters and mine not in text:
                leaks.append(f"{persona} {url}: lacks its own {mine}")
    assert leaks == []
    response = signed_in(getattr(town, export.insider)).get(url, their_query)
    assert response.status_code == 200
    assert theirs in workbook_text(response)

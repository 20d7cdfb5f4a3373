"""Every URL of the portal, walked: a visitor who is not signed in sees nothing, and no form posts without CSRF.

The URL patterns are read from the resolver, so a page added later is walked too. Object ids in the
patterns are filled with 1 (nothing need exist: the sign-in check comes first).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: pages meant for people who are not signed in (or for machines), by URL name
PUBLIC = {
    "login",
    "logout",
    "set-language",
    "healthz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
#: what a converter's argument is filled with
SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x"}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or (entry.app_name or "") == "admin":
                continue  # Django's admin has its own sign-in, walked below
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), (f"{namespace}:{entry.name}" if namespace else entry.name)


def _concrete(route: str) -> str | None:
    """The route with each converter filled in; None for a regular expression route."""
    if route.startswith("^"):
        return None

    def fill(match):
        converter = match.group(1) or "str"
        return SAMPLE.get(converter, "1")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def portal_urls() -> list[tuple[str, str]]:
    urls = []
    for route, name in _walk(get_resolver().url_patterns):
        url = _concrete(route)
        if url is None or url.startswith(settings.STATIC_URL) or (name or "").split(":")[-1] in PUBLIC:
            continue
        urls.append((name or route, url))
    return sorted(set(urls))


URLS = portal_urls()


def test_the_walk_finds_the_pages_of_every_app():
    walked = {url for _name, url in URLS}
    for page in ["/findings/", "/dashboard/", "/duty/", "/outreach/", "/supervision/", "/incidents/", "/inbox/"]:
        assert page in walked, page
    assert len(URLS) > 150


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), URLS, ids=[name for name, _url in URLS])
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, name, url):
    # a method the page does not take answers 405 (which shows nothing); the one it takes sends to sign-in
    sent_to_sign_in = 0
    for method in (client.get, client.post):
        response = method(url)
        if response.status_code == 405:
            continue
        assert response.status_code == 302, (method.__name__, url, response.status_code)
        assert response["Location"].startswith(reverse("login")), (method.__name__, url, response["Location"])
        sent_to_sign_in += 1
    assert sent_to_sign_in, url


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), URLS, ids=[name for name, _url in URLS])
def test_no_post_is_taken_without_its_csrf_token(town_admin, name, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(town_admin)
    response = client.post(url, {"note": "x"})
    assert response.status_code in (403, 405), (url, response.status_code)


@pytest.mark.django_db
def test_the_admin_sends_a_visitor_to_its_own_sign_in(client):
    response = client.get("/admin/inspections/finding/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

"""Simplified Chinese by default, English as a switch; an unknown language code changes nothing and says so."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from tests.helpers import messages_of, page_text, shows

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_interface_is_chinese_for_a_signed_in_user_by_default(client_for, village_office):
    response = client_for(village_office).get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert CJK.search(page_text(response))


def test_choosing_english_sets_the_language_cookie_and_returns_to_the_page(client, db):
    login = reverse("login")
    response = client.post(reverse("set-language"), {"language": "en", "next": login})
    assert response.status_code == 302
    assert response["Location"] == login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = client.get(login)
    assert page["Content-Language"] == "en"
    assert 'lang="en"' in page_text(page)


def test_switching_back_to_chinese_works(client, db):
    client.post(reverse("set-language"), {"language": "en", "next": reverse("login")})
    response = client.post(reverse("set-language"), {"language": "zh-hans", "next": reverse("login")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert client.get(reverse("login"))["Content-Language"] == "zh-hans"


def test_an_unknown_language_code_changes_nothing_and_says_so(client_for, village_office):
    client = client_for(village_office)
    response = client.post(reverse("set-language"), {"language": "xx", "next": reverse("home")})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"
    messages = messages_of(page)
    assert len(messages) == 1
    assert shows(page, messages[0])


def test_an_unknown_language_code_is_reported_on_the_login_page_too(client, db):
    response = client.post(reverse("set-language"), {"language": "xx", "next": reverse("login")}, follow=True)
    assert response.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    messages = messages_of(response)
    assert len(messages) == 1
    assert shows(response, messages[0])


def test_the_language_switch_never_redirects_off_the_site(client, db):
    response = client.post(reverse("set-language"), {"language": "en", "next": "https://evil.example.com/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_language_switch_only_accepts_post(client, db):
    response = client.get(reverse("set-language"), {"language": "en"})
    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_english_pages_say_in_english_what_chinese_pages_say_in_chinese(client, db):
    chinese = page_text(client.get(reverse("login")))
    client.post(reverse("set-language"), {"language": "en", "next": reverse("login")})
    english = page_text(client.get(reverse("login")))
    assert "Sign in" in english
    assert "Sign in" not in chinese

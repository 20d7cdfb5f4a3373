"""Sessions end after inactivity, and are renewed at most every few minutes while in use."""

import datetime as dt

import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_in_use_is_renewed_only_after_the_touch_interval(client_for, village_office, settings):
    settings.SESSION_TOUCH_INTERVAL = 300
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(village_office)
        client.get(reverse("home"))
        first = _expiry(client)

        traveller.shift(dt.timedelta(seconds=60))
        client.get(reverse("home"))
        assert _expiry(client) == first

        traveller.shift(dt.timedelta(seconds=300))
        client.get(reverse("home"))
        assert _expiry(client) > first


def test_an_idle_session_ends_and_the_next_page_asks_to_sign_in_again(client_for, village_office, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(village_office)
        assert client.get(reverse("home")).status_code == 200

        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))

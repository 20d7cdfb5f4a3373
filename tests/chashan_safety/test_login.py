"""Signing in through the real login form: wrong passwords, lock-out by username + address, the cool-off,
the attempt log, and forms posted without a CSRF token."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD
from tests.helpers import database_snapshot, page_text, shows

HOME_ADDRESS = "203.0.113.10"
OTHER_ADDRESS = "198.51.100.20"
CJK = re.compile(r"[\u4e00-\u9fff]")


def sign_in(client: Client, username: str, password: str, address: str = HOME_ADDRESS):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def is_signed_in(client: Client, user) -> bool:
    return client.session.get(SESSION_KEY) == str(user.pk)


def lock_out(username: str, address: str = HOME_ADDRESS) -> list:
    client = Client()
    return [sign_in(client, username, "wrong-password", address) for _ in range(settings.AXES_FAILURE_LIMIT)]


def test_login_page_is_in_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert 'lang="zh-hans"' in page_text(response)
    assert CJK.search(page_text(response))


def test_the_right_password_signs_in_and_lands_on_home(client, village_office):
    response = sign_in(client, village_office.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_signed_in(client, village_office)
    assert AccessLog.objects.filter(username=village_office.username, ip_address=HOME_ADDRESS).exists()


def test_a_wrong_password_shows_a_form_error_and_starts_no_session(client, village_office):
    response = sign_in(client, village_office.username, "not-the-password")
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors
    assert shows(response, errors[0])
    assert SESSION_KEY not in client.session


def test_every_failed_attempt_is_logged(client, village_office):
    sign_in(client, village_office.username, "wrong-1")
    sign_in(client, village_office.username, "wrong-2")
    attempt = AccessAttempt.objects.get(username=village_office.username, ip_address=HOME_ADDRESS)
    assert attempt.failures_since_start == 2
    assert AccessFailureLog.objects.filter(username=village_office.username, ip_address=HOME_ADDRESS).count() == 2


def test_an_unknown_username_is_refused_and_logged_like_any_failure(client, db):
    response = sign_in(client, "nobody-here", "whatever")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert AccessFailureLog.objects.filter(username="nobody-here").count() == 1


def test_the_fifth_wrong_password_locks_the_username_from_that_address(village_office):
    responses = lock_out(village_office.username)
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    assert AccessAttempt.objects.get(username=village_office.username).failures_since_start == 5


def test_a_locked_username_is_refused_even_with_the_right_password(village_office):
    lock_out(village_office.username)
    client = Client()
    response = sign_in(client, village_office.username, PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert not is_signed_in(client, village_office)


def test_the_lock_out_page_explains_in_chinese_for_how_many_minutes(village_office):
    lock_out(village_office.username)
    response = sign_in(Client(), village_office.username, PASSWORD)
    content = page_text(response)
    assert response["Content-Language"] == "zh-hans"
    assert reverse("login") in content  # a way back to the sign-in form
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert re.search(rf"(?<!\d){minutes}\s*分钟", content), "the lock-out message names the minutes in Chinese"
    assert "PT15M" not in content  # the ISO 8601 duration axes passes is not for people


def test_the_same_username_still_signs_in_from_another_address(village_office):
    lock_out(village_office.username, HOME_ADDRESS)
    client = Client()
    response = sign_in(client, village_office.username, PASSWORD, OTHER_ADDRESS)
    assert response.status_code == 302
    assert is_signed_in(client, village_office)


def test_another_username_still_signs_in_from_the_locked_address(village_office, other_village_office):
    lock_out(village_office.username, HOME_ADDRESS)
    client = Client()
    response = sign_in(client, other_village_office.username, PASSWORD, HOME_ADDRESS)
    assert response.status_code == 302
    assert is_signed_in(client, other_village_office)


def test_the_lock_is_still_there_just_before_the_cool_off_ends(village_office):
    lock_out(village_office.username)
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        response = sign_in(Client(), village_office.username, PASSWORD)
    assert response.status_code == 429


def test_the_right_password_works_again_after_the_cool_off(village_office):
    lock_out(village_office.username)
    client = Client()
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = sign_in(client, village_office.username, PASSWORD)
        assert response.status_code == 302
        assert is_signed_in(client, village_office)
    assert AccessLog.objects.filter(username=village_office.username).exists()


def test_a_successful_sign_in_clears_the_failures_of_that_address(client, village_office):
    sign_in(client, village_office.username, "wrong-1")
    sign_in(client, village_office.username, PASSWORD)
    assert not AccessAttempt.objects.filter(username=village_office.username).exists()


def test_signing_out_ends_the_session(client_for, village_office):
    client = client_for(village_office)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_a_signed_in_user_opening_the_login_page_goes_home(client_for, village_office):
    response = client_for(village_office).get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_redirects_only_to_this_site(client, village_office):
    response = client.post(
        reverse("login"),
        {"username": village_office.username, "password": PASSWORD, "next": "https://evil.example.com/"},
        REMOTE_ADDR=HOME_ADDRESS,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_user_changes_his_own_password(client_for, village_office):
    client = client_for(village_office)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Fresh-secret-2025!", "new_password2": "Fresh-secret-2025!"},
    )
    assert response.status_code == 302
    village_office.refresh_from_db()
    assert village_office.check_password("Fresh-secret-2025!")


# --- CSRF -----------------------------------------------------------------------------------------------------


def test_a_login_post_without_csrf_token_is_refused_and_signs_nobody_in(village_office):
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, village_office.username, PASSWORD)
    assert response.status_code == 403
    assert CJK.search(page_text(response))
    assert SESSION_KEY not in client.session
    assert not AccessLog.objects.exists()


def test_an_edit_post_without_csrf_token_is_refused_and_changes_nothing(town_admin, village_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(town_admin)
    before = database_snapshot()
    response = client.post(
        reverse("responsibility:village-edit", args=[village_a.pk]),
        {"name": village_a.name, "kind": village_a.kind, "head": "篡改者", "order": village_a.order},
    )
    assert response.status_code == 403
    assert database_snapshot() == before
    village_a.refresh_from_db()
    assert village_a.head == "张建国"


def test_the_login_form_carries_a_csrf_token_that_works(village_office):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_text(page)).group(1)
    response = client.post(
        reverse("login"),
        {"username": village_office.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        REMOTE_ADDR=HOME_ADDRESS,
    )
    assert response.status_code == 302
    assert is_signed_in(client, village_office)

"""Two-factor sign-in: town administrators and leadership give a code from an authenticator app after the
password (and enrol first when they have none); other roles may turn it on. Until the code is given no portal
page and no admin page opens. Wrong codes are throttled and count toward the lock-out; backup codes work once;
a town administrator resets a lost phone; the verified state ends with the session."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chashan_safety import demo
from chashan_safety.twofactor import OPEN_PAGES, VERIFIED_SESSION_KEY, new_backup_codes
from tests.factories import PASSWORD
from tests.helpers import messages_of, page_text, shows
from tests.security.test_every_url import URLS

HOME_ADDRESS = "203.0.113.10"
VERIFY = reverse("two-factor-verify")
SETUP = reverse("two-factor-setup")


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.CHASHAN_REQUIRE_2FA = True


# --- helpers ----------------------------------------------------------------------------------------------


def authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the phone app shows now (or ``steps_ahead`` periods of 30 seconds later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return str(totp.token()).zfill(device.digits)


def sign_in(client: Client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=HOME_ADDRESS)


def give_code(client: Client, value: str, next_url: str = ""):
    return client.post(VERIFY, {"otp_token": value, "next": next_url}, REMOTE_ADDR=HOME_ADDRESS)


def verified_client(user, device: TOTPDevice) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[VERIFIED_SESSION_KEY] = device.pk
    session.save()
    return client


def code_error(response) -> list[str]:
    return response.context["form"].errors.get("otp_token", [])


# --- enrolment of the roles that must --------------------------------------------------------------------


def test_a_town_admin_without_an_authenticator_is_taken_to_enrolment_after_the_password(town_admin):
    client = Client()
    assert sign_in(client, town_admin).status_code == 302

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)

    page = client.get(response["Location"])
    assert page.status_code == 200
    pending = TOTPDevice.objects.get(user=town_admin, confirmed=False)
    secret = base64.b32encode(pending.bin_key).decode()
    assert "<svg" in page_text(page)  # the QR code, drawn in the page
    assert secret[:4] + " " + secret[4:8] in page_text(page)  # and the key in text, in groups of four
    assert 'data-testid="inbox-bell"' not in page_text(page)  # no portal navigation before the second factor


def test_enrolment_takes_a_code_from_the_new_app_and_shows_ten_backup_codes_once(town_admin):
    client = Client()
    sign_in(client, town_admin)
    client.get(SETUP)
    pending = TOTPDevice.objects.get(user=town_admin, confirmed=False)

    response = client.post(SETUP, {"otp_token": code(pending), "next": "/structure/"})
    assert response.status_code == 302
    shown = client.get(response["Location"])
    codes = re.findall(r"<li class=\"list-group-item\">([a-z2-7]{4}-[a-z2-7]{4})</li>", page_text(shown))
    stored = set(StaticToken.objects.filter(device__user=town_admin).values_list("token", flat=True))
    assert len(codes) == 10
    assert {c.replace("-", "") for c in codes} == stored
    assert TOTPDevice.objects.get(user=town_admin).confirmed
    assert client.get(response["Location"]).status_code == 302  # shown once: gone on reload
    assert client.get("/structure/").status_code == 200
    assert LogEntry.objects.filter(object_id=str(town_admin.pk), action_flag=CHANGE).exists()


def test_enrolment_refuses_a_wrong_code_and_keeps_every_page_closed(leadership):
    client = Client()
    sign_in(client, leadership)
    client.get(SETUP)

    response = client.post(SETUP, {"otp_token": "000000"})
    assert response.status_code == 200
    assert code_error(response)
    assert not TOTPDevice.objects.filter(user=leadership, confirmed=True).exists()
    assert client.get(reverse("dashboard:dashboard")).status_code == 302


# --- the code at sign-in ------------------------------------------------------------------------------------


def test_leadership_with_an_authenticator_is_asked_for_the_code_and_then_reaches_the_page_asked_for(leadership):
    device = authenticator(leadership)
    client = Client()
    response = sign_in(client, leadership, next_url="/dashboard/")
    assert response["Location"] == "/dashboard/"

    asked = client.get("/dashboard/")
    assert asked.status_code == 302
    assert asked["Location"] == f"{VERIFY}?next=%2Fdashboard%2F"

    form = client.get(asked["Location"])
    assert form.status_code == 200
    assert 'name="otp_token"' in page_text(form)
    assert 'autocomplete="one-time-code"' in page_text(form)

    response = give_code(client, code(device), next_url="/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message_and_the_pages_stay_closed(town_admin):
    authenticator(town_admin)
    client = Client()
    sign_in(client, town_admin)

    response = give_code(client, "123456")
    assert response.status_code == 200
    assert code_error(response)
    assert shows(response, code_error(response)[0])
    assert client.get(reverse("home")).status_code == 302
    assert client.session.get(SESSION_KEY) == str(town_admin.pk)  # still signed in, still owing the code


def test_something_that_is_no_code_gets_a_message_and_counts_nothing(town_admin):
    device = authenticator(town_admin)
    client = Client()
    sign_in(client, town_admin)

    response = give_code(client, "12ab")
    assert code_error(response)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert not AccessAttempt.objects.filter(username=town_admin.username).exists()


def test_a_code_signs_in_only_once(leadership):
    device = authenticator(leadership)
    first, second = Client(), Client()
    sign_in(first, leadership)
    sign_in(second, leadership)
    value = code(device)

    assert give_code(first, value).status_code == 302
    replayed = give_code(second, value)
    assert replayed.status_code == 200
    assert code_error(replayed)
    assert second.get(reverse("home")).status_code == 302


def test_the_verified_state_belongs_to_the_session_and_a_new_one_is_made_for_it(leadership):
    device = authenticator(leadership)
    client = Client()
    sign_in(client, leadership)
    before = client.session.session_key

    give_code(client, code(device))
    assert client.session.session_key != before
    assert client.session[VERIFIED_SESSION_KEY] == device.pk


#: every portal page but the steps of two-factor sign-in themselves
CLOSED_URLS = [(name, url) for name, url in URLS if name not in OPEN_PAGES]


def test_the_pages_open_before_the_code_are_the_code_steps_and_the_public_ones():
    assert {name for name, _url in URLS} - {name for name, _url in CLOSED_URLS} == {
        "two-factor-verify",
        "two-factor-setup",
    }


@pytest.mark.parametrize(("name", "url"), CLOSED_URLS, ids=[name for name, _url in CLOSED_URLS])
def test_until_the_code_is_given_no_portal_page_opens(town_admin, name, url):
    authenticator(town_admin)
    client = Client()
    client.force_login(town_admin)  # the password given, the code not yet
    response = client.get(url)
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"].startswith(VERIFY), (url, response["Location"])


@pytest.mark.parametrize("url", ["/admin/", "/admin/chashan_safety/user/", "/admin/login/"])
def test_until_the_code_is_given_the_admin_does_not_open(town_admin, url):
    town_admin.is_staff = town_admin.is_superuser = True
    town_admin.save()
    authenticator(town_admin)
    client = Client()
    sign_in(client, town_admin)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_a_town_admin_without_an_authenticator_cannot_skip_enrolment(town_admin):
    client = Client()
    sign_in(client, town_admin)
    for url in ["/findings/", "/accounts/users/", "/admin/", VERIFY, reverse("two-factor")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url


def test_health_check_sign_out_and_language_switch_stay_reachable_before_the_code(leadership):
    authenticator(leadership)
    client = Client()
    sign_in(client, leadership)

    assert client.get(reverse("healthz")).status_code in (200, 503)  # its own answer, not the code step
    response = client.post(reverse("set-language"), {"language": "en", "next": VERIFY})
    assert response["Location"] == VERIFY
    assert "Enter your sign-in code" in page_text(client.get(VERIFY))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_static_files_are_not_sent_to_the_code_step(leadership):
    authenticator(leadership)
    client = Client()
    sign_in(client, leadership)
    response = client.get(static("css/portal.css"))
    assert response.request["PATH_INFO"].startswith("/static/")
    assert not (response.status_code == 302 and response["Location"].startswith(VERIFY))


# --- optional for the other roles ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["safety_officer", "village_office", "unit_office"], indirect=True)
def test_other_roles_are_not_asked_for_a_code(persona):
    client = Client()
    sign_in(client, persona)
    assert client.get(reverse("home")).status_code == 200
    assert not TOTPDevice.objects.filter(user=persona).exists()


def test_an_officer_turns_two_factor_on_from_the_account_menu_and_is_asked_at_the_next_sign_in(safety_officer):
    client = Client()
    sign_in(client, safety_officer)
    menu = client.get(reverse("home"))
    assert reverse("two-factor") in page_text(menu)
    assert SETUP in page_text(client.get(reverse("two-factor")))

    client.get(SETUP)
    pending = TOTPDevice.objects.get(user=safety_officer, confirmed=False)
    assert client.post(SETUP, {"otp_token": code(pending)}).status_code == 302
    assert StaticToken.objects.filter(device__user=safety_officer).count() == 10

    client.post(reverse("logout"))
    later = Client()
    sign_in(later, safety_officer)
    response = later.get(reverse("home"))
    assert response["Location"].startswith(VERIFY)


def test_an_officer_turns_two_factor_off_again_with_a_current_code(safety_officer):
    device = authenticator(safety_officer)
    new_backup_codes(user=safety_officer)
    client = verified_client(safety_officer, device)

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        refused = client.post(reverse("two-factor-turn-off"), {"otp_token": "000000"}, follow=True)
        assert TOTPDevice.objects.filter(user=safety_officer).exists()
        assert messages_of(refused)

        traveller.shift(dt.timedelta(seconds=2))
        client.post(reverse("two-factor-turn-off"), {"otp_token": code(device)})
    assert not TOTPDevice.objects.filter(user=safety_officer).exists()
    assert not StaticDevice.objects.filter(user=safety_officer).exists()
    assert client.get(reverse("home")).status_code == 200


def test_a_leader_cannot_turn_two_factor_off(leadership):
    device = authenticator(leadership)
    client = verified_client(leadership, device)
    client.post(reverse("two-factor-turn-off"), {"otp_token": code(device)})
    assert TOTPDevice.objects.filter(user=leadership).exists()


# --- backup codes ----------------------------------------------------------------------------------------


def test_a_backup_code_signs_in_once(leadership):
    authenticator(leadership)
    backup = new_backup_codes(user=leadership)[3]

    client = Client()
    sign_in(client, leadership)
    response = give_code(client, backup.upper()[:4] + "-" + backup.upper()[4:], next_url="/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert StaticToken.objects.filter(device__user=leadership).count() == 9
    assert not StaticToken.objects.filter(token=backup).exists()

    again = Client()
    sign_in(again, leadership)
    assert code_error(give_code(again, backup))
    assert again.get(reverse("home")).status_code == 302


def test_new_backup_codes_replace_the_old_ones(leadership):
    device = authenticator(leadership)
    old = new_backup_codes(user=leadership)
    client = verified_client(leadership, device)

    response = client.post(reverse("two-factor-codes-new"))
    assert response["Location"] == reverse("two-factor-codes")
    page = page_text(client.get(response["Location"]))
    fresh = set(StaticToken.objects.filter(device__user=leadership).values_list("token", flat=True))
    assert len(fresh) == 10
    assert not fresh & set(old)
    assert all(f"{token[:4]}-{token[4:]}" in page for token in fresh)


def test_the_two_factor_page_shows_the_backup_codes_left_and_offers_turning_off_only_to_optional_roles(
    leadership, safety_officer
):
    leader_device = authenticator(leadership)
    new_backup_codes(user=leadership)
    leader_page = verified_client(leadership, leader_device).get(reverse("two-factor"))
    assert leader_page.status_code == 200
    assert leader_page.context["codes_left"] == 10
    assert reverse("two-factor-codes-new") in page_text(leader_page)
    assert reverse("two-factor-turn-off") not in page_text(leader_page)

    officer_device = authenticator(safety_officer)
    officer_page = verified_client(safety_officer, officer_device).get(reverse("two-factor"))
    assert reverse("two-factor-turn-off") in page_text(officer_page)


# --- reset by a town administrator ---------------------------------------------------------------------------


def test_a_town_admin_resets_a_leaders_lost_phone_and_the_leader_enrols_again(town_admin, leadership):
    admin_device = authenticator(town_admin)
    authenticator(leadership)
    new_backup_codes(user=leadership)
    admin = verified_client(town_admin, admin_device)

    edit = admin.get(reverse("accounts:user-edit", args=[leadership.pk]))
    reset_url = reverse("accounts:user-two-factor-reset", args=[leadership.pk])
    assert reset_url in page_text(edit)

    response = admin.post(reset_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:user-edit", args=[leadership.pk])
    assert any(leadership.display_name in message for message in messages_of(response))
    assert not TOTPDevice.objects.filter(user=leadership).exists()
    assert not StaticToken.objects.filter(device__user=leadership).exists()
    entry = LogEntry.objects.get(object_id=str(leadership.pk))
    assert entry.user_id == town_admin.pk
    assert entry.action_flag == CHANGE
    assert town_admin.display_name in entry.change_message

    client = Client()
    sign_in(client, leadership)
    assert client.get(reverse("home"))["Location"].startswith(SETUP)


def test_a_reset_ends_the_verified_state_of_sessions_already_open(town_admin, leadership):
    leader_device = authenticator(leadership)
    leader = verified_client(leadership, leader_device)
    assert leader.get(reverse("home")).status_code == 200

    admin = verified_client(town_admin, authenticator(town_admin))
    admin.post(reverse("accounts:user-two-factor-reset", args=[leadership.pk]))

    response = leader.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


@pytest.mark.parametrize("persona", ["leadership", "safety_officer", "village_office"], indirect=True)
def test_only_a_town_admin_may_reset_two_factor(persona, town_admin):
    target = authenticator(town_admin)
    own = authenticator(persona)
    client = verified_client(persona, own)
    response = client.post(reverse("accounts:user-two-factor-reset", args=[town_admin.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=target.pk).exists()
    assert not LogEntry.objects.exists()


# --- wrong codes: throttle and lock-out ---------------------------------------------------------------------


def test_after_a_wrong_code_the_next_try_must_wait_and_then_the_right_code_works(town_admin):
    device = authenticator(town_admin)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, town_admin)
        give_code(client, "000000")

        hurried = give_code(client, code(device))
        assert hurried.status_code == 200
        assert any(re.search(r"\d", error) for error in code_error(hurried))  # says how many seconds
        assert client.get(reverse("home")).status_code == 302

        traveller.shift(dt.timedelta(seconds=5))
        assert give_code(client, code(device)).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_throttle_outlives_the_sign_in(town_admin):
    device = authenticator(town_admin)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            client = Client()
            sign_in(client, town_admin)
            give_code(client, "000000")
            traveller.shift(dt.timedelta(seconds=10))  # long enough for the throttle to look at the next one
        device.refresh_from_db()
        assert device.throttling_failure_count == 3

        client = Client()
        sign_in(client, town_admin)
        give_code(client, "000000")  # a fourth failure: 8 seconds to wait
        traveller.shift(dt.timedelta(seconds=3))

        fresh = Client()
        sign_in(fresh, town_admin)
        assert code_error(give_code(fresh, code(device)))  # a new sign-in still waits

        traveller.shift(dt.timedelta(seconds=6))
        assert give_code(fresh, code(device)).status_code == 302


def test_wrong_codes_count_toward_the_lock_out_and_sign_the_user_out(town_admin):
    device = authenticator(town_admin)
    client = Client()
    sign_in(client, town_admin)
    responses = [give_code(client, "000000") for _ in range(settings.AXES_FAILURE_LIMIT)]

    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    assert re.search(r"\d+\s*分钟", page_text(responses[-1]))  # the lock-out page, in Chinese
    assert SESSION_KEY not in client.session
    attempt = AccessAttempt.objects.get(username=town_admin.username, ip_address=HOME_ADDRESS)
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert "000000" not in attempt.post_data  # the codes tried are not kept

    # the right password is refused from that address until the cool-off ends, then all works again
    assert sign_in(Client(), town_admin).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        later = Client()
        assert sign_in(later, town_admin).status_code == 302
        assert give_code(later, code(device)).status_code == 302
        assert later.get(reverse("home")).status_code == 200


# --- the verified state ends with the session ----------------------------------------------------------------


def test_the_verified_state_ends_with_an_idle_session(leadership):
    device = authenticator(leadership)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = Client()
        sign_in(client, leadership)
        give_code(client, code(device))
        assert client.get(reverse("home")).status_code == 200

        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
        response = client.get(reverse("home"))
        assert response["Location"].startswith(reverse("login"))

        sign_in(client, leadership)
        assert client.get(reverse("home"))["Location"].startswith(VERIFY)


def test_signing_out_ends_the_verified_state(leadership):
    device = authenticator(leadership)
    client = verified_client(leadership, device)
    client.post(reverse("logout"))
    sign_in(client, leadership)
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)


# --- the switch, the demo and the command ---------------------------------------------------------------------


PRINT_REQUIREMENT = "from django.conf import settings; print(settings.CHASHAN_REQUIRE_2FA)"


@pytest.mark.parametrize(("value", "required"), [(None, "True"), ("0", "False")])
def test_production_requires_two_factor_unless_switched_off(value, required):
    env = {key: val for key, val in os.environ.items() if key != "CHASHAN_REQUIRE_2FA"}
    env.update({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.org"})
    if value is not None:
        env["CHASHAN_REQUIRE_2FA"] = value
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.CHASHAN_REQUIRE_2FA)",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == required


def test_with_the_requirement_off_a_town_admin_without_an_authenticator_is_not_asked(town_admin, settings):
    settings.CHASHAN_REQUIRE_2FA = False
    client = Client()
    sign_in(client, town_admin)
    assert client.get(reverse("home")).status_code == 200


def test_the_demo_gives_admin_and_leader_the_published_keys(town_admin, leadership):
    assert (town_admin.username, leadership.username) == ("admin", "leader")
    assert demo._demo_authenticators() == 2
    assert demo._demo_authenticators() == 0  # a second run adds nothing
    for user in (town_admin, leadership):
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert base64.b32encode(device.bin_key).decode() == demo.DEMO_TOTP_SECRETS[user.username]


def test_totp_code_prints_a_code_the_sign_in_accepts(leadership, settings):
    settings.DEBUG = True
    authenticator(leadership)
    output = StringIO()
    call_command("totp_code", leadership.username, stdout=output)
    printed = output.getvalue().split()[0]
    assert re.fullmatch(r"\d{6}", printed)

    client = Client()
    sign_in(client, leadership)
    assert give_code(client, printed).status_code == 302


def test_totp_code_refuses_outside_debug_mode_and_for_an_account_without_authenticator(leadership, settings):
    authenticator(leadership)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("totp_code", leadership.username, stdout=StringIO())
    settings.DEBUG = True
    with pytest.raises(CommandError, match="no authenticator"):
        call_command("totp_code", "nobody", stdout=StringIO())

"""The finding lifecycle over HTTP: the forms of the finding page, who may post them, and what a refusal looks like."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, FindingEvent, Photo
from inspections.services import finding_verify
from tests.builders import (
    closed,
    jpeg_upload,
    make_site,
    record_findings,
    state,
    submitted,
)
from tests.helpers import messages_of, page_text, shows

S = Finding.Status
A = FindingEvent.Action


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for(client_for):
    """Clients that read English, so that messages are asserted in their source form before and after translation."""
    return lambda user=None, **defaults: client_for(user, HTTP_ACCEPT_LANGUAGE="en", **defaults)


@pytest.fixture
def site_a(village_a):
    return make_site(village_a)


@pytest.fixture
def finding(safety_officer, site_a):
    return record_findings(officer=safety_officer, site=site_a)[0]


def action_url(finding, move: str) -> str:
    return reverse("inspections:finding-action", args=[finding.pk, move])


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def post_fix(client, finding, *, note="已清理安全出口，拆除门锁", photos=None):
    photos = [jpeg_upload("after.jpg")] if photos is None else photos
    return client.post(action_url(finding, "submit_fix"), {"note": note, "photos": photos}, follow=True)


# --- the moves, as the users make them ------------------------------------------------------------


def test_village_office_submits_the_fix_with_a_note_and_an_after_photo(client_for, village_office, finding):
    response = post_fix(client_for(village_office), finding)

    assert response.redirect_chain[-1] == (finding.get_absolute_url(), 302)
    assert messages_of(response) == ["The fix was submitted; the finding now awaits verification."]
    finding.refresh_from_db()
    assert finding.status == S.FIX_SUBMITTED
    event = finding.events.last()
    assert (event.action, event.by, event.note) == (A.FIX_SUBMITTED, village_office, "已清理安全出口，拆除门锁")
    assert event.photos.get().kind == Photo.Kind.AFTER
    assert 'data-status="fix_submitted"' in page_text(response)


def test_unit_office_submits_the_fix_of_a_finding_its_unit_must_fix(
    client_for, safety_officer, site_a, unit_a, unit_office
):
    finding = record_findings(officer=safety_officer, site=site_a, responsible_unit=unit_a)[0]

    response = post_fix(client_for(unit_office), finding)

    assert response.status_code == 200
    finding.refresh_from_db()
    assert finding.status == S.FIX_SUBMITTED


def test_after_a_fix_the_office_is_offered_its_next_finding_to_fix_the_earliest_due_first(
    client_for, village_office, safety_officer, site_a, finding
):
    today = timezone.localdate()
    later = record_findings(officer=safety_officer, site=site_a, deadline=today + dt.timedelta(days=9))[0]
    sooner = record_findings(officer=safety_officer, site=site_a, deadline=today + dt.timedelta(days=1))[0]
    client = client_for(village_office)

    response = post_fix(client, finding)
    text = page_text(response)
    assert 'data-testid="next-to-fix"' in text
    assert f'href="{sooner.get_absolute_url()}"' in text
    assert shows(response, f"Next to fix: {sooner.number}")

    post_fix(client, sooner)
    response = post_fix(client, later)
    # nothing left to fix: no link
    assert 'data-testid="next-to-fix"' not in page_text(response)


def test_the_officer_is_not_offered_a_next_finding_to_fix(client_for, village_office, safety_officer, site_a, finding):
    record_findings(officer=safety_officer, site=site_a)
    post_fix(client_for(village_office), finding)
    response = client_for(safety_officer).get(finding.get_absolute_url())
    assert 'data-testid="next-to-fix"' not in page_text(response)


def test_officer_verifies_a_general_fix_as_passed_and_the_finding_is_closed(
    client_for, village_office, safety_officer, finding
):
    submitted(finding, village_office)

    response = client_for(safety_officer).post(
        action_url(finding, "verify"), {"result": "pass", "note": "现场复查，通道畅通"}, follow=True
    )

    finding.refresh_from_db()
    assert finding.status == S.CLOSED
    assert list(finding.events.values_list("action", flat=True))[-2:] == [A.VERIFIED_PASSED, A.CLOSED]
    assert 'data-status="closed"' in page_text(response)
    assert messages_of(response) == ["The fix passed verification and the finding was closed."]


def test_verification_photos_are_kept_with_the_verification(client_for, village_office, safety_officer, finding):
    submitted(finding, village_office)

    client_for(safety_officer).post(
        action_url(finding, "verify"), {"result": "pass", "photos": [jpeg_upload("check.jpg")]}
    )

    verified = finding.events.get(action=A.VERIFIED_PASSED)
    assert verified.photos.get().kind == Photo.Kind.VERIFICATION


def test_a_major_finding_passes_verification_and_only_the_town_admin_closes_it(
    client_for, safety_officer, site_a, village_office, town_admin
):
    finding = record_findings(officer=safety_officer, site=site_a, grade=Finding.Grade.MAJOR)[0]
    submitted(finding, village_office)

    passed = client_for(safety_officer).post(action_url(finding, "verify"), {"result": "pass"}, follow=True)
    assert state(finding) == (S.VERIFIED, 3)
    assert messages_of(passed) == ["The fix passed verification; a town administrator closes this major finding."]

    refused = client_for(safety_officer).post(action_url(finding, "close"), {"note": ""})
    assert refused.status_code == 403
    assert state(finding) == (S.VERIFIED, 3)

    response = client_for(town_admin).post(action_url(finding, "close"), {"note": "摘牌销号"}, follow=True)
    assert state(finding) == (S.CLOSED, 4)
    assert messages_of(response) == ["The finding was closed."]


def test_officer_sends_an_unfixed_finding_back_with_a_new_deadline(client_for, village_office, safety_officer, finding):
    submitted(finding, village_office)

    response = client_for(safety_officer).post(
        action_url(finding, "verify"),
        {"result": "fail", "note": "插线板仍串接使用", "deadline": in_days(5)},
        follow=True,
    )

    finding.refresh_from_db()
    assert finding.status == S.OPEN
    assert finding.deadline.isoformat() == in_days(5)
    assert finding.events.last().action == A.VERIFIED_FAILED
    assert f'data-deadline="{in_days(5)}"' in page_text(response)
    assert messages_of(response) == [f"The finding was sent back for rectification; the new deadline is {in_days(5)}."]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"result": "fail", "note": "", "deadline": in_days(5)}, "note", "Give the reason"),
        ({"result": "fail", "note": "仍未整改"}, "deadline", "Set a new rectification deadline."),
        ({"result": "fail", "note": "仍未整改", "deadline": in_days(-1)}, "deadline", "cannot be in the past"),
        ({"result": "fail", "note": "仍未整改", "deadline": "明天"}, "deadline", ""),
        ({"result": "fail", "note": "仍未整改", "deadline": in_days(366)}, "deadline", "more than a year"),
        ({"note": "x"}, "result", "Choose whether the fix passed."),
    ],
    ids=["no reason", "no deadline", "deadline in the past", "deadline not a date", "mistyped year", "no result"],
)
def test_a_failed_verification_without_reason_or_future_deadline_is_refused_in_the_form(
    client_for, village_office, safety_officer, finding, data, field, message
):
    submitted(finding, village_office)
    before = state(finding)

    response = client_for(safety_officer).post(action_url(finding, "verify"), data)

    assert response.status_code == 200
    form = response.context["action_forms"]["verify"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert state(finding) == before
    # what the officer typed is still there
    if data.get("note"):
        assert shows(response, data["note"])


def test_a_fix_without_a_photo_or_a_note_is_refused_in_the_form(client_for, village_office, finding):
    before = state(finding)

    no_photo = client_for(village_office).post(action_url(finding, "submit_fix"), {"note": "已整改"})
    no_note = client_for(village_office).post(
        action_url(finding, "submit_fix"), {"note": "", "photos": [jpeg_upload()]}
    )

    assert (
        "Add at least one photo of the site after the fix."
        in no_photo.context["action_forms"]["submit_fix"].errors["photos"]
    )
    assert "Say what was done to fix the hazard." in no_note.context["action_forms"]["submit_fix"].errors["note"]
    assert state(finding) == before
    assert shows(no_photo, "已整改")


def test_officer_reopens_a_closed_finding_and_the_reopen_is_counted(
    client_for, village_office, safety_officer, finding
):
    closed(finding, village_office, safety_officer)

    client_for(safety_officer).post(action_url(finding, "reopen"), {"note": "回头看发现反弹", "deadline": in_days(7)})

    finding.refresh_from_db()
    assert (finding.status, finding.reopen_count, finding.deadline.isoformat()) == (S.OPEN, 1, in_days(7))


def test_reopening_needs_a_reason_and_a_deadline(client_for, village_office, safety_officer, finding):
    closed(finding, village_office, safety_officer)
    before = state(finding)

    response = client_for(safety_officer).post(action_url(finding, "reopen"), {"note": "", "deadline": ""})

    assert set(response.context["action_forms"]["reopen"].errors) == {"note", "deadline"}
    assert state(finding) == before


def test_a_reopened_finding_may_be_given_a_year_but_not_more(client_for, village_office, safety_officer, finding):
    closed(finding, village_office, safety_officer)
    before = state(finding)

    too_far = client_for(safety_officer).post(action_url(finding, "reopen"), {"note": "反弹", "deadline": in_days(366)})

    assert "more than a year" in " ".join(too_far.context["action_forms"]["reopen"].errors["deadline"])
    assert state(finding) == before
    client_for(safety_officer).post(action_url(finding, "reopen"), {"note": "反弹", "deadline": in_days(365)})
    finding.refresh_from_db()
    assert finding.deadline.isoformat() == in_days(365)


# --- illegal moves and outsiders ------------------------------------------------------------------


ILLEGAL = [
    pytest.param("closed", "village_office", "submit_fix", {"note": "x"}, id="submit a fix on a closed finding"),
    pytest.param("open", "safety_officer", "verify", {"result": "pass"}, id="verify an open finding"),
    pytest.param("open", "safety_officer", "close", {}, id="close an open finding"),
    pytest.param("open", "safety_officer", "reopen", {"note": "x", "deadline": in_days(3)}, id="reopen an open one"),
    pytest.param("submitted", "village_office", "submit_fix", {"note": "x"}, id="submit the same fix twice"),
]


@pytest.mark.parametrize(("start", "persona", "move", "data"), ILLEGAL, indirect=["persona"])
def test_an_illegal_move_gets_a_readable_message_and_changes_nothing(
    client_for, persona, start, move, data, finding, village_office, safety_officer
):
    if start == "closed":
        closed(finding, village_office, safety_officer)
    elif start == "submitted":
        submitted(finding, village_office)
    before = state(finding)
    if move == "submit_fix":
        data = {**data, "photos": [jpeg_upload()]}

    response = client_for(persona).post(action_url(finding, move), data, follow=True)

    assert response.redirect_chain == [(finding.get_absolute_url(), 302)]
    [message] = messages_of(response)
    assert "no longer possible" in message
    assert finding.get_status_display() in message
    assert state(finding) == before
    assert Photo.objects.filter(kind=Photo.Kind.AFTER).count() == (1 if start != "open" else 0)


def test_a_verification_made_a_moment_ago_by_a_colleague_is_reported_not_repeated(
    client_for, village_office, safety_officer, town_admin, finding
):
    """The colleague's page still offers "verify"; when he sends it, the finding is already closed."""
    submitted(finding, village_office)
    page = client_for(town_admin).get(finding.get_absolute_url())
    assert "verify" in page.context["action_forms"]
    finding_verify(finding=finding, by=safety_officer, passed=True)
    before = state(finding)

    response = client_for(town_admin).post(action_url(finding, "verify"), {"result": "pass"}, follow=True)

    assert "no longer possible" in messages_of(response)[0]
    assert state(finding) == before


def test_the_service_refusal_after_the_form_is_shown_as_a_message(
    client_for, village_office, safety_officer, finding, monkeypatch
):
    """If the status changes between the view's check and the service's lock, the service's message is shown."""
    from django.core.exceptions import ValidationError

    from inspections.views import findings as views

    submitted(finding, village_office)
    before = state(finding)

    def raced(**kwargs):
        raise ValidationError("This finding is now “Closed”, so this action is no longer possible. Reload the page.")

    monkeypatch.setattr(views, "finding_verify", raced)
    response = client_for(safety_officer).post(action_url(finding, "verify"), {"result": "pass"}, follow=True)

    assert response.redirect_chain == [(finding.get_absolute_url(), 302)]
    assert "no longer possible" in messages_of(response)[0]
    assert state(finding) == before


def test_a_fix_submitted_for_another_villages_finding_answers_404(client_for, other_village_office, finding):
    before = state(finding)
    response = post_fix(client_for(other_village_office), finding)
    assert response.status_code == 404
    assert state(finding) == before


@pytest.mark.parametrize(
    ("persona", "move", "data"),
    [
        ("leadership", "submit_fix", {"note": "x"}),
        ("leadership", "verify", {"result": "pass"}),
        ("village_office", "verify", {"result": "pass"}),
        ("safety_officer", "submit_fix", {"note": "x"}),
    ],
    indirect=["persona"],
)
def test_a_user_who_may_see_but_not_act_gets_403(client_for, persona, move, data, finding, village_office):
    if move == "verify":
        submitted(finding, village_office)
    before = state(finding)
    if move == "submit_fix":
        data = {**data, "photos": [jpeg_upload()]}

    response = client_for(persona).post(action_url(finding, move), data)

    assert response.status_code == 403
    assert state(finding) == before


def test_officer_of_another_zone_cannot_even_see_the_finding_to_verify_it(
    client_for, village_office, other_officer, finding
):
    submitted(finding, village_office)
    before = state(finding)
    assert client_for(other_officer).post(action_url(finding, "verify"), {"result": "pass"}).status_code == 404
    assert state(finding) == before


def test_an_unknown_action_answers_404(client_for, town_admin, finding):
    assert client_for(town_admin).post(action_url(finding, "delete"), {}).status_code == 404


def test_an_action_is_only_taken_by_post(client_for, village_office, finding):
    assert client_for(village_office).get(action_url(finding, "submit_fix")).status_code == 405


def test_anonymous_post_is_sent_to_sign_in_and_changes_nothing(client_for, finding):
    before = state(finding)
    response = client_for().post(action_url(finding, "close"), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert state(finding) == before

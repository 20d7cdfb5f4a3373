"""The finding lifecycle through its services: every move, every illegal one, overdue, and two officers at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext

from chashan_safety.models import Role
from inspections.models import Finding, FindingEvent, FindingStatus
from inspections.services import (
    finding_close,
    finding_reopen,
    finding_submit_fix,
    finding_verify,
)
from tests.builders import after_photo, closed, make_site, record_findings, state, submitted
from tests.factories import UserFactory

S = Finding.Status
A = FindingEvent.Action

# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english():
    # the messages are asserted in their English source form, which holds before and after translation
    with translation.override("en"):
        yield


@pytest.fixture
def site_a(village_a):
    return make_site(village_a)


@pytest.fixture
def finding(safety_officer, site_a):
    return record_findings(officer=safety_officer, site=site_a)[0]


@pytest.fixture
def major_finding(safety_officer, site_a):
    return record_findings(officer=safety_officer, site=site_a, grade=Finding.Grade.MAJOR)[0]


# --- the moves ------------------------------------------------------------------------------------


def test_a_recorded_finding_is_open_with_one_event_saying_who_found_it(finding, safety_officer):
    assert finding.status == S.OPEN
    assert finding.number.startswith(f"YH{finding.found_on.year}-")
    event = finding.events.get()
    assert (event.action, event.by, event.to_status) == (A.CREATED, safety_officer, S.OPEN)


def test_village_office_submits_a_fix_and_the_finding_awaits_verification(finding, village_office):
    event = finding_submit_fix(finding=finding, by=village_office, note="已清理安全出口", photos=[after_photo()])

    finding.refresh_from_db()
    assert finding.status == S.FIX_SUBMITTED
    assert (event.action, event.by, event.note) == (A.FIX_SUBMITTED, village_office, "已清理安全出口")
    assert (event.from_status, event.to_status) == (S.OPEN, S.FIX_SUBMITTED)
    assert [photo.kind for photo in event.photos.all()] == ["after"]


def test_unit_office_submits_the_fix_when_its_unit_is_responsible(safety_officer, site_a, unit_a, unit_office):
    finding = record_findings(officer=safety_officer, site=site_a, responsible_unit=unit_a)[0]

    finding_submit_fix(finding=finding, by=unit_office, note="已更换燃气软管", photos=[after_photo()])

    finding.refresh_from_db()
    assert finding.status == S.FIX_SUBMITTED


def test_another_unit_office_cannot_submit_the_fix_of_a_unit_finding(safety_officer, site_a, unit_a, other_unit_office):
    finding = record_findings(officer=safety_officer, site=site_a, responsible_unit=unit_a)[0]
    before = state(finding)

    with pytest.raises(PermissionDenied):
        finding_submit_fix(finding=finding, by=other_unit_office, note="x", photos=[after_photo()])
    assert state(finding) == before


def test_a_fix_needs_a_note_and_an_after_photo(finding, village_office):
    before = state(finding)
    with pytest.raises(ValidationError, match="at least one photo"):
        finding_submit_fix(finding=finding, by=village_office, note="已整改", photos=[])
    with pytest.raises(ValidationError, match="what was done"):
        finding_submit_fix(finding=finding, by=village_office, note="  ", photos=[after_photo()])
    assert state(finding) == before


def test_passing_verification_closes_a_general_finding_with_two_events(finding, village_office, safety_officer):
    submitted(finding, village_office)

    finding_verify(finding=finding, by=safety_officer, passed=True, note="现场复查合格")

    finding.refresh_from_db()
    assert finding.status == S.CLOSED
    assert finding.closed_at is not None
    assert list(finding.events.values_list("action", "by")) == [
        (A.CREATED, safety_officer.pk),
        (A.FIX_SUBMITTED, village_office.pk),
        (A.VERIFIED_PASSED, safety_officer.pk),
        (A.CLOSED, safety_officer.pk),
    ]
    assert not finding.is_overdue


def test_passing_verification_leaves_a_major_finding_verified_for_the_town_to_close(
    major_finding, village_office, safety_officer, town_admin
):
    submitted(major_finding, village_office)
    finding_verify(finding=major_finding, by=safety_officer, passed=True)
    major_finding.refresh_from_db()
    assert major_finding.status == S.VERIFIED

    with pytest.raises(PermissionDenied):
        finding_close(finding=major_finding, by=safety_officer)
    assert state(major_finding) == (S.VERIFIED, 3)

    finding_close(finding=major_finding, by=town_admin, note="挂牌督办销号")
    major_finding.refresh_from_db()
    assert major_finding.status == S.CLOSED
    assert major_finding.events.last().by == town_admin


def test_failed_verification_needs_a_reason_and_a_deadline_not_in_the_past(finding, village_office, safety_officer):
    submitted(finding, village_office)
    before = state(finding)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    with pytest.raises(ValidationError, match="reason"):
        finding_verify(finding=finding, by=safety_officer, passed=False, note="", deadline=tomorrow)
    with pytest.raises(ValidationError, match="new rectification deadline"):
        finding_verify(finding=finding, by=safety_officer, passed=False, note="仍有杂物")
    with pytest.raises(ValidationError, match="past"):
        finding_verify(finding=finding, by=safety_officer, passed=False, note="仍有杂物", deadline=yesterday)
    assert state(finding) == before


def test_failed_verification_sends_the_finding_back_open_with_the_new_deadline(finding, village_office, safety_officer):
    submitted(finding, village_office)
    new_deadline = timezone.localdate() + dt.timedelta(days=5)

    event = finding_verify(
        finding=finding, by=safety_officer, passed=False, note="插线板仍未拆除", deadline=new_deadline
    )

    finding.refresh_from_db()
    assert finding.status == S.OPEN
    assert finding.deadline == new_deadline
    assert (event.action, event.deadline, event.note) == (A.VERIFIED_FAILED, new_deadline, "插线板仍未拆除")


def test_reopening_a_closed_finding_counts_the_reopen(finding, village_office, safety_officer):
    closed(finding, village_office, safety_officer)
    new_deadline = timezone.localdate() + dt.timedelta(days=7)

    finding_reopen(finding=finding, by=safety_officer, note="回头看发现问题反弹", deadline=new_deadline)

    finding.refresh_from_db()
    assert (finding.status, finding.reopen_count, finding.deadline) == (S.OPEN, 1, new_deadline)
    assert finding.closed_at is None
    assert finding.events.last().action == A.REOPENED


def test_officer_of_another_zone_cannot_verify(finding, village_office, other_officer):
    submitted(finding, village_office)
    before = state(finding)
    with pytest.raises(PermissionDenied):
        finding_verify(finding=finding, by=other_officer, passed=True)
    assert state(finding) == before


def test_village_office_cannot_verify_its_own_fix(finding, village_office):
    submitted(finding, village_office)
    before = state(finding)
    with pytest.raises(PermissionDenied):
        finding_verify(finding=finding, by=village_office, passed=True)
    assert state(finding) == before


ILLEGAL = [
    pytest.param(
        "closed",
        lambda f, o, v: finding_submit_fix(finding=f, by=v, note="x", photos=[after_photo()]),
        id="submit a fix on a closed finding",
    ),
    pytest.param("open", lambda f, o, v: finding_verify(finding=f, by=o, passed=True), id="verify an open finding"),
    pytest.param("open", lambda f, o, v: finding_close(finding=f, by=o), id="close an open finding"),
    pytest.param(
        "open",
        lambda f, o, v: finding_reopen(finding=f, by=o, note="x", deadline=timezone.localdate()),
        id="reopen an open finding",
    ),
    pytest.param("submitted", lambda f, o, v: finding_close(finding=f, by=o), id="close before verification"),
]


@pytest.mark.parametrize(("start", "move"), ILLEGAL)
def test_an_illegal_move_is_refused_with_a_readable_message_and_changes_nothing(
    finding, village_office, safety_officer, start, move
):
    if start == "closed":
        closed(finding, village_office, safety_officer)
    elif start == "submitted":
        submitted(finding, village_office)
    before = state(finding)

    with pytest.raises(ValidationError) as refused:
        move(finding, safety_officer, village_office)

    assert "no longer possible" in refused.value.messages[0]
    assert finding.get_status_display() in refused.value.messages[0]
    assert state(finding) == before


# --- overdue is derived ---------------------------------------------------------------------------


def test_a_finding_becomes_overdue_the_day_after_its_deadline(finding):
    deadline = finding.deadline
    with time_machine.travel(dt.datetime.combine(deadline, dt.time(20)).astimezone(), tick=False):
        finding.refresh_from_db()
        assert not finding.is_overdue
        assert finding.urgency == "due-soon"
        assert not Finding.objects.overdue().filter(pk=finding.pk).exists()
    with time_machine.travel(dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(8)).astimezone(), tick=False):
        assert finding.is_overdue
        assert finding.urgency == "overdue"
        assert list(Finding.objects.overdue()) == [finding]


def test_a_closed_finding_is_never_overdue(finding, village_office, safety_officer):
    closed(finding, village_office, safety_officer)
    later = finding.deadline + dt.timedelta(days=30)
    assert not finding.is_overdue
    assert not Finding.objects.overdue(today=later).exists()
    assert list(Finding.objects.not_overdue(today=later)) == [finding]


def test_a_submitted_fix_past_its_deadline_is_still_overdue(finding, village_office):
    submitted(finding, village_office)
    later = finding.deadline + dt.timedelta(days=2)
    assert list(Finding.objects.overdue(today=later)) == [finding]


# --- two officers at once ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_officers_verifying_the_same_finding_at_once_one_wins_and_the_other_is_told(
    finding, village_office, safety_officer, zone_a
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises the whole database")
    colleague = UserFactory(username="officer_a2", full_name="黄安全", role=Role.SAFETY_OFFICER, zones=[zone_a])
    submitted(finding, village_office)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def verify(officer):
        try:
            mine = Finding.objects.get(pk=finding.pk)  # each officer has the page open: it says "awaiting verification"
            barrier.wait(timeout=10)
            finding_verify(finding=mine, by=officer, passed=True)
            outcomes[officer.username] = "done"
        except ValidationError as error:
            outcomes[officer.username] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=verify, args=(officer,)) for officer in (safety_officer, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values(), key=lambda outcome: outcome != "done")[0] == "done"
    refused = [outcome for outcome in outcomes.values() if outcome != "done"]
    assert len(refused) == 1
    # the threads run in the default language, Chinese
    with translation.override(settings.LANGUAGE_CODE):
        expected = gettext("This finding is now “%(status)s”, so this action is no longer possible. Reload the page.")
        expected %= {"status": FindingStatus.CLOSED.label}
    assert refused[0] == expected
    finding.refresh_from_db()
    assert finding.status == S.CLOSED
    assert finding.events.filter(action=A.VERIFIED_PASSED).count() == 1
    assert finding.events.filter(action=A.CLOSED).count() == 1

"""Supervision reminders in the sweep: follow-ups coming due and overdue go to the zone's officers;
major findings overdue go straight to the town administrators; each exactly once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chashan_safety.models import Notification, Reminder
from chashan_safety.reminders import describe, preview, still_relevant, sweep
from supervision.models import FollowUp
from supervision.reminders import FOLLOW_UP_DUE, MAJOR_OVERDUE
from supervision.services import follow_up_record
from tests.builders import overdue_findings, record_findings
from tests.supervision.helpers import close_general


def told(kind: str, level: str | None = None) -> set[str]:
    notifications = Notification.objects.filter(reminder__kind=kind)
    if level:
        notifications = notifications.filter(reminder__level=level)
    return set(notifications.values_list("recipient__username", flat=True))


def test_a_follow_up_coming_due_tells_the_zones_officers_once(
    finding, village_office, safety_officer, other_officer, town_admin
):
    close_general(finding, office=village_office, officer=safety_officer)
    follow_up = FollowUp.objects.get()
    day = follow_up.due_on - dt.timedelta(days=2)

    sweep(day)
    sweep(day)

    assert told(FOLLOW_UP_DUE, "due_soon") == {safety_officer.username}
    assert Reminder.objects.filter(kind=FOLLOW_UP_DUE).count() == 1


def test_an_overdue_follow_up_is_reminded_and_a_done_one_is_not(finding, village_office, safety_officer):
    close_general(finding, office=village_office, officer=safety_officer)
    follow_up = FollowUp.objects.get()
    sweep(follow_up.due_on + dt.timedelta(days=1))
    assert told(FOLLOW_UP_DUE, "overdue") == {safety_officer.username}

    follow_up_record(follow_up=follow_up, by=safety_officer, result="held")
    Reminder.objects.filter(kind=FOLLOW_UP_DUE).delete()
    sweep(follow_up.due_on + dt.timedelta(days=2))
    assert not Reminder.objects.filter(kind=FOLLOW_UP_DUE).exists()


def test_an_overdue_major_finding_goes_straight_to_the_town_admin(
    safety_officer, site_a, town_admin, village_office, leadership
):
    overdue_findings(officer=safety_officer, site=site_a, days=1)
    major = overdue_findings(officer=safety_officer, site=site_a, days=1)[0]
    major.grade = "major"
    major.save()

    sweep(timezone.localdate())

    assert told(MAJOR_OVERDUE) == {town_admin.username}
    assert set(Reminder.objects.filter(kind=MAJOR_OVERDUE).values_list("object_id", flat=True)) == {major.pk}


def test_a_major_finding_not_yet_overdue_is_not_escalated(safety_officer, site_a, town_admin):
    record_findings(officer=safety_officer, site=site_a, grade="major")
    sweep(timezone.localdate())
    assert not Reminder.objects.filter(kind=MAJOR_OVERDUE).exists()


def test_the_reminders_read_well_and_a_done_follow_up_is_withdrawn_before_the_digest(
    finding, village_office, safety_officer
):
    close_general(finding, office=village_office, officer=safety_officer)
    follow_up = FollowUp.objects.get()
    day = follow_up.due_on + dt.timedelta(days=1)
    assert [level.reminders for level in preview(day).levels if level.kind == FOLLOW_UP_DUE] == [0, 1]
    sweep(day)
    reminder = Reminder.objects.get(kind=FOLLOW_UP_DUE)

    text = describe([reminder])[reminder.pk]
    assert finding.number in text.title and follow_up.due_on.isoformat() in text.title
    assert text.url == follow_up.get_absolute_url()
    assert still_relevant([reminder]) == {reminder.pk}

    follow_up_record(follow_up=follow_up, by=safety_officer, result="held")
    assert still_relevant([reminder]) == set()

"""Unsigned letters join the reminder sweep: the office as the deadline nears and after it, then the town."""

from __future__ import annotations

import datetime as dt

from chashan_safety.models import Notification, Reminder
from chashan_safety.reminders import describe, sweep
from responsibility.reminders import UNSIGNED
from tests.responsibility.conftest import sign_drawn


def told(user) -> list[Reminder]:
    return [
        n.reminder
        for n in Notification.objects.filter(recipient=user, reminder__kind=UNSIGNED).select_related("reminder")
    ]


def test_the_office_is_reminded_as_the_deadline_nears(letter_a, village_office, other_village_office, deadline):
    sweep(deadline - dt.timedelta(days=3))
    reminders = told(village_office)
    assert [(r.level, r.object_id) for r in reminders] == [("due_soon", letter_a.pk)]
    assert not [r for r in told(other_village_office) if r.object_id == letter_a.pk]
    text = describe(reminders)[reminders[0].pk]
    assert letter_a.party_name in text.title
    assert text.url == letter_a.get_absolute_url()


def test_after_the_deadline_the_office_then_the_town_administrator(letter_a, village_office, town_admin, deadline):
    sweep(deadline + dt.timedelta(days=1))
    assert ("d1", letter_a.pk) in [(r.level, r.object_id) for r in told(village_office)]
    assert told(town_admin) == []
    sweep(deadline + dt.timedelta(days=7))
    assert ("d7", letter_a.pk) in [(r.level, r.object_id) for r in told(town_admin)]


def test_a_unit_office_is_reminded_of_its_letter(unit_letter, unit_office, deadline):
    sweep(deadline + dt.timedelta(days=1))
    assert unit_letter.pk in [r.object_id for r in told(unit_office)]


def test_a_signed_letter_is_not_reminded(letter_a, village_office, deadline):
    sign_drawn(letter_a, village_office)
    sweep(deadline + dt.timedelta(days=8))
    assert told(village_office) == []


def test_a_second_sweep_sends_nothing_new(letter_a, village_office, deadline):
    sweep(deadline + dt.timedelta(days=1))
    count = Notification.objects.count()
    sweep(deadline + dt.timedelta(days=1))
    assert Notification.objects.count() == count

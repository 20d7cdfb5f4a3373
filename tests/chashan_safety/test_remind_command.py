"""``manage.py remind``: run the sweep now, or preview it without writing anything."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from chashan_safety.models import DigestDelivery, Notification, Reminder
from responsibility.models import Card, SupervisionLetter
from tests.chashan_safety import test_reminder_ladder as ladder
from tests.chashan_safety.test_reminder_ladder import day, record

clock, town, _media = ladder.clock, ladder.town, ladder._media


def remind(*args) -> str:
    out = io.StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


def counts(output: str) -> dict[str, tuple[int, ...]]:
    """``{level: (numbers…)}`` from the command's table."""
    rows = {}
    for line in output.splitlines():
        match = re.match(r"\s+finding\.\S+\s+(\S+)\s+(.*)$", line)
        if match:
            rows[match[1]] = tuple(int(number) for number in re.findall(r"\d+", match[2]))
    return rows


def written() -> tuple[int, int, int, int]:
    return (
        Reminder.objects.count(),
        Notification.objects.count(),
        Card.objects.count(),
        SupervisionLetter.objects.count(),
    )


def test_dry_run_prints_what_is_due_and_writes_nothing(town, mailoutbox):
    record(town, count=3)

    output = remind("--day", day(20).isoformat(), "--dry-run")

    assert "2026-03-30" in output and "nothing written" in output
    # twenty days overdue on the first sweep: each finding is reminded at the rung it has reached
    assert counts(output) == {"due_soon": (0,), "d1": (0,), "d3": (0,), "d7": (0,), "d15": (3,)}
    assert "total 3 new reminders" in output
    assert written() == (0, 0, 0, 0)
    assert mailoutbox == []


def test_remind_writes_the_reminders_and_says_how_many(town):
    record(town, count=3)

    output = remind("--day", day(20).isoformat())

    assert counts(output) == {
        "due_soon": (0, 0, 0),
        "d1": (0, 0, 0),
        "d3": (0, 0, 0),
        "d7": (0, 0, 0),
        # the office, the zone's officer, the section head, leadership and the town administrator
        "d15": (3, 15, 15),
    }
    assert "total 3 reminders, 15 inbox items telling 15" in output
    assert written() == (3, 15, 3, 3)  # the red card of the rung reached, and its letter, per finding


def test_a_dry_run_after_a_sweep_finds_nothing_new_and_a_second_sweep_writes_nothing(town):
    record(town, count=2)
    remind("--day", day(20).isoformat())
    before = written()

    preview = remind("--day", day(20).isoformat(), "--dry-run")
    again = remind("--day", day(20).isoformat())

    assert "total 0 new reminders" in preview
    assert "total 0 reminders, 0 inbox items telling 0" in again
    assert written() == before


def test_remind_with_digests_sends_them(town, mailoutbox):
    town.office.email = "shangyuan@example.org"
    town.office.save()
    record(town)

    output = remind("--day", day(1).isoformat(), "--digests")

    assert "Digests for 2026-03-11: withdrawn 0, sent {'email': 1, 'sms': 0}" in output
    assert [message.to for message in mailoutbox] == [["shangyuan@example.org"]]
    assert DigestDelivery.objects.filter(channel="email").count() == 1


def test_remind_sweeps_today_by_default(town, clock):
    record(town)
    clock.move_to(ladder.RECORDED.replace(day=11))  # D + 1

    output = remind()

    assert "Sweep for 2026-03-11" in output
    assert counts(output)["d1"] == (1, 1, 1)


def test_a_day_that_is_not_a_date_is_refused(db):
    with pytest.raises(CommandError, match="not a date"):
        remind("--day", "2026-02-30")

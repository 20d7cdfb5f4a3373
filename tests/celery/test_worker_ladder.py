"""A finding that goes overdue, swept day by day through Redis by a real worker: one reminder per level."""

from __future__ import annotations

import pytest

from chashan_safety.models import Notification, Reminder
from inspections.reminders import DUE_SOON, OVERDUE
from tests.celery.conftest import rows
from tests.chashan_safety.test_reminder_ladder import D, day, expected_notifications, record

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_sweeps_sent_through_the_broker_day_by_day_make_exactly_one_reminder_per_level(broker, town):
    (finding,) = record(town)
    worker = broker.start_worker()

    for offset in range(-3, 21):
        broker.sweep(day(offset))
    broker.wait_idle()

    assert broker.outcomes() == {"succeeded": 24, "retry": 0, "raised": 0}, worker.log()
    assert rows()["reminders"] == sorted(
        [
            (DUE_SOON, "due_soon", finding.pk, D),
            *((OVERDUE, level, finding.pk, D) for level in ("d1", "d3", "d7", "d15")),
        ]
    )
    notifications = sorted(
        Notification.objects.values_list("recipient__username", "reminder__level", "reminder__object_id")
    )
    assert notifications == expected_notifications(town, finding)
    assert not Reminder.objects.filter(notified_at__isnull=True).exists()
    assert [row[:1] for row in rows()["cards"]] == [("red",), ("yellow",)]
    assert rows()["letters"] == [(f"finding:{finding.pk}", f"village:{town.village.pk}", "draft")]


def test_the_same_days_swept_again_through_the_broker_add_nothing(broker, town):
    record(town, count=3)
    broker.start_worker()
    for offset in (1, 3, 7, 15):
        broker.sweep(day(offset))
    broker.wait_idle()
    first = rows()

    for offset in (1, 3, 7, 15, 20):
        broker.sweep(day(offset))
    broker.wait_idle()

    assert rows() == first
    assert len(first["reminders"]) == 3 * 4
    assert broker.outcomes()["succeeded"] == 9

"""A worker killed (SIGKILL) in the middle of a sweep loses nothing.

The sweep is caught mid-way without a test seam in the portal: findings one day and twenty days
overdue, and a second database session holding, uncommitted, the day-15 reminder of one of the
latter, so the sweep commits its day-1 level and then waits in the day-15 INSERT. The worker is
killed there. Its task was acknowledged late, so Redis still holds it; after the visibility timeout a
restarted worker gets it again and completes the sweep.
"""

from __future__ import annotations

import re
import time

import pytest

from chashan_safety.models import Notification, Reminder
from inspections.reminders import OVERDUE
from tests.celery.conftest import VISIBILITY_TIMEOUT, clean_sweep_rows, rows, wait_until
from tests.chashan_safety.test_reminder_ladder import D, day, record

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

FINDINGS = 5


def task_ids(log: str, outcome: str) -> list[str]:
    return re.findall(rf"tasks\.reminder_sweep\[([0-9a-f-]+)\] {outcome}", log)


def test_a_worker_killed_mid_sweep_loses_nothing_the_task_comes_back_to_a_restarted_worker(broker, town, blocker):
    findings = record(town, count=FINDINGS)  # twenty days overdue on day 20
    record(town, count=FINDINGS, deadline=day(19))  # one day overdue on day 20
    first = broker.start_worker("w1")
    blocker.hold(kind=OVERDUE, level="d15", object_id=findings[-1].pk, anchor=D)

    sent_at = time.monotonic()
    broker.sweep(day(20))
    wait_until(lambda: blocker.waiting_sweeps() == 1, timeout=20, what="the sweep to reach day 15", log=first.log)

    # mid-way: day 1 is done and committed, day 15 is not
    assert Reminder.objects.filter(level="d1", notified_at__isnull=False).count() == FINDINGS
    assert Notification.objects.filter(reminder__level="d1").count() == FINDINGS
    assert not Reminder.objects.filter(level="d15").exists()

    first.kill()
    blocker.release()
    assert not first.alive()
    (task_id,) = task_ids(first.log(), "received")
    assert task_ids(first.log(), "succeeded") == []
    # not acknowledged: the broker still has it
    assert broker.client.hlen("unacked") >= 1
    assert not Reminder.objects.filter(level="d15").exists()

    time.sleep(max(0.0, sent_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
    second = broker.start_worker("w2")
    broker.wait_idle(timeout=30)

    assert task_ids(second.log(), "succeeded") == [task_id]
    after = rows()
    assert after["unnotified"] == 0
    assert len(after["reminders"]) == FINDINGS * 2
    # day 1 was not sent twice, and everything after it was done: as if the sweep had never been interrupted
    assert after == clean_sweep_rows(day(20))

"""Two sweeps for the same day at the same time, in two workers: no reminder or notification twice."""

from __future__ import annotations

import pytest

from inspections.reminders import OVERDUE
from tests.celery.conftest import clean_sweep_rows, rows, wait_until
from tests.chashan_safety.test_reminder_ladder import D, day, record

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

FINDINGS = 40


def test_two_workers_sweeping_the_same_day_at_once_write_each_reminder_and_notification_once(broker, town, blocker):
    findings = record(town, count=FINDINGS)
    workers = [broker.start_worker("w1"), broker.start_worker("w2")]
    # hold the day-15 reminder of the last finding (the rung reached by day 20): both sweeps reach that
    # INSERT and wait there, then run side by side from the moment it is released
    blocker.hold(kind=OVERDUE, level="d15", object_id=findings[-1].pk, anchor=D)

    broker.sweep(day(20))
    broker.sweep(day(20))
    wait_until(
        lambda: blocker.waiting_sweeps() == 2,
        timeout=20,
        what="both sweeps to be in the reminder INSERT at once",
        log=lambda: "\n".join(worker.log()[-3000:] for worker in workers),
    )
    blocker.release()
    broker.wait_idle()

    assert broker.outcomes() == {"succeeded": 2, "retry": 0, "raised": 0}
    # each worker ran one of the two
    assert all("reminder_sweep[" in worker.log() for worker in workers)
    after = rows()
    assert len(after["reminders"]) == FINDINGS
    # office, officer, section head, leadership, admin: one group item each for the forty
    assert [(row[1], row[2], row[5]) for row in after["notifications"]] == [(OVERDUE, "d15", FINDINGS)] * 5
    assert len(set(after["notifications"])) == len(after["notifications"])
    assert after["unnotified"] == 0
    assert after == clean_sweep_rows(day(20))


def test_many_sweeps_of_many_days_racing_in_two_workers_end_as_one_clean_run(broker, town):
    record(town, count=FINDINGS)
    record(town, count=FINDINGS, deadline=day(6))
    broker.start_worker("w1")
    broker.start_worker("w2")

    # the days on which something becomes due for one of the two deadlines, and a few quiet ones
    days = [day(offset) for offset in (-2, -1, 0, 1, 2, 3, 4, 7, 9, 13, 15, 21, 22)]
    for when in days:
        broker.sweep(when)
        broker.sweep(when)
    broker.wait_idle(timeout=60)

    assert broker.outcomes()["succeeded"] == 2 * len(days)
    after = rows()
    assert after["unnotified"] == 0
    assert after == clean_sweep_rows(*days)

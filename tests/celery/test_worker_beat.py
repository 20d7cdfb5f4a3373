"""Redis down when beat fires: beat keeps running (no crash loop), and a later sweep catches up.

Beat runs with the portal's schedule plus a reminder sweep every second
(``tests/celery/beat_every_second.py``), against a Redis server of the test's own on a free port,
so that the test can have it down, bring it up and stop it again without touching the shared one.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.utils import timezone
from kombu.exceptions import OperationalError

from chashan_safety.celery import app
from chashan_safety.tasks import reminder_sweep
from tests.celery.conftest import Broker, Process, rows, wait_until
from tests.chashan_safety.test_reminder_ladder import D, record

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = shutil.which("redis-server")
#: how long Redis stays down while beat fires every second
DOWN_FOR = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(broker: Broker, port: int) -> Process:
    log_path = broker.tmp_path / f"redis-{port}.log"
    with log_path.open("ab") as log:
        popen = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Process(f"redis-{port}", popen, log_path, server=True)
    broker.processes.append(server)
    client = redis.Redis(port=port)
    wait_until(lambda: _pings(client), timeout=10, what="redis-server to start", log=server.log)
    return server


def _pings(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def test_publishing_to_a_dead_broker_raises_an_error_that_beat_logs_and_survives(broker):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with app.connection_for_write(dead) as connection, pytest.raises(OperationalError):
        reminder_sweep.apply_async(
            args=["2026-03-30"], connection=connection, retry_policy={"max_retries": 1, "interval_start": 0}
        )


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server to run a Redis of its own")
def test_beat_survives_redis_being_down_and_a_later_sweep_sends_the_missed_reminders(broker, town):
    (finding,) = record(town)  # deadline D, long past: the top rung of the ladder is due today
    port = free_port()
    private = Broker(
        url=f"redis://127.0.0.1:{port}/0",
        queue=broker.queue,
        tmp_path=broker.tmp_path,
        client=redis.Redis(port=port),
        processes=broker.processes,  # stopped with the others after the test
    )
    beat = private.start_beat(
        "beat",
        "--scheduler",
        "tests.celery.beat_every_second:EverySecondScheduler",
        "--schedule",
        str(broker.tmp_path / "celerybeat-schedule"),
        CHASHAN_TEST_QUEUE=broker.queue,
    )

    # Redis is down: beat fires every second for DOWN_FOR seconds and cannot publish
    time.sleep(DOWN_FOR)
    assert beat.alive(), beat.log()
    assert "Connection error" in beat.log() or "Message Error" in beat.log(), beat.log()
    assert "beat raised exception" not in beat.log()
    assert "Starting..." in beat.log() and beat.log().count("beat: Starting...") == 1  # not restarted
    assert rows()["reminders"] == []

    # Redis comes back: beat connects and publishes again, without being restarted
    server = start_redis(private, port)
    wait_until(lambda: private.pending() > 0, timeout=20, what="beat to publish after Redis came back", log=beat.log)

    # Redis goes down again while beat is running and publishing
    server.kill()
    time.sleep(3)
    assert beat.alive(), beat.log()
    assert beat.log().count("beat: Starting...") == 1

    start_redis(private, port)
    wait_until(lambda: private.pending() > 0, timeout=20, what="beat to publish again", log=beat.log)
    beat.terminate()
    beat.wait(timeout=3)
    private.start_worker("w1")
    private.wait_idle(timeout=30)

    # the sweeps beat sent have no day: they sweep today, and catch up at the rung the finding has
    # reached, telling everybody of the rungs below once
    assert timezone.localdate() - D > dt.timedelta(days=15)
    assert rows()["reminders"] == [("finding.overdue", "d15", finding.pk, D)]
    assert rows()["unnotified"] == 0
    assert len(rows()["notifications"]) == 5
    assert private.outcomes()["succeeded"] >= 1
    assert private.outcomes()["raised"] == 0

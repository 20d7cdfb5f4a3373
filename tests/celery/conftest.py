"""Real Celery workers against the real Redis broker and the pytest test database (no eager mode).

A worker in another process must see what the test wrote, so these tests commit their data
(``django_db(transaction=True)``) and need PostgreSQL: an SQLite test database lives in the test
process's memory. They also need Redis: they start workers with a visibility timeout of a few
seconds. Without both they are skipped, unless ``CHASHAN_CELERY_TESTS=1`` says they must run (then
they fail and say why). CI sets ``DATABASE_URL`` to PostgreSQL and ``CELERY_BROKER_URL`` to Redis.

Each test sends its tasks to a queue of its own, which only its own workers consume, so tests can
run side by side (``pytest -n``). Point ``CELERY_BROKER_URL`` at a Redis database that no running
portal uses: a test worker gives back, after its short visibility timeout, every unacknowledged
message of that database.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
import redis
from django.conf import settings
from django.db import connection

from chashan_safety.models import Notification, Reminder
from chashan_safety.tasks import reminder_sweep
from responsibility.models import Card, SupervisionLetter
from tests.chashan_safety.test_reminder_ladder import make_town
from tests.factories import UserFactory

BASE_DIR = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).with_name("celery")
#: seconds after which Redis gives an unacknowledged task to another worker
VISIBILITY_TIMEOUT = 5


def _missing() -> list[str]:
    missing = []
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL naming PostgreSQL (a worker cannot see an SQLite test database)")
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        missing.append("CELERY_BROKER_URL naming Redis")
    return missing


@pytest.fixture(autouse=True)
def _real_components():
    missing = _missing()
    if missing:
        message = "the Celery tests need " + " and ".join(missing)
        if os.environ.get("CHASHAN_CELERY_TESTS") == "1":
            pytest.fail(message + " (CHASHAN_CELERY_TESTS=1 says they must run)")
        pytest.skip(message)


def database_url() -> str:
    """The pytest test database (test_…) as a DATABASE_URL, for the worker processes."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{quote(db['NAME'])}"


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, log: Callable[[], str] = str):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{log()}")
        time.sleep(0.1)


@dataclass
class Process:
    """A worker or beat started by a test; only this object's own pid is ever signalled."""

    name: str
    popen: subprocess.Popen
    log_path: Path
    #: a server (Redis) rather than a Celery process: stopped last
    server: bool = False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process dies at once, in the middle of whatever it does."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def terminate(self) -> None:
        """SIGTERM: a warm shutdown (a few seconds); ``wait()`` for it."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 10) -> None:
        """Until it has exited; SIGKILL after ``timeout`` seconds."""
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Broker:
    """The Redis broker, seen from the test: a queue of the test's own and its workers."""

    url: str
    queue: str
    tmp_path: Path
    client: redis.Redis
    processes: list[Process] = field(default_factory=list)
    #: sweeps this test sent through the broker
    sent: int = 0

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=self.url,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            CHASHAN_VAR_DIR=str(self.tmp_path / "var"),
            PYTHONPATH=str(BASE_DIR),
            DJANGO_SETTINGS_MODULE="chashan_safety.settings",
        )
        env.update(extra)
        return env

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log_path = self.tmp_path / f"{name}.log"
        with log_path.open("ab") as log:
            popen = subprocess.Popen(
                [str(CELERY), "-A", "chashan_safety", *args],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def start_worker(self, name: str = "w1", **env: str) -> Process:
        """A worker with the solo pool (one process: a SIGKILL kills the task with it), ready to consume."""
        worker = self._start(
            name,
            [
                "worker",
                "--pool=solo",
                "--queues",
                self.queue,
                "--hostname",
                f"{name}-{self.queue}@%h",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            self.env(**env),
        )
        wait_until(
            lambda: " ready." in worker.log() or not worker.alive(), timeout=30, what=f"{name} to start", log=worker.log
        )
        assert worker.alive(), worker.log()
        return worker

    def start_beat(self, name: str, *args: str, **env: str) -> Process:
        return self._start(name, ["beat", "--loglevel=INFO", *args], self.env(**env))

    def sweep(self, day) -> None:
        """``reminder_sweep(day)`` through the broker, to this test's queue."""
        reminder_sweep.apply_async(args=[day.isoformat()], queue=self.queue)
        self.sent += 1

    def pending(self) -> int:
        """Messages waiting in the queue or delivered and not yet acknowledged."""
        waiting = sum(self.client.llen(key) for key in self.client.scan_iter(match=f"{self.queue}*"))
        return waiting + self.client.hlen("unacked")

    def wait_idle(self, *, timeout: float = 30) -> None:
        """Until every sweep sent has finished and nothing is waiting or unacknowledged."""

        def idle() -> bool:
            outcomes = self.outcomes()
            if outcomes["succeeded"] + outcomes["raised"] < self.sent or self.pending():
                return False
            # a message just taken off the queue is not yet in the unacknowledged hash: look twice
            time.sleep(0.3)
            return self.pending() == 0

        logs = lambda: "\n".join(f"--- {p.name}\n{p.log()[-4000:]}" for p in self.processes)  # noqa: E731
        wait_until(idle, timeout=timeout, what="the sweeps to finish", log=logs)

    def outcomes(self) -> dict[str, int]:
        """How many reminder sweeps the workers logged as succeeded, retried or failed."""
        logs = "\n".join(p.log() for p in self.processes)
        return {
            outcome: len(re.findall(rf"tasks\.reminder_sweep\[[^\]]+\] {outcome}", logs))
            for outcome in ("succeeded", "retry", "raised")
        }


@pytest.fixture
def broker(tmp_path):
    url = settings.CELERY_BROKER_URL
    client = redis.Redis.from_url(url)
    queue = f"chashan-test-{uuid.uuid4().hex[:12]}"
    client.delete(queue)  # purge: nothing but this test's tasks
    broker = Broker(url=url, queue=queue, tmp_path=tmp_path, client=client)
    yield broker
    # workers and beat first, side by side, then the servers they talk to (a Redis of a test's own)
    for group in (False, True):
        stopping = [process for process in broker.processes if process.server is group]
        for process in stopping:
            process.terminate()
        for process in stopping:
            # an idle worker has logged its warm shutdown within a second, then takes seconds more to
            # exit; nothing is lost by killing it then (a task it held would be delivered again)
            process.wait(timeout=2)
    # the queue, and kombu's bindings of its exchange (named after it)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def town(zone_a, village_a, village_office, other_village_office, safety_officer, other_officer, unit_office):
    """The ladder tests' town, committed (the findings are recorded on a fixed past day, so no clock)."""
    return make_town(
        zone_a=zone_a,
        village_a=village_a,
        village_office=village_office,
        other_village_office=other_village_office,
        safety_officer=safety_officer,
        other_officer=other_officer,
        unit_office=unit_office,
        leadership=UserFactory(username="leader", full_name="镇领导", role="leadership"),
        town_admin=UserFactory(username="admin", full_name="镇管理员", role="town_admin"),
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def blocker():
    """A second database session that holds a row lock where a sweep will need it, to catch the sweep mid-way.

    ``blocker.hold(kind, level, finding, anchor)`` inserts, uncommitted, the reminder the sweep is
    about to insert: the sweep's ``INSERT … ON CONFLICT`` waits on it until ``blocker.release()``.
    """
    params = connection.get_connection_params()
    conn = psycopg2.connect(**params)
    holder = _Blocker(conn)
    yield holder
    holder.release()
    conn.close()


class _Blocker:
    def __init__(self, conn):
        self.conn = conn

    def hold(self, *, kind: str, level: str, object_id: int, anchor) -> None:
        table = connection.ops.quote_name(Reminder._meta.db_table)
        with self.conn.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (kind, level, object_id, anchor, created_at) VALUES (%s, %s, %s, %s, now())",  # noqa: S608
                [kind, level, object_id, anchor],
            )

    def release(self) -> None:
        self.conn.rollback()

    def waiting_sweeps(self) -> int:
        """Other sessions waiting on a lock in the reminder INSERT."""
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE %s",
                ['INSERT INTO "chashan_safety_reminder"%'],
            )
            return cursor.fetchone()[0]


def rows() -> dict[str, object]:
    """What the sweeps wrote, without ids and timestamps: to compare two runs."""
    return {
        "reminders": sorted(Reminder.objects.values_list("kind", "level", "object_id", "anchor")),
        # a group item has no reminder of its own: its kind, level and size say what it stands for
        "notifications": sorted(
            Notification.objects.values_list(
                "recipient__username", "kind", "level", "reminder__object_id", "reminder__anchor", "size"
            ),
            key=str,
        ),
        "unnotified": Reminder.objects.filter(notified_at__isnull=True).count(),
        "cards": sorted(Card.objects.values_list("color", "party_key", "source", "year")),
        "letters": sorted(SupervisionLetter.objects.values_list("card__source", "card__party_key", "status")),
    }


def clean_sweep_rows(*days) -> dict[str, object]:
    """The rows a clean, uninterrupted sweep of ``days`` writes, from scratch, in this process."""
    from chashan_safety.reminders import sweep

    SupervisionLetter.objects.all().delete()
    Card.objects.all().delete()
    Notification.objects.all().delete()
    Reminder.objects.all().delete()
    for day in days:
        sweep(day)
    return rows()

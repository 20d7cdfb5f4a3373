"""Real outages of PostgreSQL and Redis, and recovery without a restart.

A small TCP proxy stands between the portal and the real server; the test cuts it (every open
connection is dropped and new ones are hung up on, as when the server goes away), stalls it (connections
are taken and never answered, as behind a dead link) and restores it. The machine's PostgreSQL and Redis
themselves are never touched.

The database tests serve the portal from a real WSGI server in a thread, as a gunicorn sync worker does:
one thread whose database connection is kept between requests (CONN_MAX_AGE) and health-checked before
reuse (CONN_HEALTH_CHECKS), so recovery is tested as production runs it (Django's test client skips the
connection housekeeping between requests). They need PostgreSQL, the Redis tests a Redis broker: each is
skipped otherwise. CI runs both.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import selectors
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import kombu.exceptions
import pytest
import redis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from chashan_safety.tasks import beat_heartbeat
from inspections.models import Finding
from tests.builders import make_site, record_findings, submitted
from tests.factories import HeartbeatFactory

#: the server thread (another connection) must see what the test wrote: commit it
committed = pytest.mark.django_db(transaction=True)

OUTAGE_WORDS = "数据库暂时无法连接，请稍后再试"


# --- the fault: a proxy the test can cut --------------------------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a real server until it is cut or stalled; ``restore()`` ends either."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.mode = "up"
        self.connections_made = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="tcp-proxy").start()

    def cut(self):
        self.mode = "cut"
        self._drop_open()

    def stall(self):
        self.mode = "stall"
        self._drop_open()

    def restore(self):
        self.mode = "up"

    def close(self):
        self._closed = True
        self._drop_open()
        self._listener.close()

    def _track(self, *socks):
        with self._lock:
            self._open.update(socks)

    def _drop_open(self):
        with self._lock:
            socks, self._open = self._open, set()
        for sock in socks:
            _hang_up(sock)

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.mode == "cut":
                _hang_up(client)
            elif self.mode == "stall":
                self._track(client)  # held open, never read, never answered
            else:
                try:
                    upstream = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    _hang_up(client)
                    continue
                self.connections_made += 1
                self._track(client, upstream)
                threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client, upstream):
        peers = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            try:
                while self.mode == "up" and not self._closed:
                    for key, _ in selector.select(timeout=0.1):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        peers[key.fileobj].sendall(data)
            except (OSError, ValueError):
                return
            finally:
                for sock in peers:
                    _hang_up(sock)


def _hang_up(sock: socket.socket):
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


# --- the portal under a real server --------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str
    seconds: float

    def json(self):
        return json.loads(self.text)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class PortalServer:
    """The portal served from one thread, whose database connection goes through ``database_port``."""

    def __init__(self, database_port: int):
        self.database_port = database_port
        self.httpd = WSGIServer(("127.0.0.1", 0), _QuietHandler)
        self.httpd.set_app(WSGIHandler())
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self._serve, daemon=True, name="portal-server")
        self.thread.start()

    def _serve(self):
        # this thread's own connection object: only the server's queries go through the proxy
        db = connections["default"]
        db.settings_dict = {**db.settings_dict, "HOST": "127.0.0.1", "PORT": str(self.database_port)}
        try:
            self.httpd.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()

    def get(self, path: str, *, session: str | None = None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": "127.0.0.1", "Accept-Language": "zh-hans"}
        if session:
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
        started = time.monotonic()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        conn.close()
        return Answer(response.status, response.headers, text, time.monotonic() - started)

    def stop(self):
        self.httpd.shutdown()
        self.thread.join(10)
        self.httpd.server_close()


@pytest.fixture
def postgresql_proxy():
    if connection.vendor != "postgresql":
        pytest.skip("the database outage tests need DATABASE_URL naming PostgreSQL")
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def portal(postgresql_proxy):
    server = PortalServer(postgresql_proxy.port)
    yield server
    server.stop()


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def finding(safety_officer, village_a):
    return record_findings(officer=safety_officer, site=make_site(village_a))[0]


# --- PostgreSQL ----------------------------------------------------------------------------------------


@committed
def test_while_postgresql_is_cut_pages_and_healthz_answer_503_and_recover_when_it_returns(
    portal, postgresql_proxy, safety_officer, finding
):
    HeartbeatFactory()
    session = session_of(safety_officer)
    ledger = reverse("inspections:finding-list")

    before = portal.get(ledger, session=session)
    assert before.status == 200
    assert finding.number in before.text
    assert portal.get("/healthz").status == 200

    postgresql_proxy.cut()
    page = portal.get(ledger, session=session)
    health = portal.get("/healthz")

    assert page.status == 503
    assert OUTAGE_WORDS in page.text
    assert page.headers["X-Request-ID"] in page.text
    assert finding.number not in page.text
    assert page.seconds < 5
    assert health.status == 503
    assert health.json()["database"] == {"ok": False, "error": "OperationalError"}
    assert health.json()["status"] == "fail"

    connections_before = postgresql_proxy.connections_made
    postgresql_proxy.restore()
    after = portal.get(ledger, session=session)

    assert after.status == 200
    assert finding.number in after.text
    assert portal.get("/healthz").status == 200
    # the same server thread, with a new connection of its own: no restart
    assert portal.thread.is_alive()
    assert postgresql_proxy.connections_made == connections_before + 1


@committed
def test_a_postgresql_restart_between_two_requests_goes_unnoticed(portal, postgresql_proxy, safety_officer):
    session = session_of(safety_officer)
    assert portal.get(reverse("home"), session=session).status == 200

    # the kept connection dies while no request runs; the next request finds the server back
    postgresql_proxy.cut()
    postgresql_proxy.restore()
    page = portal.get(reverse("home"), session=session)

    # CONN_HEALTH_CHECKS: the dead connection is found out before use and replaced
    assert page.status == 200
    assert postgresql_proxy.connections_made == 2


@committed
def test_a_postgresql_that_does_not_answer_fails_the_page_after_the_connect_timeout_not_never(
    portal, postgresql_proxy, safety_officer
):
    session = session_of(safety_officer)
    assert portal.get(reverse("home"), session=session).status == 200

    postgresql_proxy.stall()
    page = portal.get(reverse("home"), session=session)

    timeout = connection.settings_dict["OPTIONS"]["connect_timeout"]
    assert page.status == 503
    assert OUTAGE_WORDS in page.text
    assert timeout <= page.seconds < timeout + 5

    postgresql_proxy.restore()
    assert portal.get(reverse("home"), session=session).status == 200


# --- Redis -----------------------------------------------------------------------------------------------


@pytest.fixture
def redis_proxy(monkeypatch):
    """The Celery app's broker, reached through a proxy; monkeypatch puts the real one back afterwards."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("the Redis outage tests need CELERY_BROKER_URL naming Redis")
    from chashan_safety.celery import app

    real = urlsplit(settings.CELERY_BROKER_URL)
    proxy = TcpProxy(real.hostname or "127.0.0.1", real.port or 6379)
    url = real._replace(netloc=f"{real.netloc.rpartition('@')[0]}@127.0.0.1:{proxy.port}".lstrip("@")).geturl()
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.setitem(app.conf, "broker_url", url)
    # publishers come from pools made for the first broker URL seen: start from fresh ones
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield proxy
    if app.amqp._producer_pool is not None:
        app.amqp._producer_pool.force_close_all()
    proxy.close()


@pytest.fixture
def queue():
    """A queue of this test's own in the real Redis, emptied afterwards."""
    name = f"outage-test-{uuid.uuid4().hex[:12]}"
    yield name
    real = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    real.delete(name, f"_kombu.binding.{name}")
    real.close()


def queued(name: str) -> int:
    real = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        return real.llen(name)
    finally:
        real.close()


def test_while_redis_is_cut_pages_and_actions_work_and_healthz_reports_the_broker(
    redis_proxy, client_for, safety_officer, village_office, finding
):
    HeartbeatFactory()
    submitted(finding, village_office)
    officer = client_for(safety_officer)
    assert officer.get("/healthz").status_code == 200

    redis_proxy.cut()
    ledger = officer.get(reverse("inspections:finding-list"))
    verify = officer.post(
        reverse("inspections:finding-action", args=[finding.pk, "verify"]), {"result": "pass", "note": "复查通过"}
    )
    health = officer.get("/healthz")

    assert ledger.status_code == 200
    assert finding.number in ledger.content.decode()
    assert verify.status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED
    assert health.status_code == 503
    assert health.json()["broker"]["ok"] is False
    assert health.json()["database"] == {"ok": True}
    assert health.json()["beat"]["ok"] is True

    redis_proxy.restore()
    assert officer.get("/healthz").status_code == 200


def test_publishing_a_task_while_redis_is_away_fails_within_seconds_and_works_again_once_it_is_back(redis_proxy, queue):
    beat_heartbeat.apply_async(queue=queue)
    assert queued(queue) == 1

    redis_proxy.cut()
    started = time.monotonic()
    with pytest.raises(kombu.exceptions.OperationalError):
        beat_heartbeat.apply_async(queue=queue)
    assert time.monotonic() - started < 3

    redis_proxy.stall()
    started = time.monotonic()
    with pytest.raises(kombu.exceptions.OperationalError):
        beat_heartbeat.apply_async(queue=queue)
    # two tries (CELERY_TASK_PUBLISH_RETRY_POLICY), each given up after CELERY_BROKER_SOCKET_TIMEOUT
    assert time.monotonic() - started < 2 * settings.CELERY_BROKER_SOCKET_TIMEOUT + 2

    redis_proxy.restore()
    beat_heartbeat.apply_async(queue=queue)  # the same process, its pooled connection replaced
    assert queued(queue) == 2

"""/healthz reports the database, the broker and the last beat heartbeat as JSON, 200 or 503.

The broker is the configured one: the filesystem broker of the laptop defaults, or this machine's Redis
when CELERY_BROKER_URL names it.
"""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse
from django.utils import timezone

from chashan_safety.models import Heartbeat
from chashan_safety.tasks import beat_heartbeat
from tests.factories import HeartbeatFactory

CLOSED_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def closed_broker(monkeypatch):
    """Point the Celery app at a port where nothing listens; monkeypatch restores it afterwards."""
    from chashan_safety.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its own configuration
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_BROKER)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.setitem(app.conf, "broker_url", CLOSED_BROKER)
    return CLOSED_BROKER


def get_health(client):
    response = client.get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    return response, response.json()


def test_healthz_is_503_when_beat_has_never_run(client, db):
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["database"] == {"ok": True}
    assert body["beat"]["ok"] is False
    assert body["beat"]["last_run"] is None


def test_healthz_is_200_with_a_fresh_heartbeat_and_a_reachable_broker(client, db):
    beat = HeartbeatFactory()
    response, body = get_health(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["beat"]["ok"] is True
    assert body["beat"]["last_run"] == beat.last_seen.isoformat()


def test_the_beat_heartbeat_task_makes_healthz_healthy(client, db):
    beat_heartbeat()
    beat_heartbeat()  # safe to run twice: still one heartbeat row
    assert Heartbeat.objects.filter(name="beat").count() == 1
    response, _body = get_health(client)
    assert response.status_code == 200


def test_healthz_is_503_when_the_heartbeat_is_stale(client, db):
    HeartbeatFactory(last_seen=timezone.now() - timedelta(seconds=settings.HEALTH_BEAT_MAX_AGE + 5))
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["beat"]["ok"] is False
    assert body["beat"]["age_seconds"] > settings.HEALTH_BEAT_MAX_AGE
    assert body["broker"]["ok"] is True


def test_healthz_is_503_when_the_broker_cannot_be_reached(client, db, closed_broker):
    HeartbeatFactory()
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]
    assert body["beat"]["ok"] is True
    assert body["database"]["ok"] is True


def test_healthz_needs_no_login_and_is_never_cached(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code in {200, 503}
    assert "no-store" in response["Cache-Control"]


def test_healthz_reveals_no_secret_of_the_configuration(client, db):
    HeartbeatFactory()
    content = client.get(reverse("healthz")).content.decode()
    assert settings.SECRET_KEY not in content
    assert "redis://" not in content
    assert "password" not in content.lower()


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("filesystem://"), reason="filesystem broker only")
def test_the_filesystem_broker_keeps_all_its_folders_under_var():
    # kombu's filesystem transport writes its exchange table to "control/" in the working directory
    # unless told otherwise; on a laptop that litters the project root
    var_dir = Path(settings.VAR_DIR).resolve()
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        assert key in options, key
        assert Path(options[key]).resolve().is_relative_to(var_dir), key


# --- outages (the real ones, through a proxy that is cut: test_outages.py) ------------------------------


@pytest.fixture
def silent_broker(monkeypatch):
    """A broker address that takes connections and never answers, as Redis behind a dead link."""
    from chashan_safety.celery import app

    listener = socket.create_server(("127.0.0.1", 0))
    url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.setitem(app.conf, "broker_url", url)
    yield url
    listener.close()


def test_healthz_is_503_within_seconds_when_the_broker_does_not_answer(client, db, silent_broker):
    HeartbeatFactory()
    started = time.monotonic()
    response, body = get_health(client)

    assert response.status_code == 503
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    assert time.monotonic() - started < 2 * settings.CELERY_BROKER_SOCKET_TIMEOUT + 2


def test_healthz_is_503_when_the_database_cannot_be_reached(client, db):
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        response, body = get_health(client)

    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert body["beat"] == {"ok": False, "last_run": None, "error": "database unavailable"}
    assert "5432" not in response.content.decode()


def test_healthz_answers_with_a_request_id(client, db):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="monitor-probe-1")

    assert response["X-Request-ID"] == "monitor-probe-1"

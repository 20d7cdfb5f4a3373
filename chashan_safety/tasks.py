import datetime as dt

from celery import shared_task
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from chashan_safety import digests, reminders
from chashan_safety.models import Heartbeat


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    """Record that beat scheduled, and a worker ran, a periodic task; /healthz reads it."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"last_seen": timezone.now()})


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    call_command("clearsessions")


# Reminders: thin tasks that take a date, call the service, and are safe to run twice. They are
# acknowledged late (settings), so a worker killed mid-task has the broker deliver it again.
_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(ignore_result=True, **_RETRY)
def reminder_sweep(day: str | None = None) -> dict:
    """Record the reminders due on ``day`` (ISO date; today by default) and notify their recipients."""
    result = reminders.sweep(dt.date.fromisoformat(day) if day else None)
    return {"day": result.day.isoformat(), "reminders": result.reminders, "notifications": result.notifications}


class DigestsIncomplete(Exception):
    """Some digests could not be sent (the mail server or the SMS gateway failed): the task is retried."""


@shared_task(
    ignore_result=True,
    **{**_RETRY, "autoretry_for": (*_RETRY["autoretry_for"], DigestsIncomplete)},
)
def send_digests(day: str | None = None) -> dict:
    """Send the day's digests; retried with backoff while some fail (those sent are not sent again)."""
    result = digests.send_digests(dt.date.fromisoformat(day) if day else None)
    if any(result.failed.values()):
        raise DigestsIncomplete(f"digests not sent on {result.day}: {result.failed}")
    return {"day": result.day.isoformat(), "sent": result.sent, "failed": result.failed}

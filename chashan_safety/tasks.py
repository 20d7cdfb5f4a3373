from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from chashan_safety.models import Heartbeat


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    """Record that beat scheduled, and a worker ran, a periodic task; /healthz reads it."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"last_seen": timezone.now()})


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    call_command("clearsessions")

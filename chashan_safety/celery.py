import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chashan_safety.settings")

app = Celery("chashan_safety")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

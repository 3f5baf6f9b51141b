"""The Celery app. Tasks are discovered in each app's ``tasks.py``; the beat schedule is here."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipsportal.settings")

app = Celery("ipsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    enable_utc=True,
    # Tasks opt in to acks_late one by one, only where they are idempotent.
    task_acks_late=False,
    task_time_limit=300,
    task_soft_time_limit=240,
    worker_prefetch_multiplier=1,
    result_expires=24 * 3600,
    broker_connection_retry_on_startup=True,
)
app.autodiscover_tasks()

# The beat schedule lives in code so every deployment runs the same reminders.
app.conf.beat_schedule = {
    "portal-heartbeat": {
        "task": "ipsportal.tasks.heartbeat",
        "schedule": crontab(minute="*/15"),
    },
    # The outbox: reclaim messages of a worker that died, send those whose task was lost
    # or whose retry is due.
    "deliveries-dispatch": {
        "task": "ipsportal.notifications.tasks.deliveries_dispatch",
        "schedule": crontab(minute="*"),
    },
    # Documents: start again renderings of a worker that died, queue lost ones.
    "documents-dispatch": {
        "task": "ipsportal.tasks.documents_dispatch",
        "schedule": crontab(minute="*/5"),
    },
}

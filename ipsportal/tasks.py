"""Tasks of the portal core."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="ipsportal.tasks.heartbeat", acks_late=True)
def heartbeat() -> str:
    """Record that a worker ran a task; the health page shows when it last did."""
    now = timezone.now().isoformat()
    cache.set("ipsportal:worker-heartbeat", now, timeout=None)
    return now


@shared_task(name="ipsportal.tasks.ping", acks_late=True)
def ping() -> str:
    """A task with no side effects, used by the smoke tests to prove a worker runs tasks."""
    return "pong"


@shared_task(name="ipsportal.tasks.document_render", acks_late=True)
def document_render(document_id: str) -> str:
    """Render one document (idempotent: a started or finished document is left alone)."""
    from ipsportal.services import document_render as render

    return render(document_id=document_id).status


@shared_task(name="ipsportal.tasks.documents_dispatch")
def documents_dispatch() -> dict:
    """Start again renderings whose worker died and queue lost ones (every five minutes)."""
    from ipsportal.services import documents_dispatch as dispatch

    return dispatch()

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


@shared_task(name="ipsportal.tasks.render_report", acks_late=True)
def render_report(report_id: str) -> str:
    """Render one requested report (idempotent: a finished report is not rendered again)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from ipsportal.services import report_render

    try:
        report = report_render(report_id=report_id)
    except (Http404, PermissionDenied):
        # The requester lost access between the request and the rendering: nothing to retry.
        return "refused"
    return report.status

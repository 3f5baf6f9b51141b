"""Tasks of the outbox."""

from celery import shared_task


@shared_task(name="ipsportal.notifications.tasks.delivery_send")
def delivery_send(delivery_id: str) -> str:
    """Send one delivery (safe to run twice: the claim lets one run send it)."""
    from ipsportal.notifications import services

    return services.delivery_send(delivery_id=delivery_id)


@shared_task(name="ipsportal.notifications.tasks.deliveries_dispatch")
def deliveries_dispatch() -> dict:
    """Reclaim stale claims and queue due deliveries (the beat runs it every minute)."""
    from ipsportal.notifications import services

    return services.deliveries_dispatch()

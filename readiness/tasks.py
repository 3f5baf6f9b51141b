"""Tasks of readiness visits."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(
    name="readiness.tasks.send_visit_report",
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=6,
)
def send_visit_report(visit_id: str, user_id: int) -> str:
    """Render a visit's report PDF and email it to the recipients, once.

    Safe to run twice (``acks_late`` may redeliver): the rendering is skipped when done and
    the email is sent only while requested and not yet sent. Mail server trouble is retried
    with a growing delay.
    """
    from readiness.services import visit_report_deliver

    return visit_report_deliver(visit_id=visit_id, user_id=user_id)

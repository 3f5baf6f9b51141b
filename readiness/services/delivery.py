"""The visit report email: the PDF rendered by a worker, sent once to the recipients."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from ipsportal import access
from ipsportal.models import GeneratedReport, User
from ipsportal.services import report_render
from readiness.models import (
    ReadinessVisit,
)
from readiness.reports import lines

logger = logging.getLogger(__name__)


def _report_email(visit: ReadinessVisit, report: GeneratedReport) -> EmailMessage:
    recipients = list(visit.recipients.all())
    to = [r.email for r in recipients if not r.vr_copy]
    cc = [r.email for r in recipients if r.vr_copy]
    if not to:
        to, cc = cc, []
    sender = visit.finalized_by
    date_text = date_format(visit.visit_date, "F j, Y")
    context = {
        "visit": visit,
        "agency": visit.agency,
        "collaborative": visit.collaborative,
        "date_text": date_text,
        "recipients": recipients,
        "vr_copies": [r for r in recipients if r.vr_copy],
        "action_steps": list(visit.action_steps.all()),
        "sender": sender,
        "barriers": lines(visit.barriers),
        "facilitators": lines(visit.facilitators),
    }
    message = EmailMessage(
        subject=f"Readiness visit report: {visit.agency.name}, {date_text}",
        body=render_to_string("emails/readiness_visit_report.txt", context),
        to=to,
        cc=cc,
        reply_to=[sender.email] if sender and sender.email else None,
    )
    with report.file.open("rb") as handle:
        message.attach(report.filename, handle.read(), "application/pdf")
    return message


def visit_report_deliver(*, visit_id: str, user_id: int) -> str:
    """Render a visit's report (if not yet) and email it once to the recipients.

    Runs in a worker with the access of the person who finalized (or amended) the visit.
    Idempotent: the email is sent only while requested and not yet sent, under a row lock,
    so a task delivered twice sends one email.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "refused"
    try:
        visit = access.access_visit(user, visit_id)
    except (Http404, PermissionDenied):
        return "refused"
    if visit.report_id is None:
        return "no report"
    report = report_render(report_id=visit.report_id)
    if report.status != GeneratedReport.Status.READY:
        return report.status
    with transaction.atomic():
        locked = (
            access.visits_in_scope(user)
            .select_for_update(of=("self",))
            .select_related("agency", "collaborative", "finalized_by")
            .get(pk=visit.pk)
        )
        if locked.report_id != report.pk:
            return "superseded"  # amended meanwhile: the newer task sends the newer report
        if locked.email_requested_at is None or locked.email_sent_at is not None:
            return "rendered"
        message = _report_email(locked, report)
        if not message.to:
            return "no recipients"
        message.send(fail_silently=False)
        locked.email_sent_at = timezone.now()
        locked.email_sent_to = [*message.to, *message.cc]
        locked.save(update_fields=["email_sent_at", "email_sent_to"])
    logger.info(
        "Readiness visit report %s emailed to %d people", visit.pk, len(locked.email_sent_to)
    )
    return "sent"

"""Messages of readiness visits: the visit report, emailed to each recipient with the PDF."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.dateformat import format as date_format

from ipsportal import access
from ipsportal.notifications.kinds import register
from readiness.models import ReadinessVisit, VisitStatus
from readiness.selectors import REPORT_KIND, lines


def _visit(delivery) -> ReadinessVisit | None:
    # The delivery row is the authority: read within its collaborative, published only.
    return (
        ReadinessVisit.objects.select_related("agency", "collaborative", "finalized_by")
        .filter(
            collaborative_id=delivery.collaborative_id,
            pk=delivery.subject_id,
            status=VisitStatus.FINAL,
        )
        .first()
    )


def report_still_due(delivery) -> str:
    """Sent only while the visit is final, the address is still one of its recipients and
    the attached report is the visit's current one."""
    visit = _visit(delivery)
    if visit is None:
        return "The visit is no longer finalized."
    emails = {r.email.lower() for r in visit.recipients.all()}
    if delivery.recipient_email.lower() not in emails:
        return "The address is no longer a recipient of the visit's report."
    if delivery.document is None:
        return "The report this message would have carried is no longer stored."
    if not delivery.document.is_current:
        return "A corrected report replaced the one this message would have carried."
    return ""


def _in_a_sentence(label) -> str:
    """A role's label inside a sentence: "agency leader", but "IPS supervisor"."""
    label = str(label)
    return label if label[:3].isupper() else label[:1].lower() + label[1:]


@register(REPORT_KIND, label="Readiness visit report", still_due=report_still_due)
def report_message(delivery) -> EmailMessage:
    """The report email to one recipient, the PDF attached; it names everyone it went to."""
    visit = _visit(delivery)
    recipients = list(visit.recipients.all())
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
        "is_vr_copy": bool(delivery.payload.get("vr_copy")),
        "portal_readers": [
            _in_a_sentence(role.label)
            for role in access.agency_readers_of_final_visits(visit.agency)
        ],
    }
    message = EmailMessage(
        subject=(
            "Readiness visit report: "
            f"{visit.agency.name}, {date_format(visit.visit_date, 'M j, Y')}"
        ),
        body=render_to_string("emails/readiness_visit_report.txt", context),
        to=[delivery.recipient_email],
        reply_to=[sender.email] if sender and sender.email else None,
    )
    document = delivery.document
    with document.file.open("rb") as handle:
        message.attach(document.filename, handle.read(), "application/pdf")
    return message

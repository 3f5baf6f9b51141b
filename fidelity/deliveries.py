"""Messages of fidelity reviews: the final report, emailed with its PDF to the agency's
IPS supervisors and leaders and to the VR liaisons assigned to the agency."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from agencies.models import Membership, Role
from fidelity import selectors_reviews
from fidelity.models import FidelityReview, ReviewStatus
from fidelity.reports import REPORT_KIND
from ipsportal.notifications.kinds import register

#: Who gets the final report by email: the agency's own supervisors and leaders, and the
#: VR liaisons assigned to it.
RECIPIENT_ROLES = (Role.IPS_SUPERVISOR, Role.AGENCY_LEADER, Role.VR_LIAISON)


def report_recipients(review: FidelityReview) -> list[Membership]:
    """The active memberships that receive the review's report, one per person (a person
    with two of these roles gets it once)."""
    found: dict = {}
    for membership in (
        Membership.objects.filter(
            collaborative_id=review.collaborative_id,
            is_active=True,
            user__is_active=True,
            role__in=RECIPIENT_ROLES,
            agencies=review.agency_id,
        )
        .select_related("user")
        .order_by("user__email", "role")
    ):
        found.setdefault(membership.user.email.lower(), membership)
    return list(found.values())


def _review(delivery) -> FidelityReview | None:
    # The delivery row is the authority: read within its collaborative, final only.
    return (
        FidelityReview.objects.select_related("agency", "collaborative", "finalized_by", "scale")
        .filter(
            collaborative_id=delivery.collaborative_id,
            pk=delivery.subject_id,
            status=ReviewStatus.FINAL,
        )
        .first()
    )


def report_still_due(delivery) -> str:
    """Sent only while the review is final, the person still holds a recipient's role at the
    agency, and the attached report is the review's current one."""
    review = _review(delivery)
    if review is None:
        return "The review is no longer final."
    emails = {m.user.email.lower() for m in report_recipients(review)}
    if delivery.recipient_email.lower() not in emails:
        return "The person no longer receives this agency's fidelity reports."
    if delivery.document is None:
        return "The report this message would have carried is no longer stored."
    if not delivery.document.is_current:
        return "A corrected report replaced the one this message would have carried."
    return ""


@register(REPORT_KIND, label="Fidelity report", still_due=report_still_due)
def report_message(delivery) -> EmailMessage:
    """The final report's email to one recipient, the PDF attached."""
    review = _review(delivery)
    sender = review.finalized_by
    context = {
        "review": review,
        "agency": review.agency,
        "collaborative": review.collaborative,
        "visit_days": selectors_reviews.visit_days(review),
        "band_label": review.band_label,
        "sender": sender,
        "recipient_name": delivery.recipient_name,
    }
    message = EmailMessage(
        subject=f"Fidelity report: {review.agency.name}, {selectors_reviews.visit_days(review)}",
        body=render_to_string("emails/fidelity_report.txt", context),
        to=[delivery.recipient_email],
        reply_to=[sender.email] if sender and sender.email else None,
    )
    document = delivery.document
    with document.file.open("rb") as handle:
        message.attach(document.filename, handle.read(), "application/pdf")
    return message

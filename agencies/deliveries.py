"""Messages of the agencies app: the invitation email."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from agencies.models import Invitation
from ipsportal.notifications.kinds import register


def _invitation(delivery) -> Invitation | None:
    return (
        Invitation.objects.select_related("collaborative", "invited_by")
        .filter(collaborative_id=delivery.collaborative_id, pk=delivery.subject_id)
        .first()
    )


def invitation_still_due(delivery) -> str:
    """An invitation is emailed only while it is pending."""
    invitation = _invitation(delivery)
    if invitation is None:
        return "The invitation no longer exists."
    if invitation.status != "pending":
        return f"The invitation is {invitation.status}."
    return ""


@register("invitation", label="Invitation", still_due=invitation_still_due)
def invitation_message(delivery) -> EmailMessage:
    """The invitation with a new one-time link (made now: only its hash is stored)."""
    from agencies.services import invitation_link_renew

    invitation = _invitation(delivery)
    token = invitation_link_renew(invitation)
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "invitation_accept", kwargs={"token": token}
    )
    agencies = list(invitation.agencies.order_by("name"))
    context = {"invitation": invitation, "link": link, "agencies": agencies}
    return EmailMessage(
        subject=f"You are invited to IPS Portal ({invitation.collaborative.name})",
        body=render_to_string("emails/invitation.txt", context),
        to=[delivery.recipient_email],
    )

"""Reads of the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from ipsportal import access
from ipsportal.notifications.kinds import KINDS
from ipsportal.notifications.models import Delivery

if TYPE_CHECKING:
    from agencies.models import Collaborative
    from ipsportal.models import User


def outbox(
    user: User, collaborative: Collaborative, *, status: str = "", kind: str = "", q: str = ""
) -> tuple[QuerySet[Delivery], dict[str, int]]:
    """The collaborative's messages, newest first, filtered; and the count per status."""
    rows = access.deliveries_in_scope(user, collaborative)
    counts = rows.aggregate(
        **{s.value: Count("pk", filter=Q(status=s.value)) for s in Delivery.Status}
    )
    if status in Delivery.Status.values:
        rows = rows.filter(status=status)
    if kind in KINDS:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(
            Q(recipient_email__icontains=q)
            | Q(recipient_name__icontains=q)
            | Q(subject_label__icontains=q)
        )
    return rows.select_related("agency", "created_by").order_by("-created_at"), counts

"""Reads of people management: the searchable list of memberships and a membership's
history. Each starts from the access package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from agencies.models import Agency, Collaborative, Membership, MembershipAgency, Role
from ipsportal import access

if TYPE_CHECKING:
    from ipsportal.models import User

#: The states the people list shows, by the value of its ``status`` filter.
STATUS_CHOICES = [("active", "Active"), ("inactive", "Deactivated"), ("all", "Everyone")]


def people_list(
    user: User,
    collaborative: Collaborative,
    *,
    q: str = "",
    status: str = "active",
    role: str = "",
) -> QuerySet[Membership]:
    """The memberships the user manages in a collaborative, with their users and agencies
    (two queries whatever the number of rows): searched by name or email, filtered by
    state (``active``, ``inactive``, ``all``) and role; values outside the choices are
    ignored."""
    memberships = access.memberships_in_scope(user, collaborative)
    if status == "active":
        memberships = memberships.filter(is_active=True)
    elif status == "inactive":
        memberships = memberships.filter(is_active=False)
    if role in Role.values:
        memberships = memberships.filter(role=role)
    if q:
        memberships = memberships.filter(
            Q(user__full_name__icontains=q) | Q(user__email__icontains=q)
        )
    return (
        memberships.select_related("user")
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name")))
        .order_by("user__full_name", "user__email", "role")
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change of a membership, in words."""

    at: datetime
    by: str
    what: str


def _who(record) -> str:
    person = record.history_user
    return person.display_name if person is not None else "the portal"


def membership_history(membership: Membership, limit: int = 50) -> list[HistoryEntry]:
    """The recorded changes of a membership (fetched with ``access_membership``), newest
    first: its creation, each change of role or of its active state, each agency given or
    taken away, with who made it and when. Three queries."""
    entries: list[HistoryEntry] = []
    records = list(
        Membership.history.filter(id=membership.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    previous = None
    for record in records:
        if previous is None or record.history_type == "+":
            entries.append(
                HistoryEntry(
                    record.history_date, _who(record), f"Joined as {Role(record.role).label}"
                )
            )
        else:
            if record.role != previous.role:
                entries.append(
                    HistoryEntry(
                        record.history_date,
                        _who(record),
                        f"Role changed from {Role(previous.role).label} to "
                        f"{Role(record.role).label}",
                    )
                )
            if record.is_active != previous.is_active:
                entries.append(
                    HistoryEntry(
                        record.history_date,
                        _who(record),
                        "Reactivated" if record.is_active else "Deactivated",
                    )
                )
        previous = record
    links = (
        MembershipAgency.history.filter(membership_id=membership.pk)
        .select_related("history_user")
        .order_by("history_date")
    )
    names = dict(
        Agency.objects.filter(
            pk__in=links.values("agency_id"), collaborative_id=membership.collaborative_id
        ).values_list("pk", "name")
    )
    for link in links:
        if link.history_type == "~":
            continue
        name = names.get(link.agency_id, "an agency no longer in the portal")
        verb = "Agency added" if link.history_type == "+" else "Agency removed"
        entries.append(HistoryEntry(link.history_date, _who(link), f"{verb}: {name}"))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]

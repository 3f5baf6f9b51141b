"""Memberships and scope: which agencies a user reaches, through which roles, with which rights."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, QuerySet

from agencies.models import Agency, Collaborative, Membership, MembershipAgency, Role
from ipsportal.access.matrix import PERMISSIONS, Action, Grant

if TYPE_CHECKING:
    from ipsportal.models import User


@dataclass(frozen=True)
class MembershipView:
    """A membership as the access rules need it, loaded once per request."""

    collaborative_id: object
    role: Role
    agency_ids: frozenset

    def covers(self, agency: Agency) -> bool:
        if agency.collaborative_id != self.collaborative_id:
            return False
        return self.role == Role.STATE_ADMIN or agency.pk in self.agency_ids


def memberships_of(user: User) -> list[MembershipView]:
    """The user's active memberships with the agencies each covers (cached on the user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_ips_memberships", None)
    if cached is not None:
        return cached
    rows = Membership.objects.filter(user=user, is_active=True).values_list(
        "pk", "collaborative_id", "role"
    )
    links: dict[object, set] = {}
    for membership_id, agency_id in _links([pk for pk, _, _ in rows]):
        links.setdefault(membership_id, set()).add(agency_id)
    result = [
        MembershipView(collab_id, Role(role), frozenset(links.get(pk, ())))
        for pk, collab_id, role in rows
    ]
    user._ips_memberships = result
    return result


def _links(membership_ids: list) -> Iterable[tuple]:
    # A link only counts inside the membership's own collaborative.
    return (
        MembershipAgency.objects.filter(membership_id__in=membership_ids)
        .filter(
            membership__collaborative_id=F("collaborative_id"),
            agency__collaborative_id=F("collaborative_id"),
        )
        .values_list("membership_id", "agency_id")
    )


def forget_memberships(user: User) -> None:
    """Drop the per-request cache after memberships change."""
    if hasattr(user, "_ips_memberships"):
        del user._ips_memberships


def collaboratives_of(user: User) -> QuerySet[Collaborative]:
    """The collaboratives the user belongs to."""
    # A deactivated person belongs nowhere, as in agencies_in_scope (a worker may still act
    # for them, e.g. rendering a report they requested before).
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Collaborative.objects.none()
    return Collaborative.objects.filter(
        memberships__user=user, memberships__is_active=True
    ).distinct()


def agencies_with_roles(
    user: User, roles: Iterable[Role], collaborative: Collaborative | None = None
) -> QuerySet[Agency]:
    """Agencies in the user's scope that the user reaches through one of ``roles``.

    The same rules as :func:`agencies_in_scope` (a state admin covers the whole
    collaborative, other roles their linked agencies, links count only inside their own
    collaborative), narrowed to the given roles; one query.
    """
    roles = set(roles)
    if not roles or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Agency.objects.none()
    admin = Membership.objects.filter(
        user=user,
        is_active=True,
        role=Role.STATE_ADMIN,
        collaborative_id=OuterRef("collaborative_id"),
    )
    assigned = MembershipAgency.objects.filter(
        agency_id=OuterRef("pk"),
        collaborative_id=OuterRef("collaborative_id"),
        membership__user=user,
        membership__is_active=True,
        membership__role__in=roles,
        membership__collaborative_id=OuterRef("collaborative_id"),
    )
    condition = Exists(assigned)
    if Role.STATE_ADMIN in roles:
        condition = condition | Exists(admin)
    qs = Agency.objects.filter(condition)
    if collaborative is not None:
        qs = qs.filter(collaborative=collaborative)
    return qs


def agencies_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet[Agency]:
    """Agencies the user may see: all of a collaborative for state admins, the assigned ones
    for trainers, reviewers and VR liaisons, their own for agency staff.

    The scope is inside the query (``EXISTS`` on the memberships), so it composes with any
    further filter and costs one query.
    """
    return agencies_with_roles(user, Role, collaborative)


def roles_for(user: User, agency: Agency) -> set[Role]:
    """The roles through which the user reaches this agency."""
    return {m.role for m in memberships_of(user) if m.covers(agency)}


def roles_in(user: User, collaborative: Collaborative) -> set[Role]:
    """The roles the user holds in a collaborative."""
    return {m.role for m in memberships_of(user) if m.collaborative_id == collaborative.pk}


def grants(
    user: User,
    action: Action,
    agency: Agency | None = None,
    collaborative: Collaborative | None = None,
) -> set[Grant]:
    """How the user holds an action on an agency (or, for collaborative-wide actions, in a
    collaborative). An empty set means no right."""
    table = PERMISSIONS[action]
    if agency is not None:
        roles = roles_for(user, agency)
    elif collaborative is not None:
        roles = roles_in(user, collaborative)
    else:
        raise ValueError("grants() needs an agency or a collaborative")
    return {table[r] for r in roles if r in table}


def can(
    user: User,
    action: Action,
    agency: Agency | None = None,
    collaborative: Collaborative | None = None,
) -> bool:
    """True when the user holds the action in any form (conditions are the feature's to check)."""
    return bool(grants(user, action, agency=agency, collaborative=collaborative))


def require(
    user: User,
    action: Action,
    agency: Agency | None = None,
    collaborative: Collaborative | None = None,
) -> set[Grant]:
    """Like :func:`grants`, but raise 403 when the user has no right at all."""
    found = grants(user, action, agency=agency, collaborative=collaborative)
    if not found:
        raise PermissionDenied(f"You do not have the right to {action.label_text}.")
    return found

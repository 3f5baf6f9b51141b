"""``access_<thing>`` helpers for the foundation's objects: agencies, collaboratives, regions,
people, invitations and implementation plans.

Each fetches with the scope inside the query (404 outside the scope, 403 inside it without
the right) and returns the object **with what the user may do with it**, so views and
templates read the answers instead of recomputing them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from agencies.models import (
    Agency,
    Collaborative,
    ImplementationPlan,
    ImplementationStep,
    Invitation,
    Membership,
    Region,
    Role,
)
from ipsportal.access.matrix import PERMISSIONS, Action, Grant
from ipsportal.access.scope import (
    can,
    collaboratives_of,
    holds,
    may,
    refuse,
    require,
    roles_in,
    rows,
)

if TYPE_CHECKING:
    from ipsportal.models import User


def parse_uuid(value) -> uuid.UUID:
    """A UUID from a URL or a request body; anything else is a missing object (404)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404("No such object.") from None


_parse_uuid = parse_uuid


# --------------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyAccess:
    """An agency and what the user may do there."""

    agency: Agency
    can_edit: bool
    can_export: bool
    can_edit_plan: bool
    can_read_readiness: bool  # some visits (finalized ones only, for some roles)
    can_write_readiness: bool


def access_agency(user: User, agency_id, *, write: bool = False) -> AgencyAccess:
    """The agency, if the user may see it (else 404); with ``write``, only if the user may
    edit its profile (else 403)."""
    pk = parse_uuid(agency_id)
    agency = (
        rows(user, Action.AGENCY_VIEW, Agency)
        .select_related("collaborative", "region")
        .filter(pk=pk)
        .first()
    )
    if agency is None:
        raise Http404("No such agency.")
    found = AgencyAccess(
        agency=agency,
        can_edit=can(user, Action.AGENCY_EDIT, agency=agency),
        can_export=can(user, Action.AGENCY_EXPORT, agency=agency),
        can_edit_plan=can(user, Action.PLAN_EDIT, agency=agency),
        can_read_readiness=holds(user, Action.READINESS_VIEW, agency=agency),
        can_write_readiness=can(user, Action.READINESS_WRITE, agency=agency),
    )
    if write and not found.can_edit:
        raise PermissionDenied(Action.AGENCY_EDIT.refusal())
    return found


def access_collaborative(
    user: User, collaborative_id, *, action: Action | None = None
) -> Collaborative:
    """A collaborative the user belongs to (else 404); with ``action``, one in which the user
    holds that collaborative-wide action (else 403)."""
    pk = parse_uuid(collaborative_id)
    collaborative = collaboratives_of(user).filter(pk=pk).first()
    if collaborative is None:
        raise Http404("No such collaborative.")
    if action is not None:
        require(user, action, collaborative=collaborative)
    return collaborative


# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionAccess:
    region: Region
    can_edit: bool


def regions_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet[Region]:
    """Regions of the collaboratives the user belongs to (every member reads them)."""
    qs = Region.objects.filter(collaborative__in=collaboratives_of(user))
    if collaborative is not None:
        qs = qs.filter(collaborative=collaborative)
    return qs


def access_region(user: User, region_id, *, write: bool = False) -> RegionAccess:
    """A region of one of the user's collaboratives (else 404); with ``write``, only for users
    who manage regions there (else 403)."""
    pk = parse_uuid(region_id)
    region = (
        regions_in_scope(user)
        .select_related("collaborative")
        .annotate(_may_edit=may(user, Action.REGION_MANAGE, Region))
        .filter(pk=pk)
        .first()
    )
    if region is None:
        raise Http404("No such region.")
    found = RegionAccess(region=region, can_edit=region._may_edit)
    if write and not found.can_edit:
        raise PermissionDenied(Action.REGION_MANAGE.refusal())
    return found


# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------


def memberships_in_scope(
    user: User, collaborative: Collaborative | None = None
) -> QuerySet[Membership]:
    """Memberships the user may manage (in one collaborative, or in all of theirs), as the
    matrix says: all of them for an unconditional grant; those of agency roles in the user's
    agencies for "agency staff only"; none otherwise."""
    return rows(user, Action.USERS_MANAGE, Membership, collaborative)


def invitable_roles(user: User, collaborative: Collaborative) -> list[Role]:
    """The roles this user may invite people into, read from the matrix's grants."""
    table = PERMISSIONS[Action.USERS_MANAGE]
    held = {table[r] for r in roles_in(user, collaborative) if r in table}
    if Grant.ALWAYS in held:
        return list(Role)
    if Grant.AGENCY_STAFF_ONLY in held:
        return [r for r in Role if r in Role.agency_roles()]
    return []


def invitations_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet:
    """Invitations the user may see and withdraw, with the conditions of ``users_manage``."""
    return rows(user, Action.USERS_MANAGE, Invitation, collaborative)


@dataclass(frozen=True)
class InvitationAccess:
    invitation: Invitation
    can_revoke: bool


def access_invitation(user: User, invitation_id) -> InvitationAccess:
    """An invitation the user may manage (else 404)."""
    invitation = (
        invitations_in_scope(user)
        .select_related("collaborative")
        .filter(pk=parse_uuid(invitation_id))
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return InvitationAccess(invitation=invitation, can_revoke=invitation.status == "pending")


# --------------------------------------------------------------------------------------------
# Implementation plans
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanAccess:
    """An agency, its implementation plan (None when it has none yet) and whether the user
    may edit the plan."""

    agency: Agency
    plan: ImplementationPlan | None
    can_edit: bool


def access_plan(user: User, agency_id, *, write: bool = False) -> PlanAccess:
    """An agency (scoped as :func:`access_agency`) and its implementation plan. With
    ``write``, only for users who may edit the agency's plan (else 403)."""
    agency = access_agency(user, agency_id).agency
    plan = rows(user, Action.PLAN_VIEW, ImplementationPlan).filter(agency=agency).first()
    found = PlanAccess(
        agency=agency, plan=plan, can_edit=can(user, Action.PLAN_EDIT, agency=agency)
    )
    if write and not found.can_edit:
        raise PermissionDenied(Action.PLAN_EDIT.refusal())
    return found


@dataclass(frozen=True)
class PlanStepAccess:
    step: ImplementationStep
    can_edit: bool


def access_plan_step(user: User, step_id, *, write: bool = False) -> PlanStepAccess:
    """A step of an implementation plan of an agency in scope (else 404); with ``write``,
    only for users who may edit the agency's plan (else 403)."""
    step = (
        rows(user, Action.PLAN_VIEW, ImplementationStep)
        .select_related("agency", "plan")
        .annotate(_may_edit=may(user, Action.PLAN_EDIT, ImplementationStep))
        .filter(pk=parse_uuid(step_id))
        .first()
    )
    if step is None:
        raise Http404("No such plan step.")
    found = PlanStepAccess(step=step, can_edit=step._may_edit)
    if write and not found.can_edit:
        raise PermissionDenied(Action.PLAN_EDIT.refusal())
    return found


@dataclass(frozen=True)
class MembershipAccess:
    """A membership the user manages, and whether it is the user's own (nobody changes their
    own role or deactivates themselves)."""

    membership: Membership
    is_own: bool


def access_membership(user: User, membership_id) -> MembershipAccess:
    """A membership the user may manage (``users_manage``, with its "agency staff only"
    condition for IPS supervisors): 404 outside the user's scope, 403 for a membership of an
    agency the user reaches without the right to manage its people."""
    pk = parse_uuid(membership_id)
    membership = (
        rows(user, Action.USERS_MANAGE, Membership)
        .select_related("user", "collaborative")
        .filter(pk=pk)
        .first()
    )
    if membership is None:
        refuse(user, Action.USERS_MANAGE, Membership, pk)
    return MembershipAccess(membership=membership, is_own=membership.user_id == user.pk)

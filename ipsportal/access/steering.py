"""``access_<thing>`` helpers of steering committees: the committee of an agency, its
members, meetings and action items.

Each fetches with the scope inside the query (404 outside the scope, 403 inside it without
the right to change) and returns the object with what the user may do with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from agencies.models import (
    Agency,
    SteeringActionItem,
    SteeringCommittee,
    SteeringMeeting,
    SteeringMember,
)
from ipsportal.access.matrix import Action
from ipsportal.access.objects import access_agency, parse_uuid
from ipsportal.access.scope import can, may, rows

if TYPE_CHECKING:
    from agencies.models import Collaborative
    from ipsportal.models import User


def _refuse_edit() -> PermissionDenied:
    return PermissionDenied(Action.STEERING_EDIT.refusal())


@dataclass(frozen=True)
class SteeringAccess:
    """An agency, its steering committee (None when it has none yet) and whether the user
    may change the committee."""

    agency: Agency
    committee: SteeringCommittee | None
    can_edit: bool


def access_steering(user: User, agency_id, *, write: bool = False) -> SteeringAccess:
    """An agency in scope (else 404) and its steering committee; with ``write``, only for
    users who may change the agency's steering committee (else 403)."""
    agency = access_agency(user, agency_id).agency
    committee = (
        rows(user, Action.STEERING_VIEW, SteeringCommittee, agency.collaborative)
        .filter(agency=agency)
        .first()
    )
    found = SteeringAccess(
        agency=agency,
        committee=committee,
        can_edit=can(user, Action.STEERING_EDIT, agency=agency),
    )
    if write and not found.can_edit:
        raise _refuse_edit()
    return found


def steering_committees_in_scope(
    user: User, collaborative: Collaborative | None = None
) -> QuerySet[SteeringCommittee]:
    """The steering committees the user may see."""
    return rows(user, Action.STEERING_VIEW, SteeringCommittee, collaborative)


def access_steering_committee(user: User, committee_id, *, write: bool = False) -> SteeringAccess:
    """A steering committee by its id (404 outside the scope, 403 with ``write`` without the
    right to change it)."""
    committee = (
        steering_committees_in_scope(user)
        .select_related("agency", "collaborative")
        .annotate(_may_edit=may(user, Action.STEERING_EDIT, SteeringCommittee))
        .filter(pk=parse_uuid(committee_id))
        .first()
    )
    if committee is None:
        raise Http404("No such steering committee.")
    if write and not committee._may_edit:
        raise _refuse_edit()
    return SteeringAccess(committee.agency, committee, committee._may_edit)


def steering_members_in_scope(
    user: User, collaborative: Collaborative | None = None
) -> QuerySet[SteeringMember]:
    """The steering committee members the user may see."""
    return rows(user, Action.STEERING_VIEW, SteeringMember, collaborative)


@dataclass(frozen=True)
class SteeringMemberAccess:
    member: SteeringMember
    can_edit: bool


def access_steering_member(user: User, member_id, *, write: bool = False) -> SteeringMemberAccess:
    """A member of a steering committee in scope (else 404); with ``write``, only for users
    who may change the committee (else 403)."""
    member = (
        steering_members_in_scope(user)
        .select_related("agency", "committee")
        .annotate(_may_edit=may(user, Action.STEERING_EDIT, SteeringMember))
        .filter(pk=parse_uuid(member_id))
        .first()
    )
    if member is None:
        raise Http404("No such steering committee member.")
    if write and not member._may_edit:
        raise _refuse_edit()
    return SteeringMemberAccess(member, member._may_edit)


def steering_meetings_in_scope(
    user: User, collaborative: Collaborative | None = None
) -> QuerySet[SteeringMeeting]:
    """The steering committee meetings the user may see."""
    return rows(user, Action.STEERING_VIEW, SteeringMeeting, collaborative)


@dataclass(frozen=True)
class SteeringMeetingAccess:
    meeting: SteeringMeeting
    can_edit: bool


def access_steering_meeting(
    user: User, meeting_id, *, write: bool = False
) -> SteeringMeetingAccess:
    """A steering committee meeting in scope (else 404); with ``write``, only for users who
    may change the committee (else 403)."""
    meeting = (
        steering_meetings_in_scope(user)
        .select_related("agency", "committee", "collaborative")
        .annotate(_may_edit=may(user, Action.STEERING_EDIT, SteeringMeeting))
        .filter(pk=parse_uuid(meeting_id))
        .first()
    )
    if meeting is None:
        raise Http404("No such steering committee meeting.")
    if write and not meeting._may_edit:
        raise _refuse_edit()
    return SteeringMeetingAccess(meeting, meeting._may_edit)


def steering_action_items_in_scope(
    user: User, collaborative: Collaborative | None = None
) -> QuerySet[SteeringActionItem]:
    """The action items of steering committee meetings the user may see."""
    return rows(user, Action.STEERING_VIEW, SteeringActionItem, collaborative)


@dataclass(frozen=True)
class SteeringActionItemAccess:
    item: SteeringActionItem
    can_edit: bool


def access_steering_action_item(
    user: User, item_id, *, write: bool = False
) -> SteeringActionItemAccess:
    """An action item of a steering committee meeting in scope (else 404); with ``write``,
    only for users who may change the committee (else 403)."""
    item = (
        steering_action_items_in_scope(user)
        .select_related("agency", "meeting", "collaborative")
        .annotate(_may_edit=may(user, Action.STEERING_EDIT, SteeringActionItem))
        .filter(pk=parse_uuid(item_id))
        .first()
    )
    if item is None:
        raise Http404("No such action item.")
    if write and not item._may_edit:
        raise _refuse_edit()
    return SteeringActionItemAccess(item, item._may_edit)

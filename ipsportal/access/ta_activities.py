"""``access_<thing>`` helpers of the TA activity log: the log of an agency and one logged
activity.

Each fetches with the scope inside the query (404 outside the scope, 403 inside it without
the right to write) and returns the object with what the user may do with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from agencies.models import Agency, TAActivity
from ipsportal.access.matrix import Action, roles_holding
from ipsportal.access.objects import access_agency, parse_uuid
from ipsportal.access.scope import agencies_with_roles, can, may, rows

if TYPE_CHECKING:
    from agencies.models import Collaborative
    from ipsportal.models import User


def _refuse_write() -> PermissionDenied:
    return PermissionDenied(Action.TA_ACTIVITY_WRITE.refusal())


@dataclass(frozen=True)
class TALogAccess:
    """An agency and whether the user may log TA activities for it."""

    agency: Agency
    can_write: bool


def access_ta_log(user: User, agency_id, *, write: bool = False) -> TALogAccess:
    """An agency in scope (else 404) with the right to log its TA activities; with
    ``write``, only for users who may (else 403)."""
    agency = access_agency(user, agency_id).agency
    found = TALogAccess(agency, can(user, Action.TA_ACTIVITY_WRITE, agency=agency))
    if write and not found.can_write:
        raise _refuse_write()
    return found


def ta_activities_in_scope(
    user: User, collaborative: Collaborative | None = None
) -> QuerySet[TAActivity]:
    """The logged TA activities the user may see."""
    return rows(user, Action.TA_ACTIVITY_VIEW, TAActivity, collaborative)


def ta_log_agencies(user: User, collaborative: Collaborative | None = None) -> QuerySet[Agency]:
    """The agencies the user may log TA activities for (state admins and trainers)."""
    return agencies_with_roles(user, roles_holding(Action.TA_ACTIVITY_WRITE), collaborative)


@dataclass(frozen=True)
class TAActivityAccess:
    activity: TAActivity
    can_edit: bool


def access_ta_activity(user: User, activity_id, *, write: bool = False) -> TAActivityAccess:
    """A logged TA activity in scope (else 404); with ``write``, only for users who may log
    TA activities for its agency (else 403)."""
    activity = (
        ta_activities_in_scope(user)
        .select_related("agency", "collaborative", "trainer")
        .annotate(_may_edit=may(user, Action.TA_ACTIVITY_WRITE, TAActivity))
        .filter(pk=parse_uuid(activity_id))
        .first()
    )
    if activity is None:
        raise Http404("No such TA activity.")
    if write and not activity._may_edit:
        raise _refuse_write()
    return TAActivityAccess(activity, activity._may_edit)

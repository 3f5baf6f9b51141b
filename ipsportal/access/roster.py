"""``access_<thing>`` helpers of the staff roster: the roster of an agency, its entries, its
treatment teams and VR counselors.

Every roster row belongs to one agency; reading follows ``roster_view``, writing
``roster_edit`` (404 outside the scope, 403 inside it without the right).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from agencies.models import Agency, StaffMember, TreatmentTeam, VRCounselor
from ipsportal.access.matrix import Action
from ipsportal.access.objects import access_agency, parse_uuid
from ipsportal.access.scope import can, may, rows

if TYPE_CHECKING:
    from ipsportal.models import User


@dataclass(frozen=True)
class RosterAccess:
    """An agency whose roster the user may read, and whether they may change it."""

    agency: Agency
    can_edit: bool


def access_roster(user: User, agency_id, *, write: bool = False) -> RosterAccess:
    """An agency in scope (else 404) whose roster the user may read (else 403); with
    ``write``, only for users who may change the roster (else 403)."""
    agency = access_agency(user, agency_id).agency
    if not can(user, Action.ROSTER_VIEW, agency=agency):
        raise PermissionDenied(Action.ROSTER_VIEW.refusal())
    found = RosterAccess(agency=agency, can_edit=can(user, Action.ROSTER_EDIT, agency=agency))
    if write and not found.can_edit:
        raise PermissionDenied(Action.ROSTER_EDIT.refusal())
    return found


def staff_members_in_scope(user: User) -> QuerySet[StaffMember]:
    """Roster entries of every agency whose roster the user may read."""
    return rows(user, Action.ROSTER_VIEW, StaffMember)


def treatment_teams_in_scope(user: User) -> QuerySet[TreatmentTeam]:
    """Treatment teams of every agency whose roster the user may read."""
    return rows(user, Action.ROSTER_VIEW, TreatmentTeam)


def vr_counselors_in_scope(user: User) -> QuerySet[VRCounselor]:
    """VR counselors of every agency whose roster the user may read."""
    return rows(user, Action.ROSTER_VIEW, VRCounselor)


@dataclass(frozen=True)
class RosterRowAccess:
    """A row of a roster (an entry, a team, a counselor) and whether the user may change it."""

    row: Model
    can_edit: bool

    @property
    def agency(self) -> Agency:
        return self.row.agency


def _access_row(user: User, model: type[Model], row_id, *, write: bool) -> RosterRowAccess:
    row = (
        rows(user, Action.ROSTER_VIEW, model)
        .select_related("agency", "agency__collaborative")
        .annotate(_may_edit=may(user, Action.ROSTER_EDIT, model))
        .filter(pk=parse_uuid(row_id))
        .first()
    )
    if row is None:
        raise Http404(f"No such {model._meta.verbose_name}.")
    found = RosterRowAccess(row=row, can_edit=row._may_edit)
    if write and not found.can_edit:
        raise PermissionDenied(Action.ROSTER_EDIT.refusal())
    return found


def access_staff_member(user: User, staff_id, *, write: bool = False) -> RosterRowAccess:
    """A roster entry of an agency in scope (else 404); with ``write``, only for users who may
    change the agency's roster (else 403)."""
    return _access_row(user, StaffMember, staff_id, write=write)


def access_treatment_team(user: User, team_id, *, write: bool = False) -> RosterRowAccess:
    """A treatment team of an agency in scope (else 404); with ``write``, only for users who
    may change the agency's roster (else 403)."""
    return _access_row(user, TreatmentTeam, team_id, write=write)


def access_vr_counselor(user: User, counselor_id, *, write: bool = False) -> RosterRowAccess:
    """A VR counselor of an agency in scope (else 404); with ``write``, only for users who may
    change the agency's roster (else 403)."""
    return _access_row(user, VRCounselor, counselor_id, write=write)

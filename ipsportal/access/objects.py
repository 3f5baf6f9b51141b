"""``access_<thing>`` helpers for the foundation's objects: agencies, collaboratives, regions,
people, invitations, reports and implementation plans. Each fetches with the scope inside the
query: 404 outside the scope, 403 without the right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Collaborative, Membership, MembershipAgency, Region, Role
from ipsportal.access.matrix import PERMISSIONS, Action
from ipsportal.access.scope import agencies_in_scope, collaboratives_of, require, roles_in

if TYPE_CHECKING:
    from ipsportal.models import User


def _parse_uuid(value) -> object:
    import uuid

    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404("No such object.") from None


def access_agency(user: User, agency_id, *, write: bool = False) -> Agency:
    """The agency, if the user may see it (else 404); with ``write``, only if the user may
    edit it (else 403)."""
    pk = _parse_uuid(agency_id)
    agency = agencies_in_scope(user).select_related("collaborative", "region").filter(pk=pk).first()
    if agency is None:
        raise Http404("No such agency.")
    require(user, Action.VIEW_AGENCY, agency=agency)
    if write:
        require(user, Action.EDIT_AGENCY, agency=agency)
    return agency


def agency_staff(user: User, agency_id) -> tuple[Agency, QuerySet[Membership]]:
    """An agency (scoped as :func:`access_agency`) and the active memberships of its staff
    (IPS supervisors, leaders, employment specialists), with their users."""
    agency = access_agency(user, agency_id)
    staff = (
        Membership.objects.filter(
            collaborative=agency.collaborative,
            agencies=agency,
            is_active=True,
            role__in=Role.agency_roles(),
        )
        .select_related("user")
        .order_by("role", "user__full_name")
    )
    return agency, staff


def access_collaborative(
    user: User, collaborative_id, *, action: Action | None = None
) -> Collaborative:
    """A collaborative the user belongs to (else 404); with ``action``, one in which the user
    holds that collaborative-wide action (else 403)."""
    pk = _parse_uuid(collaborative_id)
    collaborative = collaboratives_of(user).filter(pk=pk).first()
    if collaborative is None:
        raise Http404("No such collaborative.")
    if action is not None:
        require(user, action, collaborative=collaborative)
    return collaborative


def regions_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet[Region]:
    """Regions of the collaboratives the user belongs to."""
    qs = Region.objects.filter(collaborative__in=collaboratives_of(user))
    if collaborative is not None:
        qs = qs.filter(collaborative=collaborative)
    return qs


def access_region(user: User, region_id, *, write: bool = False) -> Region:
    """A region of one of the user's collaboratives (else 404); with ``write``, only for users
    who manage regions there (else 403)."""
    pk = _parse_uuid(region_id)
    region = regions_in_scope(user).select_related("collaborative").filter(pk=pk).first()
    if region is None:
        raise Http404("No such region.")
    if write:
        require(user, Action.MANAGE_REGIONS, collaborative=region.collaborative)
    return region


def memberships_in_scope(user: User, collaborative: Collaborative) -> QuerySet[Membership]:
    """Memberships the user may manage in a collaborative: all for state admins; the staff of
    their own agencies for IPS supervisors; none otherwise."""
    table = PERMISSIONS[Action.MANAGE_USERS]
    roles = roles_in(user, collaborative)
    qs = Membership.objects.filter(collaborative=collaborative)
    if table.get(Role.STATE_ADMIN) and Role.STATE_ADMIN in roles:
        return qs
    if Role.IPS_SUPERVISOR in roles:
        own = agencies_in_scope(user, collaborative).filter(
            Exists(
                MembershipAgency.objects.filter(
                    agency_id=OuterRef("pk"),
                    # A link counts only inside the membership's own collaborative.
                    collaborative_id=OuterRef("collaborative_id"),
                    membership__collaborative_id=OuterRef("collaborative_id"),
                    membership__user=user,
                    membership__role=Role.IPS_SUPERVISOR,
                    membership__is_active=True,
                )
            )
        )
        return qs.filter(role__in=Role.agency_roles(), agencies__in=own).distinct()
    return qs.none()


def invitable_roles(user: User, collaborative: Collaborative) -> list[Role]:
    """The roles this user may invite people into."""
    roles = roles_in(user, collaborative)
    if Role.STATE_ADMIN in roles:
        return list(Role)
    if Role.IPS_SUPERVISOR in roles:
        return [r for r in Role if r in Role.agency_roles()]
    return []


def scope_filter(user: User, field: str = "agency") -> Q:
    """A ``Q`` that keeps rows whose ``field`` (an Agency foreign key) is in the user's scope;
    for models of the feature apps: ``Model.objects.filter(scope_filter(user))``."""
    return Q(**{f"{field}__in": agencies_in_scope(user)})


def reports_in_scope(user: User) -> QuerySet:
    """Reports the user requested, about agencies still in their scope."""
    from ipsportal.models import GeneratedReport

    if not getattr(user, "is_authenticated", False):
        return GeneratedReport.objects.none()
    return GeneratedReport.objects.filter(requested_by=user, agency__in=agencies_in_scope(user))


def access_report(user: User, report_id) -> object:
    """A report the user requested and may still see (else 404)."""
    report = reports_in_scope(user).filter(pk=_parse_uuid(report_id)).first()
    if report is None:
        raise Http404("No such report.")
    return report


def invitations_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet:
    """Invitations the user may see and withdraw: all of a collaborative for state admins;
    invitations into agency roles for their own agencies for IPS supervisors."""
    from agencies.models import Invitation, InvitationAgency

    qs = Invitation.objects.none()
    for collab in collaboratives_of(user) if collaborative is None else [collaborative]:
        roles = roles_in(user, collab)
        if Role.STATE_ADMIN in roles:
            qs = qs | Invitation.objects.filter(collaborative=collab)
        elif Role.IPS_SUPERVISOR in roles:
            supervised = MembershipAgency.objects.filter(
                collaborative=collab,
                # A link counts only inside the membership's own collaborative.
                membership__collaborative=collab,
                agency__collaborative=collab,
                membership__user=user,
                membership__role=Role.IPS_SUPERVISOR,
                membership__is_active=True,
            ).values("agency_id")
            qs = qs | Invitation.objects.filter(
                collaborative=collab,
                role__in=Role.agency_roles(),
                pk__in=InvitationAgency.objects.filter(agency_id__in=supervised).values(
                    "invitation_id"
                ),
            )
    return qs


def access_invitation(user: User, invitation_id) -> object:
    """An invitation the user may manage (else 404)."""
    invitation = invitations_in_scope(user).filter(pk=_parse_uuid(invitation_id)).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


# --------------------------------------------------------------------------------------------
# Implementation plans
# --------------------------------------------------------------------------------------------


def access_plan(user: User, agency_id, *, write: bool = False) -> tuple[Agency, object | None]:
    """An agency (scoped as :func:`access_agency`) and its implementation plan, or None when
    the agency has none yet. With ``write``, only for users who may edit the agency's plan."""
    from agencies.models import ImplementationPlan

    agency = access_agency(user, agency_id, write=write)
    plan = ImplementationPlan.objects.filter(
        collaborative_id=agency.collaborative_id, agency=agency
    ).first()
    return agency, plan


def access_plan_step(user: User, step_id, *, write: bool = False) -> object:
    """A step of an implementation plan of an agency in scope (else 404); with ``write``, only
    for users who may edit the agency's plan (else 403)."""
    from agencies.models import ImplementationStep

    step = (
        ImplementationStep.objects.filter(agency__in=agencies_in_scope(user))
        .select_related("agency", "plan")
        .filter(pk=_parse_uuid(step_id))
        .first()
    )
    if step is None:
        raise Http404("No such plan step.")
    if write:
        require(user, Action.EDIT_AGENCY, agency=step.agency)
    return step

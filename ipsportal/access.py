"""Every access question of the portal is answered here.

Two questions, always in this order:

1. **Scope** - which rows may this user see at all? Views, API views, tasks, PDF code and
   exports never start from ``Model.objects`` for tenant data; they start from the helpers
   below, which put the scope inside the query. Outside the scope the answer is
   :class:`django.http.Http404`, exactly as for a row that does not exist.
2. **Right** - inside the scope, may this user do this action? The answer comes from the
   permission matrix (:data:`PERMISSIONS`, data, tested as a matrix). Without the right the
   answer is :class:`django.core.exceptions.PermissionDenied` (403).

A user's rights are the union of their active memberships; a membership counts only for
agencies of its own collaborative.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Collaborative, Membership, MembershipAgency, Region, Role

if TYPE_CHECKING:
    from ipsportal.models import User


class Action(enum.StrEnum):
    """What a user may want to do. Collaborative-wide actions have no agency."""

    VIEW_AGENCY = "view_agency"  # agency, plans, outcomes, final reviews
    EDIT_AGENCY = "edit_agency"  # agency profile, roster, plan, steering committee
    CREATE_AGENCY = "create_agency"  # collaborative-wide: new agencies
    MANAGE_REGIONS = "manage_regions"  # collaborative-wide
    READINESS_VIEW = "readiness_view"
    READINESS_WRITE = "readiness_write"
    FIDELITY_VIEW = "fidelity_view"
    FIDELITY_SCORE = "fidelity_score"  # score, reconcile, finalize
    ACTION_PLAN_WRITE = "action_plan_write"
    OUTCOMES_ENTER = "outcomes_enter"  # enter, submit
    OUTCOMES_APPROVE = "outcomes_approve"  # approve, return, reopen
    BILLING_WRITE = "billing_write"
    EXPORT = "export"  # PDF / CSV
    MANAGE_USERS = "manage_users"

    @property
    def label_text(self) -> str:
        return self.value.replace("_", " ")


class Grant(enum.StrEnum):
    """How a role holds an action. Anything but ALWAYS narrows it; the feature enforces how."""

    ALWAYS = "always"
    FINAL_ONLY = "final_only"  # may read finalized records only
    APPROVED_ONLY = "approved_only"  # may read approved data only (VR liaisons)
    IF_ASSIGNED_REVIEWER = "if_assigned_reviewer"  # only on reviews they are a reviewer of
    OWN_RECORDS = "own_records"  # only records they created (employment specialists)
    AGENCY_STAFF_ONLY = "agency_staff_only"  # may manage users of agency roles only


R = Role
G = Grant

#: The permission matrix of DESIGN.md: action -> role -> grant. A missing role is "no".
PERMISSIONS: dict[Action, dict[Role, Grant]] = {
    Action.VIEW_AGENCY: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.FIDELITY_REVIEWER: G.ALWAYS,
        R.VR_LIAISON: G.APPROVED_ONLY,
        R.IPS_SUPERVISOR: G.ALWAYS,
        R.AGENCY_LEADER: G.ALWAYS,
        R.EMPLOYMENT_SPECIALIST: G.ALWAYS,
    },
    Action.EDIT_AGENCY: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.IPS_SUPERVISOR: G.ALWAYS,
    },
    Action.CREATE_AGENCY: {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS},
    Action.MANAGE_REGIONS: {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS},
    Action.READINESS_VIEW: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.FIDELITY_REVIEWER: G.ALWAYS,
        R.VR_LIAISON: G.FINAL_ONLY,
        R.IPS_SUPERVISOR: G.FINAL_ONLY,
        R.AGENCY_LEADER: G.FINAL_ONLY,
    },
    Action.READINESS_WRITE: {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS},
    Action.FIDELITY_VIEW: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.FIDELITY_REVIEWER: G.ALWAYS,
        R.VR_LIAISON: G.FINAL_ONLY,
        R.IPS_SUPERVISOR: G.FINAL_ONLY,
        R.AGENCY_LEADER: G.FINAL_ONLY,
        R.EMPLOYMENT_SPECIALIST: G.FINAL_ONLY,
    },
    Action.FIDELITY_SCORE: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.IF_ASSIGNED_REVIEWER,
        R.FIDELITY_REVIEWER: G.IF_ASSIGNED_REVIEWER,
    },
    Action.ACTION_PLAN_WRITE: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.IPS_SUPERVISOR: G.ALWAYS,
        R.AGENCY_LEADER: G.ALWAYS,
    },
    Action.OUTCOMES_ENTER: {R.IPS_SUPERVISOR: G.ALWAYS},
    Action.OUTCOMES_APPROVE: {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS},
    Action.BILLING_WRITE: {R.IPS_SUPERVISOR: G.ALWAYS, R.EMPLOYMENT_SPECIALIST: G.OWN_RECORDS},
    Action.EXPORT: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.FIDELITY_REVIEWER: G.ALWAYS,
        R.VR_LIAISON: G.ALWAYS,
        R.IPS_SUPERVISOR: G.ALWAYS,
        R.AGENCY_LEADER: G.ALWAYS,
    },
    Action.MANAGE_USERS: {R.STATE_ADMIN: G.ALWAYS, R.IPS_SUPERVISOR: G.AGENCY_STAFF_ONLY},
}

#: Actions that concern the whole collaborative rather than one agency.
COLLABORATIVE_ACTIONS = frozenset({Action.CREATE_AGENCY, Action.MANAGE_REGIONS})


# --------------------------------------------------------------------------------------------
# Memberships and scope
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# access_<thing> helpers: fetch with the scope inside the query
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Readiness visits
# --------------------------------------------------------------------------------------------


def _roles_holding(action: Action, grant: Grant | None = None) -> set[Role]:
    """Roles holding ``action`` (with exactly ``grant`` when given), read from the matrix."""
    return {role for role, held in PERMISSIONS[action].items() if grant is None or held == grant}


def readiness_agencies(
    user: User, collaborative: Collaborative | None = None, *, write: bool = False
) -> QuerySet[Agency]:
    """Agencies whose readiness visits the user may read (any grant), or with ``write``
    those where the user may log and edit visits."""
    action = Action.READINESS_WRITE if write else Action.READINESS_VIEW
    return agencies_with_roles(user, _roles_holding(action), collaborative)


def visits_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet:
    """Readiness visits the user may read.

    Roles that hold READINESS_VIEW always (admins, trainers, reviewers) see every visit of
    their agencies, drafts included; roles that hold it for finalized visits only (VR
    liaisons, supervisors, leaders) see the finalized visits of their agencies, and drafts
    are outside their scope. Employment specialists see none.
    """
    from readiness.models import ReadinessVisit, VisitStatus

    full = agencies_with_roles(user, _roles_holding(Action.READINESS_VIEW, Grant.ALWAYS))
    final_only = agencies_with_roles(user, _roles_holding(Action.READINESS_VIEW, Grant.FINAL_ONLY))
    qs = ReadinessVisit.objects.filter(
        Q(agency__in=full) | Q(status=VisitStatus.FINAL, agency__in=final_only)
    )
    if collaborative is not None:
        qs = qs.filter(collaborative=collaborative)
    return qs


def access_visit(user: User, visit_id, *, write: bool = False) -> object:
    """A readiness visit the user may read (else 404: drafts are out of scope for roles that
    read finalized visits only); with ``write``, only for users who may log visits at the
    agency (else 403).

    A finalized visit of an agency in scope that the user's role may not read at all
    (employment specialists) answers 403: inside the scope, without the right.
    """
    from readiness.models import ReadinessVisit, VisitStatus

    pk = _parse_uuid(visit_id)
    visit = (
        visits_in_scope(user)
        .select_related("agency", "agency__collaborative", "collaborative", "checklist")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        if ReadinessVisit.objects.filter(
            pk=pk, status=VisitStatus.FINAL, agency__in=agencies_in_scope(user)
        ).exists():
            raise PermissionDenied("You do not have the right to readiness view.")
        raise Http404("No such readiness visit.")
    if write:
        require(user, Action.READINESS_WRITE, agency=visit.agency)
    return visit


def visit_visitor_candidates(user: User, collaborative: Collaborative) -> QuerySet[Membership]:
    """State-side memberships (admins, trainers, reviewers, VR liaisons) of a collaborative
    that may be named as visitors; only for users who may log visits there (else none)."""
    if not can(user, Action.READINESS_WRITE, collaborative=collaborative):
        return Membership.objects.none()
    return (
        Membership.objects.filter(
            collaborative=collaborative,
            is_active=True,
            user__is_active=True,
            role__in=[Role.STATE_ADMIN, *Role.assigned_roles()],
        )
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )


def checklists_in_scope(user: User) -> QuerySet:
    """Readiness checklist versions the user may read: the standard ones, and the
    adaptations of collaboratives where the user may read readiness visits."""
    from readiness.models import ChecklistVersion

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ChecklistVersion.objects.none()
    readers = [c.pk for c in collaboratives_of(user) if can(user, Action.READINESS_VIEW, None, c)]
    return ChecklistVersion.objects.filter(
        Q(collaborative__isnull=True) | Q(collaborative_id__in=readers)
    )


def access_checklist(user: User, checklist_id) -> object:
    """A readiness checklist version the user may read (else 404)."""
    checklist = checklists_in_scope(user).filter(pk=_parse_uuid(checklist_id)).first()
    if checklist is None:
        raise Http404("No such checklist.")
    return checklist

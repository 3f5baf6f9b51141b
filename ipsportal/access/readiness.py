"""Access to readiness visits and checklists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Collaborative, Membership, Role
from ipsportal.access.matrix import PERMISSIONS, Action, Grant
from ipsportal.access.objects import _parse_uuid
from ipsportal.access.scope import (
    agencies_in_scope,
    agencies_with_roles,
    can,
    collaboratives_of,
    require,
)

if TYPE_CHECKING:
    from ipsportal.models import User


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

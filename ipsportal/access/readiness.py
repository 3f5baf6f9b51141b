"""Access to readiness visits and checklists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from agencies.models import Agency, Collaborative, Membership, Role
from ipsportal.access.matrix import Action, roles_holding
from ipsportal.access.objects import parse_uuid
from ipsportal.access.scope import (
    agencies_with_roles,
    can,
    collaboratives_of,
    holds,
    may,
    refuse,
    rows,
)

if TYPE_CHECKING:
    from ipsportal.models import User
    from readiness.models import ReadinessVisit


def readiness_agencies(
    user: User, collaborative: Collaborative | None = None, *, write: bool = False
) -> QuerySet[Agency]:
    """Agencies whose readiness visits the user may read (in any form: some roles read
    finalized visits only), or with ``write`` those where the user may log and edit visits."""
    action = Action.READINESS_WRITE if write else Action.READINESS_VIEW
    return agencies_with_roles(user, roles_holding(action), collaborative)


def visits_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet:
    """Readiness visits the user may read, with the matrix's conditions in the query: every
    visit of their agencies for admins, trainers and reviewers; finalized visits only for VR
    liaisons, supervisors and leaders; none for employment specialists."""
    from readiness.models import ReadinessVisit

    return rows(user, Action.READINESS_VIEW, ReadinessVisit, collaborative)


@dataclass(frozen=True)
class VisitAccess:
    """A readiness visit and what the user may do with it."""

    visit: ReadinessVisit
    can_edit: bool  # change the draft; once final, amend it and send the report again
    can_export: bool  # download the report
    can_edit_plan: bool  # add its action steps to the agency's implementation plan

    @property
    def can_finalize(self) -> bool:
        return self.can_edit and not self.visit.is_final

    @property
    def can_amend(self) -> bool:
        return self.can_edit and self.visit.is_final


def access_visit(user: User, visit_id, *, write: bool = False) -> VisitAccess:
    """A readiness visit the user may read, with what they may do with it (one query).

    Else 404, or 403 for a finalized visit of an agency the user reaches but whose visits
    their role may not read (employment specialists): drafts are outside the scope of
    everyone who cannot read them. With ``write``, 403 unless the user may write it.
    """
    from readiness.models import ReadinessVisit

    pk = parse_uuid(visit_id)
    visit = (
        visits_in_scope(user)
        .select_related("agency", "agency__collaborative", "collaborative", "checklist")
        .annotate(
            _may_write=may(user, Action.READINESS_WRITE, ReadinessVisit),
            _may_export=may(user, Action.READINESS_EXPORT, ReadinessVisit),
        )
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        refuse(user, Action.READINESS_VIEW, ReadinessVisit, pk)
    found = VisitAccess(
        visit=visit,
        can_edit=visit._may_write,
        can_export=visit._may_export,
        can_edit_plan=can(user, Action.PLAN_EDIT, agency=visit.agency),
    )
    if write and not found.can_edit:
        raise PermissionDenied(Action.READINESS_WRITE.refusal())
    return found


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
            role__in=[Role.STATE_ADMIN, *sorted(Role.assigned_roles())],
        )
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )


def checklists_in_scope(user: User) -> QuerySet:
    """Readiness checklist versions the user may read: the standard ones, and the
    adaptations of collaboratives where the user reads readiness visits in any form."""
    from readiness.models import ChecklistVersion

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ChecklistVersion.objects.none()
    readers = [c.pk for c in collaboratives_of(user) if holds(user, Action.READINESS_VIEW, None, c)]
    return ChecklistVersion.objects.filter(
        Q(collaborative__isnull=True) | Q(collaborative_id__in=readers)
    )


def access_checklist(user: User, checklist_id) -> object:
    """A readiness checklist version the user may read (else 404)."""
    from django.http import Http404

    checklist = checklists_in_scope(user).filter(pk=parse_uuid(checklist_id)).first()
    if checklist is None:
        raise Http404("No such checklist.")
    return checklist


def agency_readers_of_final_visits(agency: Agency) -> list[Role]:
    """The agency-side roles that may read the agency's finalized visits in the portal and
    have an active member there now (the report mail tells its readers where else to find
    the report only when someone can)."""
    roles = [
        r for r in Role if r in Role.agency_roles() and r in roles_holding(Action.READINESS_VIEW)
    ]
    present = set(
        Membership.objects.filter(
            collaborative=agency.collaborative,
            agencies=agency,
            is_active=True,
            user__is_active=True,
            role__in=roles,
        ).values_list("role", flat=True)
    )
    return [r for r in roles if r in present]

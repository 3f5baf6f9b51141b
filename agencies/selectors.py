"""Reads of the agencies app: lists, the staff of an agency, people and invitations, plan
progress and the phase history. Each starts from the access package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from agencies.models import (
    Agency,
    Collaborative,
    ImplementationArea,
    ImplementationPhase,
    ImplementationStep,
    Invitation,
    Membership,
    PhaseChange,
    Role,
)
from ipsportal import access

if TYPE_CHECKING:
    from agencies.models import ImplementationPlan
    from ipsportal.access import AgencyAccess, PlanAccess
    from ipsportal.models import User


def agency_list(
    user: User, collaborative: Collaborative, *, q: str = "", region: str = "", phase: str = ""
) -> QuerySet[Agency]:
    """Agencies in the user's scope in a collaborative, searched by name or city and
    filtered by region and phase (filters outside the choices are ignored)."""
    agencies = access.agencies_in_scope(user, collaborative).select_related("region")
    if q:
        agencies = agencies.filter(Q(name__icontains=q) | Q(city__icontains=q))
    if region and region in {str(pk) for pk in _region_ids(user, collaborative)}:
        agencies = agencies.filter(region_id=region)
    if phase in ImplementationPhase.values:
        agencies = agencies.filter(implementation_phase=phase)
    return agencies.order_by("name")


def _region_ids(user: User, collaborative: Collaborative) -> list:
    return list(access.regions_in_scope(user, collaborative).values_list("pk", flat=True))


def agency_staff(agency_access: AgencyAccess) -> QuerySet[Membership]:
    """The active memberships of an agency's staff (IPS supervisors, leaders, employment
    specialists) with their users, for an agency the user opened with ``access_agency``."""
    agency = agency_access.agency
    return (
        Membership.objects.filter(
            collaborative=agency.collaborative,
            agencies=agency,
            is_active=True,
            role__in=sorted(Role.agency_roles()),
        )
        .select_related("user")
        .order_by("role", "user__full_name")
    )


def pending_invitations(user: User, collaborative: Collaborative) -> QuerySet[Invitation]:
    """Pending invitations the user manages, newest first, each with the state of its email
    (``email_status``, ``email_error``: the newest delivery of it)."""
    from ipsportal.notifications.models import Delivery

    newest = Delivery.objects.filter(
        collaborative=collaborative, kind="invitation", subject_id=OuterRef("pk")
    ).order_by("-created_at")
    return (
        access.invitations_in_scope(user, collaborative)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .annotate(
            email_status=Subquery(newest.values("status")[:1]),
            email_error=Subquery(newest.values("last_error")[:1]),
        )
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class AreaProgress:
    area: str
    label: str
    steps: list
    done: int

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def applicable(self) -> int:
        return sum(1 for s in self.steps if s.status != ImplementationStep.Status.NOT_APPLICABLE)

    @property
    def percent_done(self) -> int | None:
        return round(100 * self.done / self.applicable) if self.applicable else None


def plan_progress(plan_access: PlanAccess) -> dict:
    """An implementation plan's live steps by area (in the areas' order) with progress: done
    steps over applicable ones (not applicable steps are left out), per area and overall;
    and the removed steps, newest first."""
    plan = plan_access.plan
    steps = (
        list(plan.steps.filter(removed_at__isnull=True).order_by("position", "created_at"))
        if plan
        else []
    )
    removed = (
        list(
            plan.steps.filter(removed_at__isnull=False)
            .select_related("removed_by")
            .order_by("-removed_at")
        )
        if plan
        else []
    )
    status = ImplementationStep.Status
    by_area: dict[str, list] = {}
    for step in steps:
        by_area.setdefault(step.area, []).append(step)
    areas = []
    for code, label in ImplementationArea.choices:
        if code in by_area:
            area_steps = by_area[code]
            area_steps[0].is_first = True
            area_steps[-1].is_last = True
            areas.append(
                AreaProgress(
                    code, label, area_steps, sum(1 for s in area_steps if s.status == status.DONE)
                )
            )
    applicable = sum(1 for s in steps if s.status != status.NOT_APPLICABLE)
    done = sum(1 for s in steps if s.status == status.DONE)
    return {
        "areas": areas,
        "steps_by_area": {a.label: a.steps for a in areas},
        "step_count": len(steps),
        "done_count": done,
        "applicable_count": applicable,
        "percent_done": round(100 * done / applicable) if applicable else None,
        "open_count": sum(1 for s in steps if s.status in (status.NOT_STARTED, status.IN_PROGRESS)),
        "removed_steps": removed,
    }


@dataclass(frozen=True)
class AreaSummary:
    """One area of a plan in figures: its live steps, the applicable and done ones, and the
    steps past their target date that are still to do."""

    area: str
    label: str
    total: int
    applicable: int
    done: int
    overdue: int

    @property
    def percent_done(self) -> int | None:
        return round(100 * self.done / self.applicable) if self.applicable else None


@dataclass(frozen=True)
class PlanSummary:
    """An implementation plan in figures, for the agency page and the agency profile PDF
    (the plan page lists the steps themselves with :func:`plan_progress`)."""

    plan: ImplementationPlan | None
    can_edit: bool
    areas: list[AreaSummary]

    @property
    def step_count(self) -> int:
        return sum(a.total for a in self.areas)

    @property
    def applicable_count(self) -> int:
        return sum(a.applicable for a in self.areas)

    @property
    def done_count(self) -> int:
        return sum(a.done for a in self.areas)

    @property
    def overdue_count(self) -> int:
        return sum(a.overdue for a in self.areas)

    @property
    def percent_done(self) -> int | None:
        applicable = self.applicable_count
        return round(100 * self.done_count / applicable) if applicable else None


def plan_summary(plan_access: PlanAccess) -> PlanSummary:
    """The progress of an agency's implementation plan (opened with ``access.access_plan``)
    in figures: per area (in the areas' order) and overall, done steps over applicable ones,
    and the overdue steps (neither done nor not applicable, target date before the
    collaborative's today). Removed steps do not count. One query, whatever the plan's size;
    none without a plan."""
    plan = plan_access.plan
    if plan is None:
        return PlanSummary(plan=None, can_edit=plan_access.can_edit, areas=[])
    status = ImplementationStep.Status
    today = plan_access.agency.collaborative.today()
    to_do = [status.NOT_STARTED, status.IN_PROGRESS]
    counted = {
        row["area"]: row
        for row in plan.steps.filter(removed_at__isnull=True)
        .order_by()
        .values("area")
        .annotate(
            total=Count("pk"),
            applicable=Count("pk", filter=~Q(status=status.NOT_APPLICABLE)),
            done=Count("pk", filter=Q(status=status.DONE)),
            overdue=Count("pk", filter=Q(status__in=to_do, target_date__lt=today)),
        )
    }
    areas = [
        AreaSummary(
            area=code,
            label=label,
            total=counted[code]["total"],
            applicable=counted[code]["applicable"],
            done=counted[code]["done"],
            overdue=counted[code]["overdue"],
        )
        for code, label in ImplementationArea.choices
        if code in counted
    ]
    return PlanSummary(plan=plan, can_edit=plan_access.can_edit, areas=areas)


def phase_changes(user: User, agency: Agency) -> QuerySet[PhaseChange]:
    """The moves of an agency (in the user's scope) from one implementation phase to
    another, newest first, with who made them."""
    return (
        access.rows(user, access.Action.PLAN_VIEW, PhaseChange, agency.collaborative)
        .filter(agency=agency)
        .select_related("changed_by")
        .order_by("-changed_at")
    )

"""Readiness feeds implementation: a visit's action steps become implementation plan steps."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.dateformat import format as date_format

from agencies import services as agency_services
from agencies.models import Collaborative, ImplementationArea, Role
from ipsportal import access
from ipsportal.models import User
from readiness.models import (
    ReadinessVisit,
    VisitActionStep,
)


def default_plan_area(visit: ReadinessVisit, step: VisitActionStep) -> str:
    """The plan area a step goes to unless the user picks another: the one its checklist area
    maps to, else Other."""
    area = visit.checklist.area(step.area_key) if step.area_key else None
    return area.plan_area if area else ImplementationArea.OTHER


def visit_steps_to_plan(
    *, user: User, visit: ReadinessVisit, selections: Iterable[tuple[VisitActionStep, str]]
) -> list:
    """Add a finalized visit's action steps to the agency's implementation plan, each in the
    plan area chosen for it. Steps already in the plan are skipped, so doing it twice adds
    nothing. Needs the right to edit the agency's plan, and the plan must exist."""
    if not visit.is_final:
        raise ValidationError("Finalize the visit before adding its steps to the plan.")
    plan = access.access_plan(user, visit.agency_id, write=True).plan
    if plan is None:
        raise ValidationError(
            "This agency has no implementation plan yet. Start the plan, then add the steps."
        )
    label = f"Readiness visit of {date_format(visit.visit_date, 'F j, Y')}"
    steps = []
    for step, area in selections:
        if step.visit_id != visit.pk:
            raise ValidationError("Choose action steps of this visit.")
        if area not in ImplementationArea.values:
            raise ValidationError({"area": f"Choose a plan area for “{step.text[:60]}”."})
        steps.append(
            {
                "area": area,
                "action": step.text,
                "responsible": step.owner,
                "target_date": step.target_date,
                "source_id": step.pk,
                "source_label": label,
            }
        )
    return agency_services.implementation_steps_add(user=user, plan=plan, steps=steps)


def converted_step_ids(user: User, visit: ReadinessVisit) -> set:
    """Ids of the visit's action steps already in the agency's implementation plan."""
    from agencies.models import ImplementationStep

    step_ids = [s.pk for s in visit.action_steps.all()]
    return set(
        access.rows(user, access.Action.PLAN_VIEW, ImplementationStep)
        .filter(
            collaborative=visit.collaborative,
            agency=visit.agency,
            source_id__in=step_ids,
        )
        .values_list("source_id", flat=True)
    )


def visitor_role_label(user: User, collaborative: Collaborative) -> str:
    """How a portal user appears as a visitor: their state-side role in the collaborative."""
    roles = access.roles_in(user, collaborative) & {Role.STATE_ADMIN, *Role.assigned_roles()}
    return ", ".join(sorted(Role(r).label for r in roles))

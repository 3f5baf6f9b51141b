"""Writes of implementation plans."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateformat import format as date_format

from agencies.models import (
    Agency,
    ImplementationArea,
    ImplementationPlan,
    ImplementationStep,
)
from ipsportal import access
from ipsportal.models import User


def implementation_plan_create(
    *, user: User, agency: Agency, from_template: bool = False
) -> ImplementationPlan:
    """Start an agency's implementation plan (or return the one it has). With
    ``from_template``, a new plan starts with the standard steps of every area."""
    from agencies.plan_template import PLAN_TEMPLATE

    access.require(user, access.Action.PLAN_EDIT, agency=agency)
    with transaction.atomic():
        plan, created = ImplementationPlan.objects.get_or_create(
            collaborative=agency.collaborative, agency=agency, defaults={"created_by": user}
        )
        if created and from_template:
            ImplementationStep.objects.bulk_create(
                ImplementationStep(
                    collaborative=plan.collaborative,
                    agency=agency,
                    plan=plan,
                    area=area,
                    action=action,
                    position=n,
                    created_by=user,
                )
                for area, actions in PLAN_TEMPLATE
                for n, action in enumerate(actions, start=1)
            )
    return plan


def _next_position(plan: ImplementationPlan, area: str) -> int:
    top = ImplementationStep.objects.filter(plan=plan, area=area).aggregate(m=Max("position"))
    return (top["m"] or 0) + 1


def implementation_steps_add(
    *, user: User, plan: ImplementationPlan, steps: Iterable[dict[str, Any]]
) -> list[ImplementationStep]:
    """Add action steps to a plan, all or nothing.

    Each step is a dict with ``area``, ``action``, ``responsible``, ``target_date`` and
    optionally ``source_id`` / ``source_label`` (the record it came from). A step whose source
    is already in the plan is skipped, so converting the same steps twice adds nothing.
    Returns the steps created.
    """
    access.require(user, access.Action.PLAN_EDIT, agency=plan.agency)
    created: list[ImplementationStep] = []
    with transaction.atomic():
        existing = set(
            ImplementationStep.objects.filter(plan=plan, source_id__isnull=False).values_list(
                "source_id", flat=True
            )
        )
        for data in steps:
            source_id = data.get("source_id")
            if source_id is not None and source_id in existing:
                continue
            step = ImplementationStep(
                collaborative=plan.collaborative,
                agency=plan.agency,
                plan=plan,
                area=data.get("area") or ImplementationArea.OTHER,
                action=data.get("action", ""),
                responsible=data.get("responsible", ""),
                target_date=data.get("target_date"),
                source_id=source_id,
                source_label=data.get("source_label", "")[:200],
                notes=data.get("notes", ""),
                created_by=user,
            )
            if data.get("status"):
                step.status = data["status"]
            step.position = _next_position(plan, step.area)
            step.full_clean()
            step.save()
            created.append(step)
            if source_id is not None:
                existing.add(source_id)
    return created


def overdue_warning(steps: Iterable[ImplementationStep], today: datetime.date) -> str:
    """The warning after adding steps whose target date is already past (they are saved and
    shown as overdue: a late step is still worth recording)."""
    late = [s for s in steps if s.is_overdue_on(today)]
    if not late:
        return ""
    if len(late) == 1:
        when = date_format(late[0].target_date, "F j, Y")
        return f"The target date of the step, {when}, is already past: it shows as overdue."
    return (
        f"{len(late)} of the steps have a target date that is already past: they show as overdue."
    )


def implementation_step_set_status(
    *, user: User, step: ImplementationStep, status: str
) -> ImplementationStep:
    """Set a plan step's status (not started, in progress, done, not applicable)."""
    return implementation_step_update(user=user, step=step, data={"status": status})


STEP_FIELDS = ("area", "action", "responsible", "target_date", "status", "notes")


def _require_live(step: ImplementationStep) -> None:
    if step.removed_at is not None:
        raise ValidationError({"step": "This step was removed from the plan."})


def implementation_step_update(
    *, user: User, step: ImplementationStep, data: dict[str, Any]
) -> ImplementationStep:
    """Change a step's fields (those of ``STEP_FIELDS`` present in ``data``); all or nothing.
    A step moved to another area goes to the end of that area."""
    access.require(user, access.Action.PLAN_EDIT, agency=step.agency)
    _require_live(step)
    unknown = set(data) - set(STEP_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    with transaction.atomic():
        fresh = ImplementationStep.objects.select_for_update().get(pk=step.pk)
        old_area = fresh.area
        for name, value in data.items():
            setattr(fresh, name, "" if value is None and name != "target_date" else value)
        if fresh.area != old_area:
            fresh.position = _next_position(fresh.plan, fresh.area)
        fresh.full_clean()
        fresh.save()
    for name in (*STEP_FIELDS, "position"):
        setattr(step, name, getattr(fresh, name))
    return step


def implementation_step_move(
    *, user: User, step: ImplementationStep, direction: str, plan: ImplementationPlan | None = None
) -> bool:
    """Move a step one place up or down within its area (swapping with its neighbour).
    ``plan``, when given, must be the step's plan. Returns False at the area's edge."""
    access.require(user, access.Action.PLAN_EDIT, agency=step.agency)
    _require_live(step)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Choose up or down."})
    if plan is not None and plan.pk != step.plan_id:
        raise ValidationError({"step": "This step belongs to another plan."})
    with transaction.atomic():
        siblings = list(
            ImplementationStep.objects.select_for_update()
            .filter(plan_id=step.plan_id, area=step.area, removed_at__isnull=True)
            .order_by("position", "created_at")
        )
        index = next(i for i, s in enumerate(siblings) if s.pk == step.pk)
        other = index - 1 if direction == "up" else index + 1
        if other < 0 or other >= len(siblings):
            return False
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for n, sibling in enumerate(siblings, start=1):
            if sibling.position != n:
                sibling.position = n
                sibling.save(update_fields=["position", "updated_at"])
    return True


def implementation_step_remove(*, user: User, step: ImplementationStep) -> ImplementationStep:
    """Remove a step from the plan. The step is kept, marked with who removed it and when,
    and shown among the plan's removed steps."""
    access.require(user, access.Action.PLAN_EDIT, agency=step.agency)
    _require_live(step)
    with transaction.atomic():
        step.removed_at = timezone.now()
        step.removed_by = user
        step.save(update_fields=["removed_at", "removed_by", "updated_at"])
    return step

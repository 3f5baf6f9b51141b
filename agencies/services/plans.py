"""Writes of implementation plans."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.dateformat import format as date_format

from agencies.models import (
    Agency,
    ImplementationArea,
    ImplementationPlan,
    ImplementationStep,
)
from ipsportal import access
from ipsportal.models import User


def implementation_plan_create(*, user: User, agency: Agency) -> ImplementationPlan:
    """Start an agency's implementation plan (or return the one it has)."""
    access.require(user, access.Action.PLAN_EDIT, agency=agency)
    with transaction.atomic():
        plan, _ = ImplementationPlan.objects.get_or_create(
            collaborative=agency.collaborative, agency=agency, defaults={"created_by": user}
        )
    return plan


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
                created_by=user,
            )
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
    """Mark a plan step open or done."""
    access.require(user, access.Action.PLAN_EDIT, agency=step.agency)
    with transaction.atomic():
        step.status = status
        step.full_clean()
        step.save(update_fields=["status"])
    return step

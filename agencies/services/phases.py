"""Writes of an agency's implementation phase: moving it to another phase, recorded with
who, when and why."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies import phases
from agencies.models import Agency, ImplementationPhase, PhaseChange
from ipsportal import access
from ipsportal.models import User


class PhaseChangeConflict(ValidationError):
    """The agency is no longer in the phase the move started from: someone moved it in
    between, and nothing was written. The message says who, to which phase and when."""

    def __init__(self, message: str) -> None:
        super().__init__({"from_phase": message}, code="stale")


def _stale(agency: Agency, from_phase: str) -> PhaseChangeConflict:
    current = Agency.objects.filter(pk=agency.pk).values_list("implementation_phase", flat=True)
    now = ImplementationPhase(current.get()).label
    was = ImplementationPhase(from_phase).label
    latest = (
        PhaseChange.objects.filter(collaborative_id=agency.collaborative_id, agency=agency)
        .select_related("changed_by")
        .order_by("-changed_at")
        .first()
    )
    if latest is not None and latest.to_phase != from_phase:
        who = latest.changed_by.display_name if latest.changed_by else "A former user"
        when = agency.collaborative.local_time_text(latest.changed_at)
        return PhaseChangeConflict(
            f"{who} moved the agency to {latest.get_to_phase_display()} at {when}, so it is "
            f"no longer in {was}; nothing was changed. Look at the phase again before "
            "moving it."
        )
    return PhaseChangeConflict(
        f"The agency is now in {now}, not {was}: someone changed it after you opened the "
        "page, and nothing was changed. Look at the phase again before moving it."
    )


def agency_phase_change(
    *, user: User, agency: Agency, to_phase: str, note: str = "", from_phase: str
) -> PhaseChange:
    """Move an agency from ``from_phase`` (the phase the user saw) to ``to_phase``, with an
    optional note. Any other phase is allowed, an earlier one too. The caller holds
    PLAN_EDIT on the agency.

    The move is a conditional update: when the agency is no longer in ``from_phase`` (two
    people moving it at once), :class:`PhaseChangeConflict` says who moved it where and when,
    and nothing is written. The change is recorded (who, when, note, from, to) and the
    agency's history names the user."""
    access.require(user, access.Action.PLAN_EDIT, agency=agency)
    problems = phases.move_problems(from_phase, to_phase)
    if problems:
        raise ValidationError(problems)
    change = PhaseChange(
        collaborative_id=agency.collaborative_id,
        agency=agency,
        from_phase=from_phase,
        to_phase=to_phase,
        note=(note or "").strip(),
        changed_by=user,
    )
    change.full_clean(exclude=["agency", "collaborative"])
    with transaction.atomic():
        now = timezone.now()
        moved = Agency.objects.filter(
            pk=agency.pk,
            collaborative_id=agency.collaborative_id,
            implementation_phase=from_phase,
        ).update(implementation_phase=to_phase, updated_at=now)
        if not moved:
            raise _stale(agency, from_phase)
        change.save()
        agency.refresh_from_db()
        agency._history_user = user
        # A history row of the agency saying who moved it (the values the update wrote).
        agency.save(update_fields=["implementation_phase", "updated_at"])
    return change

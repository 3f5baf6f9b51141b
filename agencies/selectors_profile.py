"""The agency profile report's content: the agency's home page in one read, each part as the
requester may see it (a part the requester's roles do not reach is left out, not emptied)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from agencies import (
    selectors,
    selectors_agreements,
    selectors_roster,
    selectors_steering,
    structure,
)
from agencies.models import StaffRole
from ipsportal import access
from ipsportal.access import Action

if TYPE_CHECKING:
    from ipsportal.access import AgencyAccess
    from ipsportal.models import User


@dataclass(frozen=True)
class RosterLine:
    """One current roster entry as the report lists it."""

    name: str
    role: str
    fte: Decimal | None
    caseload: int | None


@dataclass(frozen=True)
class RosterSummary:
    """The current roster in figures, its entries, and the structure checks it gives."""

    supervisor_count: int
    specialist_count: int
    total_fte: Decimal
    lines: list[RosterLine]
    checks: list[structure.CheckResult]


def roster_summary(user: User, found: AgencyAccess) -> RosterSummary:
    """The agency's current roster (former staff left out) as the user may read it: the
    numbers of IPS supervisors and employment specialists, the FTE they add up to, each
    entry with its role, FTE and caseload, and the structure checks. One query."""
    entries = selectors_roster.roster_entries(user, found.agency)
    # Supervisors first, then by name, as the roster page lists them.
    ordered = sorted(entries, key=lambda e: (not e.is_supervisor, e.name.casefold()))
    return RosterSummary(
        supervisor_count=sum(1 for e in entries if e.is_supervisor),
        specialist_count=sum(1 for e in entries if e.is_specialist),
        total_fte=sum((e.fte for e in entries if e.fte is not None), Decimal("0")),
        lines=[RosterLine(e.name, StaffRole(e.role).label, e.fte, e.caseload) for e in ordered],
        checks=structure.structure_checks(entries),
    )


def agency_profile(user: User, found: AgencyAccess) -> dict:
    """The parts of the agency profile report for an agency opened with
    ``access.access_agency``: the portal staff, the roster summary with the structure
    checks, the plan's progress, the agreement's status and the steering committee's. A
    part is None when the user's roles do not reach it (the matrix decides)."""
    agency = found.agency
    roster = plan = agreement = steering = None
    if access.holds(user, Action.ROSTER_VIEW, agency=agency):
        roster = roster_summary(user, found)
    if access.holds(user, Action.PLAN_VIEW, agency=agency):
        plan = selectors.plan_summary(access.access_plan(user, agency.pk))
    if access.holds(user, Action.AGREEMENT_VIEW, agency=agency):
        agreement = selectors_agreements.agreement_status(found)
    if access.holds(user, Action.STEERING_VIEW, agency=agency):
        committee = access.access_steering(user, agency.pk).committee
        steering = selectors_steering.steering_status(agency, committee)
    return {
        "staff": selectors.agency_staff(found),
        "roster": roster,
        "plan": plan,
        "agreement": agreement,
        "steering": steering,
    }

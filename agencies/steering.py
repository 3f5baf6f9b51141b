"""The rules of a steering committee, as pure functions (no database access inside them):
who must sit on it (the composition check) and how often it must meet (the cadence check).

A committee needs family members or clients, the IPS supervisor, the clinical director, VR
counselor(s) or a VR supervisor, at least one senior agency leader, state IPS team
member(s) and the DMH liaison; when two agencies run the program together, the partner
agency too. It meets at least every three months during implementation and at least every
six months once the program has reached good fidelity.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agencies.models.steering import SteeringCategory

if TYPE_CHECKING:
    pass

C = SteeringCategory


@dataclass(frozen=True)
class Requirement:
    """One seat the committee must fill: any of ``categories`` fills it."""

    code: str
    label: str
    categories: frozenset[str]


#: The seats every committee must fill, in the order the page lists them.
REQUIRED_SEATS: tuple[Requirement, ...] = (
    Requirement(
        "family_or_client", "Family member or client", frozenset({C.FAMILY_MEMBER, C.CLIENT})
    ),
    Requirement("ips_supervisor", C.IPS_SUPERVISOR.label, frozenset({C.IPS_SUPERVISOR})),
    Requirement("clinical_director", C.CLINICAL_DIRECTOR.label, frozenset({C.CLINICAL_DIRECTOR})),
    Requirement("vr", C.VR.label, frozenset({C.VR})),
    Requirement("senior_leader", C.SENIOR_LEADER.label, frozenset({C.SENIOR_LEADER})),
    Requirement("state_ips_team", C.STATE_IPS_TEAM.label, frozenset({C.STATE_IPS_TEAM})),
    Requirement("dmh_liaison", C.DMH_LIAISON.label, frozenset({C.DMH_LIAISON})),
)
#: The seat a committee must fill when two agencies run the program together.
PARTNER_SEAT = Requirement("partner_agency", C.PARTNER_AGENCY.label, frozenset({C.PARTNER_AGENCY}))


@dataclass(frozen=True)
class SeatCheck:
    requirement: Requirement
    count: int

    @property
    def met(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class CompositionCheck:
    seats: tuple[SeatCheck, ...]

    @property
    def complete(self) -> bool:
        return all(seat.met for seat in self.seats)

    @property
    def missing(self) -> list[str]:
        """The labels of the seats nobody fills."""
        return [seat.requirement.label for seat in self.seats if not seat.met]


def composition_check(categories: Iterable[str], *, with_partner: bool) -> CompositionCheck:
    """Which required seats the active members' ``categories`` fill (one entry per active
    member); ``with_partner`` when the agency runs the program with a partner agency."""
    held = list(categories)
    required = (*REQUIRED_SEATS, PARTNER_SEAT) if with_partner else REQUIRED_SEATS
    return CompositionCheck(
        tuple(SeatCheck(r, sum(1 for c in held if c in r.categories)) for r in required)
    )


#: Months between meetings, at most: during implementation, and once good fidelity is reached.
IMPLEMENTATION_INTERVAL_MONTHS = 3
GOOD_FIDELITY_INTERVAL_MONTHS = 6


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` later; the month's last day where it is shorter
    (November 30 + 3 months is February 28, or 29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class CadenceState:
    NO_MEETING = "no_meeting"
    ON_TIME = "on_time"
    OVERDUE = "overdue"


#: The states of the cadence check, with their words.
CADENCE_STATES = [
    (CadenceState.NO_MEETING, "No meeting yet"),
    (CadenceState.ON_TIME, "On time"),
    (CadenceState.OVERDUE, "Overdue"),
]


@dataclass(frozen=True)
class Cadence:
    """When the next meeting is due, and whether that day has passed."""

    state: str
    interval_months: int
    last_meeting: datetime.date | None
    due_date: datetime.date | None
    today: datetime.date

    @property
    def overdue(self) -> bool:
        return self.state == CadenceState.OVERDUE

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due_date).days if self.overdue else 0

    @property
    def text(self) -> str:
        if self.state == CadenceState.NO_MEETING:
            return "No meeting yet"
        due = f"{self.due_date:%B} {self.due_date.day}, {self.due_date.year}"
        return f"Overdue since {due}" if self.overdue else f"Next meeting due by {due}"


def cadence(
    last_meeting: datetime.date | None, *, today: datetime.date, good_fidelity: bool
) -> Cadence:
    """The cadence check: the next meeting is due ``interval`` months after the last one held
    (3 during implementation, 6 once good fidelity is reached); on that very day it is still
    on time, the day after it is overdue. No meeting held yet: "no meeting yet"."""
    interval = GOOD_FIDELITY_INTERVAL_MONTHS if good_fidelity else IMPLEMENTATION_INTERVAL_MONTHS
    if last_meeting is None:
        return Cadence(CadenceState.NO_MEETING, interval, None, None, today)
    due = add_months(last_meeting, interval)
    state = CadenceState.OVERDUE if today > due else CadenceState.ON_TIME
    return Cadence(state, interval, last_meeting, due, today)

"""How a TA activity log compares with the training and TA agreement, month by month.

Pure functions: the agreement's terms, the logged activities (dates and kinds) and the
collaborative's today in, a list of months out; no database.

Month 1 is the calendar month of the agreement's start date (counted from the start date
itself: an activity earlier that month was before the agreement). The table covers the first
N months, N the larger of the unit meeting and team meeting months. Each month says, per
commitment, whether it was held (and on which dates) or missing; a month (or a quarterly
block) that has not ended yet is "in progress" or "upcoming", never "missing". Employer
visits are judged monthly or per block of three months, steering committee meetings per
block of three months. Outcome reviews and training sessions are counted over the period,
not judged monthly.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from agencies.models.agreements import EmployerVisitFrequency, TAActivityKind

HELD = "held"
MISSING = "missing"
IN_PROGRESS = "in_progress"
UPCOMING = "upcoming"
STATES = (HELD, MISSING, IN_PROGRESS, UPCOMING)
#: A month that is over (months are ENDED, IN_PROGRESS or UPCOMING).
ENDED = "ended"

#: The commitments judged month by month (or per block), in the order the table shows them.
UNIT_MEETING = "unit_meeting"
TEAM_MEETING = "team_meeting"
EMPLOYER_VISIT = "employer_visit"
STEERING_COMMITTEE = "steering_committee"

_KIND_OF = {
    UNIT_MEETING: TAActivityKind.UNIT_MEETING,
    TEAM_MEETING: TAActivityKind.TEAM_MEETING,
    EMPLOYER_VISIT: TAActivityKind.EMPLOYER_VISIT,
    STEERING_COMMITTEE: TAActivityKind.STEERING_COMMITTEE,
}
#: Short names of the commitments, as the month's sentence says them.
LABELS = {
    UNIT_MEETING: "unit meeting",
    TEAM_MEETING: "MH team meeting",
    EMPLOYER_VISIT: "employer visit",
    STEERING_COMMITTEE: "steering committee",
}
_IN_WORDS = {HELD: "yes", MISSING: "missing", IN_PROGRESS: "in progress", UPCOMING: "upcoming"}


@dataclass(frozen=True)
class Terms:
    """What the agreement commits the trainer to (the fields of a ``TAAgreement``)."""

    start_date: datetime.date
    unit_meeting_months: int = 6
    team_meeting_months: int = 6
    employer_visits: str = EmployerVisitFrequency.MONTHLY
    steering_committee_quarterly: bool = True
    outcome_reviews: bool = True

    @classmethod
    def of(cls, agreement) -> Terms:
        return cls(
            start_date=agreement.start_date,
            unit_meeting_months=agreement.unit_meeting_months,
            team_meeting_months=agreement.team_meeting_months,
            employer_visits=agreement.employer_visits,
            steering_committee_quarterly=agreement.steering_committee_quarterly,
            outcome_reviews=agreement.outcome_reviews,
        )

    @property
    def months(self) -> int:
        return max(self.unit_meeting_months, self.team_meeting_months)


@dataclass(frozen=True)
class Check:
    """One commitment in one month: its state and the dates it was held on. ``block`` is
    ``(first, last)`` month numbers when it is judged over a block of months."""

    commitment: str
    state: str
    dates: tuple[datetime.date, ...] = ()
    block: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        return LABELS[self.commitment]

    @property
    def held(self) -> bool:
        return self.state == HELD

    @property
    def in_words(self) -> str:
        """ "held on March 4 and March 18", "missing", "in progress", "upcoming"."""
        if self.state == HELD:
            days = " and ".join(f"{d:%B} {d.day}" for d in self.dates)
            return f"held on {days}"
        return _IN_WORDS[self.state]

    @property
    def block_words(self) -> str:
        if self.block is None:
            return ""
        return f"months {self.block[0]}-{self.block[1]}"


@dataclass(frozen=True)
class Month:
    """One month of the agreement's first N."""

    number: int
    first: datetime.date  # the first day counted (the start date in month 1)
    last: datetime.date
    state: str  # ENDED, IN_PROGRESS or UPCOMING
    checks: tuple[Check, ...]

    @property
    def ended(self) -> bool:
        return self.state == ENDED

    @property
    def title(self) -> str:
        return f"{self.first:%B %Y}"

    def check(self, commitment: str) -> Check | None:
        return next((c for c in self.checks if c.commitment == commitment), None)

    @property
    def missing(self) -> list[Check]:
        return [c for c in self.checks if c.state == MISSING]

    @property
    def summary(self) -> str:
        """ "March 2026: unit meeting yes, MH team meeting missing"."""
        if self.state == UPCOMING:
            return f"{self.title}: upcoming"
        parts = [f"{c.label} {_IN_WORDS[c.state]}" for c in self.checks]
        return f"{self.title}: {', '.join(parts) or 'nothing committed'}"


@dataclass(frozen=True)
class Compliance:
    """The months, and the counts of the period's outcome reviews and training sessions."""

    terms: Terms
    months: tuple[Month, ...]
    period_start: datetime.date
    period_end: datetime.date
    outcome_review_dates: tuple[datetime.date, ...] = field(default=())
    training_session_dates: tuple[datetime.date, ...] = field(default=())

    @property
    def outcome_reviews(self) -> int:
        return len(self.outcome_review_dates)

    @property
    def training_sessions(self) -> int:
        return len(self.training_session_dates)

    def month_of(self, day: datetime.date) -> Month | None:
        return next((m for m in self.months if m.first <= day <= m.last), None)

    @property
    def missing_count(self) -> int:
        """Commitments missed: each month's, and each block's once."""
        missed = {(c.commitment, c.block or m.number) for m in self.months for c in m.missing}
        return len(missed)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(first: datetime.date) -> datetime.date:
    return _add_months(first, 1) - datetime.timedelta(days=1)


def _state(first: datetime.date, last: datetime.date, dates, today: datetime.date) -> str:
    if dates:
        return HELD
    if last < today:
        return MISSING
    return IN_PROGRESS if first <= today else UPCOMING


def compliance(
    terms: Terms,
    activities: Iterable[tuple[datetime.date, str]],
    *,
    today: datetime.date,
) -> Compliance:
    """Compare ``activities`` ((date, kind) pairs of the agency's log) with ``terms``, as of
    the collaborative's ``today``."""
    count = terms.months
    start = terms.start_date
    windows = []
    for n in range(count):
        first_of_month = _add_months(start, n)
        windows.append((max(first_of_month, start), _month_end(first_of_month)))
    period_end = windows[-1][1] if windows else start - datetime.timedelta(days=1)
    by_kind: dict[str, list[datetime.date]] = {}
    for day, kind in activities:
        if start <= day <= period_end:
            by_kind.setdefault(str(kind), []).append(day)
    for days in by_kind.values():
        days.sort()

    def held(commitment: str, first: datetime.date, last: datetime.date) -> tuple:
        return tuple(d for d in by_kind.get(_KIND_OF[commitment], ()) if first <= d <= last)

    def monthly(commitment: str, index: int) -> Check:
        first, last = windows[index]
        dates = held(commitment, first, last)
        return Check(commitment, _state(first, last, dates, today), dates)

    def quarterly(commitment: str, index: int) -> Check:
        block_start = index - index % 3
        block_end = min(block_start + 2, count - 1)
        first, last = windows[block_start][0], windows[block_end][1]
        dates = held(commitment, first, last)
        return Check(
            commitment,
            _state(first, last, dates, today),
            dates,
            block=(block_start + 1, block_end + 1),
        )

    months = []
    for index, (first, last) in enumerate(windows):
        checks = []
        if index < terms.unit_meeting_months:
            checks.append(monthly(UNIT_MEETING, index))
        if index < terms.team_meeting_months:
            checks.append(monthly(TEAM_MEETING, index))
        if terms.employer_visits == EmployerVisitFrequency.QUARTERLY:
            checks.append(quarterly(EMPLOYER_VISIT, index))
        else:
            checks.append(monthly(EMPLOYER_VISIT, index))
        if terms.steering_committee_quarterly:
            checks.append(quarterly(STEERING_COMMITTEE, index))
        state = _state(first, last, (), today)
        months.append(
            Month(
                number=index + 1,
                first=first,
                last=last,
                state=ENDED if state == MISSING else state,
                checks=tuple(checks),
            )
        )
    return Compliance(
        terms=terms,
        months=tuple(months),
        period_start=start,
        period_end=period_end,
        outcome_review_dates=tuple(by_kind.get(TAActivityKind.OUTCOME_REVIEW, ())),
        training_session_dates=tuple(by_kind.get(TAActivityKind.TRAINING_SESSION, ())),
    )

"""When an agency's next fidelity review is due, as pure functions of plain values (no
database access, no clock: ``today`` comes in).

The collaborative's rules (:class:`CadenceRules`, defaults as the IPS learning community
works): the baseline review comes a number of months after the implementation start; after
that, the next review is due a number of months after the last final review's visit ended,
6 while that review's total is below good fidelity and 12 once it reaches it. A review that
falls back below good fidelity brings the shorter interval back.

A due date in the past is overdue (on the day itself it is still due, not overdue); within
60 days it is due soon; later, scheduled.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from agencies.steering import add_months


@dataclass(frozen=True)
class CadenceRules:
    """A collaborative's review cadence, in months."""

    baseline_months: int = 6
    until_good_months: int = 6
    after_good_months: int = 12
    #: A review due within this many days counts as due soon.
    due_soon_days: int = 60

    def __post_init__(self) -> None:
        for name in ("baseline_months", "until_good_months", "after_good_months"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: at least 1 month")
        if self.due_soon_days < 0:
            raise ValueError("due_soon_days: 0 or more")


DEFAULT_RULES = CadenceRules()


class FinalReview(NamedTuple):
    """A final review as the cadence sees it: when its visit ended, its total, and the total
    from which its scale counts good fidelity (None where the scale does not say)."""

    visit_end: datetime.date
    total: int | None
    good_from: int | None


class DueState:
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    SCHEDULED = "scheduled"
    #: No due date can be worked out (no implementation start and no final review).
    UNKNOWN = "unknown"


#: The states, with their words.
DUE_STATES = [
    (DueState.OVERDUE, "Overdue"),
    (DueState.DUE_SOON, "Due soon"),
    (DueState.SCHEDULED, "Scheduled"),
    (DueState.UNKNOWN, "No due date"),
]


@dataclass(frozen=True)
class Due:
    """The next review's due date, why (in words), and where today stands against it."""

    date: datetime.date | None
    basis: str
    state: str
    today: datetime.date

    @property
    def days_left(self) -> int | None:
        """Days from today to the due date (negative once overdue)."""
        return None if self.date is None else (self.date - self.today).days

    @property
    def state_label(self) -> str:
        return dict(DUE_STATES)[self.state]


def _day(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _months(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def _reviews(final_reviews: Iterable[tuple]) -> list[FinalReview]:
    """The final reviews, newest first (whatever order they came in)."""
    reviews = [FinalReview(*r) for r in final_reviews]
    return sorted(reviews, key=lambda r: r.visit_end, reverse=True)


def _is_good(review: FinalReview) -> bool:
    return (
        review.total is not None
        and review.good_from is not None
        and (review.total >= review.good_from)
    )


def good_fidelity_reached(final_reviews: Iterable[tuple]) -> bool:
    """Whether the latest final review's total reaches its scale's good fidelity (100 on the
    25-item scale). No final review yet: not reached."""
    reviews = _reviews(final_reviews)
    return bool(reviews) and _is_good(reviews[0])


def _state(due: datetime.date, today: datetime.date, rules: CadenceRules) -> str:
    if today > due:
        return DueState.OVERDUE
    if (due - today).days <= rules.due_soon_days:
        return DueState.DUE_SOON
    return DueState.SCHEDULED


def next_review_due(
    implementation_start: datetime.date | None,
    final_reviews: Iterable[tuple],
    *,
    today: datetime.date,
    rules: CadenceRules = DEFAULT_RULES,
) -> Due:
    """The next review's due date under ``rules``. ``final_reviews`` are ``(visit_end, total,
    good_from)`` of the agency's final reviews (newest first, though any order is read
    right). Without a final review the baseline is due after the implementation start; with
    neither, there is no due date and the basis says why."""
    reviews = _reviews(final_reviews)
    if not reviews:
        if implementation_start is None:
            return Due(
                None,
                "No implementation start date is recorded, so the baseline review has no "
                "due date yet",
                DueState.UNKNOWN,
                today,
            )
        due = add_months(implementation_start, rules.baseline_months)
        basis = (
            f"Baseline review, {_months(rules.baseline_months)} after the implementation "
            f"start on {_day(implementation_start)}"
        )
        return Due(due, basis, _state(due, today, rules), today)
    latest = reviews[0]
    ended = _day(latest.visit_end)
    if _is_good(latest):
        months = rules.after_good_months
        why = f"its total of {latest.total} reached good fidelity ({latest.good_from} or more)"
    else:
        months = rules.until_good_months
        if latest.total is None:
            why = "it has no total"
        elif latest.good_from is None:
            why = "its scale sets no level for good fidelity"
        else:
            why = f"its total of {latest.total} is below good fidelity ({latest.good_from})"
    due = add_months(latest.visit_end, months)
    basis = f"{_months(months)} after the last final review (visit ended {ended}): {why}"
    return Due(due, basis, _state(due, today, rules), today)

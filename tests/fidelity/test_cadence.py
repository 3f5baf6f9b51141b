"""The review cadence as pure functions: the baseline after the implementation start, every 6
months until good fidelity, then yearly; the states at their date boundaries; month ends and
leap days; the collaborative's own rules. No database here."""

from __future__ import annotations

import datetime

import pytest

from fidelity.cadence import (
    CadenceRules,
    DueState,
    FinalReview,
    good_fidelity_reached,
    next_review_due,
)

D = datetime.date
START = D(2026, 1, 15)


def test_the_baseline_is_due_6_months_after_the_implementation_start():
    due = next_review_due(START, [], today=D(2026, 2, 1))
    assert due.date == D(2026, 7, 15)
    assert due.state == DueState.SCHEDULED
    assert "Baseline review, 6 months after the implementation start on January 15, 2026" in (
        due.basis
    )


@pytest.mark.parametrize(
    ("today", "state", "days_left"),
    [
        (D(2026, 5, 15), DueState.SCHEDULED, 61),
        (D(2026, 5, 16), DueState.DUE_SOON, 60),
        (D(2026, 7, 14), DueState.DUE_SOON, 1),
        (D(2026, 7, 15), DueState.DUE_SOON, 0),
        (D(2026, 7, 16), DueState.OVERDUE, -1),
    ],
)
def test_the_state_changes_60_days_before_and_the_day_after_the_due_date(today, state, days_left):
    due = next_review_due(START, [], today=today)
    assert (due.date, due.state, due.days_left) == (D(2026, 7, 15), state, days_left)


def test_without_a_start_date_or_a_review_there_is_no_due_date_and_a_reason():
    due = next_review_due(None, [], today=D(2026, 3, 1))
    assert (due.date, due.state, due.days_left) == (None, DueState.UNKNOWN, None)
    assert "No implementation start date" in due.basis
    assert due.state_label == "No due date"


def test_below_good_fidelity_the_next_review_is_due_6_months_after_the_visit():
    reviews = [(D(2026, 7, 20), 92, 100)]
    due = next_review_due(START, reviews, today=D(2026, 8, 1))
    assert due.date == D(2027, 1, 20)
    assert due.basis == (
        "6 months after the last final review (visit ended July 20, 2026): its total of 92 "
        "is below good fidelity (100)"
    )
    assert not good_fidelity_reached(reviews)


@pytest.mark.parametrize(
    ("total", "months", "due"), [(99, 6, D(2027, 1, 20)), (100, 12, D(2027, 7, 20))]
)
def test_good_fidelity_starts_at_100_and_makes_the_reviews_yearly(total, months, due):
    reviews = [(D(2026, 7, 20), total, 100)]
    answer = next_review_due(START, reviews, today=D(2026, 8, 1))
    assert answer.date == due
    assert answer.basis.startswith(f"{months} months after the last final review")
    assert good_fidelity_reached(reviews) is (total >= 100)


def test_the_latest_final_review_decides_in_whatever_order_they_come():
    good_then_fair = [(D(2026, 1, 10), 104, 100), (D(2026, 7, 10), 97, 100)]
    assert not good_fidelity_reached(good_then_fair)
    assert next_review_due(START, good_then_fair, today=D(2026, 8, 1)).date == D(2027, 1, 10)
    fair_then_good = [(D(2026, 7, 10), 101, 100), (D(2026, 1, 10), 90, 100)]
    assert good_fidelity_reached(fair_then_good)
    assert next_review_due(START, fair_then_good, today=D(2026, 8, 1)).date == D(2027, 7, 10)


def test_no_review_means_good_fidelity_is_not_reached():
    assert good_fidelity_reached([]) is False


def test_a_review_without_a_total_or_a_good_level_keeps_the_6_month_interval():
    no_total = [FinalReview(D(2026, 3, 31), None, 100)]
    assert not good_fidelity_reached(no_total)
    due = next_review_due(START, no_total, today=D(2026, 4, 1))
    assert (due.date, due.basis.endswith("it has no total")) == (D(2026, 9, 30), True)
    no_level = [FinalReview(D(2026, 3, 31), 120, None)]
    assert not good_fidelity_reached(no_level)
    assert (
        "sets no level for good fidelity"
        in next_review_due(START, no_level, today=D(2026, 4, 1)).basis
    )


def test_a_review_counts_without_an_implementation_start():
    due = next_review_due(None, [(D(2026, 2, 2), 110, 100)], today=D(2026, 3, 1))
    assert (due.date, due.state) == (D(2027, 2, 2), DueState.SCHEDULED)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (D(2025, 8, 31), D(2026, 2, 28)),
        (D(2027, 8, 31), D(2028, 2, 29)),
        (D(2027, 8, 29), D(2028, 2, 29)),
        (D(2026, 12, 31), D(2027, 6, 30)),
        (D(2026, 3, 31), D(2026, 9, 30)),
    ],
)
def test_month_ends_fall_on_the_last_day_of_a_shorter_month(start, due):
    assert next_review_due(start, [], today=start).date == due


def test_a_leap_day_visit_is_followed_a_year_later_on_february_28():
    reviews = [(D(2028, 2, 29), 115, 100)]
    due = next_review_due(START, reviews, today=D(2028, 3, 1))
    assert due.date == D(2029, 2, 28)
    assert next_review_due(START, [(D(2028, 2, 29), 80, 100)], today=D(2028, 3, 1)).date == D(
        2028, 8, 29
    )


def test_the_day_after_the_leap_day_due_date_is_overdue():
    assert next_review_due(D(2027, 8, 31), [], today=D(2028, 2, 29)).state == DueState.DUE_SOON
    assert next_review_due(D(2027, 8, 31), [], today=D(2028, 3, 1)).state == DueState.OVERDUE


def test_a_collaborative_sets_its_own_intervals():
    rules = CadenceRules(baseline_months=9, until_good_months=4, after_good_months=24)
    assert next_review_due(START, [], today=START, rules=rules).date == D(2026, 10, 15)
    fair = [(D(2026, 10, 20), 90, 100)]
    assert next_review_due(START, fair, today=START, rules=rules).date == D(2027, 2, 20)
    good = [(D(2026, 10, 20), 100, 100)]
    answer = next_review_due(START, good, today=START, rules=rules)
    assert answer.date == D(2028, 10, 20)
    assert answer.basis.startswith("24 months after")


def test_a_collaborative_sets_how_soon_a_review_is_due_soon():
    rules = CadenceRules(due_soon_days=30)
    assert next_review_due(START, [], today=D(2026, 6, 14), rules=rules).state == (
        DueState.SCHEDULED
    )
    assert next_review_due(START, [], today=D(2026, 6, 15), rules=rules).state == (
        DueState.DUE_SOON
    )


@pytest.mark.parametrize("field", ["baseline_months", "until_good_months", "after_good_months"])
def test_an_interval_below_one_month_is_refused_by_name(field):
    with pytest.raises(ValueError, match=field):
        CadenceRules(**{field: 0})

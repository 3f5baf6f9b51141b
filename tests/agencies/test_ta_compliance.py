"""The compliance of a TA activity log with its agreement, month by month: a pure function
of the agreement's terms, the logged dates and kinds, and the collaborative's today."""

import datetime

from agencies import ta_compliance as tc
from agencies.models import EmployerVisitFrequency, TAActivityKind

D = datetime.date
K = TAActivityKind


def _states(month):
    return {c.commitment: c.state for c in month.checks}


def test_it_says_held_with_the_dates_and_missing_for_ended_months():
    terms = tc.Terms(start_date=D(2026, 3, 1))
    log = [(D(2026, 3, 4), K.UNIT_MEETING), (D(2026, 3, 18), K.UNIT_MEETING)]
    result = tc.compliance(terms, log, today=D(2026, 5, 10))
    march = result.months[0]
    assert march.number == 1 and march.title == "March 2026" and march.ended
    check = march.check(tc.UNIT_MEETING)
    assert check.state == tc.HELD and check.dates == (D(2026, 3, 4), D(2026, 3, 18))
    assert check.in_words == "held on March 4 and March 18"
    assert march.check(tc.TEAM_MEETING).state == tc.MISSING
    assert march.summary.startswith("March 2026: unit meeting yes, MH team meeting missing")


def test_it_says_in_progress_for_this_month_and_upcoming_for_later_ones_never_missing():
    terms = tc.Terms(start_date=D(2026, 3, 1))
    result = tc.compliance(terms, [], today=D(2026, 4, 30))
    april, may = result.months[1], result.months[2]
    assert april.state == tc.IN_PROGRESS and may.state == tc.UPCOMING
    assert set(_states(april).values()) == {tc.IN_PROGRESS}
    # May's own commitments are upcoming; the quarterly block it closes is in progress.
    assert {k: v for k, v in _states(may).items() if k != tc.STEERING_COMMITTEE} == {
        tc.UNIT_MEETING: tc.UPCOMING,
        tc.TEAM_MEETING: tc.UPCOMING,
        tc.EMPLOYER_VISIT: tc.UPCOMING,
    }
    assert may.check(tc.STEERING_COMMITTEE).state == tc.IN_PROGRESS
    assert result.months[3].check(tc.STEERING_COMMITTEE).state == tc.UPCOMING
    assert may.summary == "May 2026: upcoming"
    assert "missing" not in april.summary
    assert result.month_of(D(2026, 4, 30)) is april


def test_it_holds_a_month_in_progress_once_its_meeting_is_logged():
    terms = tc.Terms(start_date=D(2026, 3, 1))
    result = tc.compliance(terms, [(D(2026, 4, 2), K.TEAM_MEETING)], today=D(2026, 4, 3))
    assert _states(result.months[1])[tc.TEAM_MEETING] == tc.HELD
    assert _states(result.months[1])[tc.UNIT_MEETING] == tc.IN_PROGRESS


def test_it_judges_quarterly_commitments_per_block_of_three_months():
    terms = tc.Terms(start_date=D(2026, 1, 1), employer_visits=EmployerVisitFrequency.QUARTERLY)
    log = [(D(2026, 2, 10), K.EMPLOYER_VISIT), (D(2026, 5, 5), K.STEERING_COMMITTEE)]
    result = tc.compliance(terms, log, today=D(2026, 12, 1))
    for month in result.months[:3]:
        visit = month.check(tc.EMPLOYER_VISIT)
        assert visit.state == tc.HELD and visit.block == (1, 3) and visit.dates == (D(2026, 2, 10),)
        assert month.check(tc.STEERING_COMMITTEE).state == tc.MISSING
    for month in result.months[3:]:
        assert month.check(tc.EMPLOYER_VISIT).state == tc.MISSING
        assert month.check(tc.STEERING_COMMITTEE).state == tc.HELD
        assert month.check(tc.STEERING_COMMITTEE).block_words == "months 4-6"


def test_it_leaves_a_block_that_has_not_ended_in_progress():
    terms = tc.Terms(start_date=D(2026, 1, 1))
    result = tc.compliance(terms, [], today=D(2026, 3, 15))
    assert result.months[0].ended
    assert result.months[0].check(tc.STEERING_COMMITTEE).state == tc.IN_PROGRESS
    assert result.months[0].check(tc.UNIT_MEETING).state == tc.MISSING
    assert result.months[3].check(tc.STEERING_COMMITTEE).state == tc.UPCOMING


def test_it_judges_monthly_employer_visits_each_month_and_skips_what_is_not_committed():
    terms = tc.Terms(start_date=D(2026, 1, 1), steering_committee_quarterly=False)
    result = tc.compliance(terms, [(D(2026, 1, 9), K.EMPLOYER_VISIT)], today=D(2026, 9, 1))
    assert result.months[0].check(tc.EMPLOYER_VISIT).state == tc.HELD
    assert result.months[1].check(tc.EMPLOYER_VISIT).state == tc.MISSING
    assert result.months[0].check(tc.STEERING_COMMITTEE) is None


def test_it_covers_the_larger_of_the_monthly_commitments():
    terms = tc.Terms(start_date=D(2026, 1, 1), unit_meeting_months=4, team_meeting_months=8)
    result = tc.compliance(terms, [], today=D(2027, 1, 1))
    assert len(result.months) == 8
    assert result.months[3].check(tc.UNIT_MEETING) is not None
    assert result.months[4].check(tc.UNIT_MEETING) is None
    assert result.months[7].check(tc.TEAM_MEETING).state == tc.MISSING
    # The last block is cut at the last month: months 7-8.
    assert result.months[7].check(tc.STEERING_COMMITTEE).block == (7, 8)
    assert result.period_end == D(2026, 8, 31)
    none = tc.compliance(
        tc.Terms(start_date=D(2026, 1, 1), unit_meeting_months=0, team_meeting_months=0),
        [],
        today=D(2026, 2, 1),
    )
    assert none.months == ()


def test_it_counts_a_mid_month_start_from_the_start_date():
    terms = tc.Terms(start_date=D(2026, 3, 16))
    log = [(D(2026, 3, 10), K.UNIT_MEETING), (D(2026, 3, 20), K.TEAM_MEETING)]
    result = tc.compliance(terms, log, today=D(2026, 6, 1))
    march = result.months[0]
    assert march.first == D(2026, 3, 16) and march.last == D(2026, 3, 31)
    assert march.check(tc.UNIT_MEETING).state == tc.MISSING  # before the agreement
    assert march.check(tc.TEAM_MEETING).state == tc.HELD
    assert result.months[1].first == D(2026, 4, 1)
    assert result.period_end == D(2026, 8, 31)


def test_it_crosses_the_year_boundary():
    terms = tc.Terms(start_date=D(2025, 11, 3))
    log = [(D(2026, 1, 7), K.UNIT_MEETING), (D(2025, 12, 31), K.UNIT_MEETING)]
    result = tc.compliance(terms, log, today=D(2026, 2, 10))
    assert [m.title for m in result.months] == [
        "November 2025",
        "December 2025",
        "January 2026",
        "February 2026",
        "March 2026",
        "April 2026",
    ]
    assert result.months[1].check(tc.UNIT_MEETING).dates == (D(2025, 12, 31),)
    assert result.months[2].check(tc.UNIT_MEETING).dates == (D(2026, 1, 7),)
    assert result.months[3].state == tc.IN_PROGRESS
    # Steering committee block 1 (Nov-Jan) ended without a meeting; block 2 is in progress.
    assert result.months[2].check(tc.STEERING_COMMITTEE).state == tc.MISSING
    assert result.months[3].check(tc.STEERING_COMMITTEE).state == tc.IN_PROGRESS


def test_it_counts_outcome_reviews_and_training_sessions_over_the_period():
    terms = tc.Terms(start_date=D(2026, 1, 1))
    log = [
        (D(2026, 2, 1), K.OUTCOME_REVIEW),
        (D(2026, 5, 1), K.OUTCOME_REVIEW),
        (D(2026, 3, 3), K.TRAINING_SESSION),
        (D(2025, 12, 30), K.TRAINING_SESSION),  # before the agreement
        (D(2026, 7, 1), K.OUTCOME_REVIEW),  # after the six months
    ]
    result = tc.compliance(terms, log, today=D(2026, 8, 1))
    assert result.outcome_reviews == 2 and result.training_sessions == 1
    assert all(c.commitment != "outcome_review" for m in result.months for c in m.checks)
    assert result.missing_count == 6 * 3 + 2  # unit, team, visits each month; two blocks

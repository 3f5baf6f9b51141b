"""The structure checks as pure functions: each rule at its boundaries, and "not enough data"
wherever a figure is missing (never "met" without data). No database here."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agencies import structure
from agencies.structure import RosterEntry

SUP = structure.SUPERVISOR
ES = structure.SPECIALIST


def es(n: int = 1, **figures) -> RosterEntry:
    base = {
        "fte": Decimal("1.00"),
        "caseload": 15,
        "community_time_percent": 70,
        "employment_services_only": True,
        "supervisor_id": "sup",
        "team_count": 1,
        "referrals_from_teams_percent": 95,
    }
    return RosterEntry(id=f"es{n}", name=f"Specialist {n}", role=ES, **{**base, **figures})


def sup(pk: str = "sup", **figures) -> RosterEntry:
    base = {"fte": Decimal("1.00"), "caseload": 2, "supervises_ips_only": True}
    return RosterEntry(id=pk, name=f"Supervisor {pk}", role=SUP, **{**base, **figures})


def result(code: str, entries) -> structure.CheckResult:
    (found,) = [c for c in structure.structure_checks(entries) if c.code == code]
    return found


def test_it_runs_every_check_with_a_stable_code_in_order():
    codes = [c.code for c in structure.structure_checks([sup(), es()])]
    assert codes == [
        "es_caseload",
        "supervisor_ratio",
        "supervisor_ips_only",
        "supervisor_caseload",
        "es_employment_services_only",
        "es_community_time",
        "es_team_assignment",
    ]


def test_it_meets_every_check_for_a_well_staffed_program():
    checks = structure.structure_checks([sup(), es(1), es(2)])
    assert {c.code: c.met for c in checks} == dict.fromkeys([c.code for c in checks], True)


def test_it_says_not_enough_data_for_every_check_of_an_empty_roster():
    checks = structure.structure_checks([])
    assert [c.met for c in checks] == [None] * len(structure.CHECKS)
    assert all(c.status_label == "Not enough data" for c in checks)


# -- caseload per full-time ES ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caseload", "fte", "met"),
    [
        (20, "1.00", True),
        (21, "1.00", False),
        # A part-time specialist's caseload is scaled by their FTE.
        (10, "0.50", True),
        (11, "0.50", False),
        (30, "1.50", True),
        (31, "1.50", False),
    ],
)
def test_it_checks_the_caseload_per_full_time_specialist(caseload, fte, met):
    found = result("es_caseload", [sup(), es(caseload=caseload, fte=Decimal(fte))])
    assert found.met is met


def test_it_names_the_highest_caseload_per_fte():
    found = result("es_caseload", [es(1, caseload=12), es(2, caseload=11, fte=Decimal("0.5"))])
    assert found.value == "Highest: 22 per FTE (Specialist 2)"
    assert found.met is False


def test_it_has_not_enough_data_on_caseloads_when_one_is_missing_and_none_breaks_the_rule():
    assert result("es_caseload", [es(1), es(2, caseload=None)]).met is None
    assert (
        "not recorded for Specialist 2"
        in result("es_caseload", [es(1), es(2, caseload=None)]).value
    )
    # A known breach is not met whatever else is missing.
    assert result("es_caseload", [es(1, caseload=25), es(2, caseload=None)]).met is False
    assert result("es_caseload", [sup()]).met is None


# -- ES per supervisor --------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "met"), [(10, True), (11, False)])
def test_it_checks_the_specialists_per_supervisor(count, met):
    entries = [sup(), *(es(n) for n in range(count))]
    found = result("supervisor_ratio", entries)
    assert found.met is met
    assert found.value == f"Most supervised by one supervisor: {count}"


def test_it_counts_each_supervisor_apart():
    entries = [sup("a"), sup("b")]
    entries += [es(n, supervisor_id="a") for n in range(6)]
    entries += [es(n + 10, supervisor_id="b") for n in range(6)]
    assert result("supervisor_ratio", entries).met is True


def test_it_has_not_enough_data_on_the_ratio_without_a_supervisor_or_a_link():
    assert result("supervisor_ratio", [es()]).met is None
    assert result("supervisor_ratio", [sup(), es(1), es(2, supervisor_id=None)]).met is None
    # A specialist whose supervisor is no longer on the roster counts as unsupervised.
    assert result("supervisor_ratio", [sup(), es(1, supervisor_id="gone")]).met is None


# -- supervisor of 5 or more supervises IPS only -----------------------------------------------


@pytest.mark.parametrize(
    ("count", "ips_only", "met"),
    [
        (4, False, True),  # fewer than five: the rule does not apply
        (5, False, False),
        (5, True, True),
        (5, None, None),
    ],
)
def test_it_checks_that_a_supervisor_of_five_supervises_ips_only(count, ips_only, met):
    entries = [sup(supervises_ips_only=ips_only), *(es(n) for n in range(count))]
    assert result("supervisor_ips_only", entries).met is met


def test_it_says_the_ips_only_rule_does_not_apply_below_five_rather_than_met():
    below = result("supervisor_ips_only", [sup(supervises_ips_only=False), es(1)])
    at_five = result(
        "supervisor_ips_only", [sup(supervises_ips_only=True), *(es(n) for n in range(5))]
    )
    assert (below.met, below.status, below.status_label) == (
        True,
        "not_applicable",
        "Does not apply",
    )
    assert (at_five.met, at_five.status, at_five.status_label) == (True, "met", "Met")


def test_it_does_not_call_the_ips_only_rule_met_while_a_specialist_lacks_a_supervisor():
    entries = [
        sup(supervises_ips_only=False),
        *(es(n) for n in range(4)),
        es(9, supervisor_id=None),
    ]
    assert result("supervisor_ips_only", entries).met is None


# -- supervisor caseload ------------------------------------------------------------------------


@pytest.mark.parametrize(("caseload", "met"), [(0, True), (3, True), (4, False), (None, None)])
def test_it_checks_the_supervisors_own_caseload(caseload, met):
    assert result("supervisor_caseload", [sup(caseload=caseload), es()]).met is met


# -- employment services only -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("only", "percent", "met"),
    [
        (True, None, True),
        (False, None, False),
        (None, 96, True),
        (None, 95, False),
        (None, None, None),
        (False, 99, False),  # a plain "no" is the answer, whatever the share says
    ],
)
def test_it_checks_that_specialists_do_employment_services_only(only, percent, met):
    entry = es(employment_services_only=only, employment_services_percent=percent)
    assert result("es_employment_services_only", [sup(), entry]).met is met


# -- time in the community ---------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "met"), [(64, False), (65, True), (100, True), (None, None)])
def test_it_checks_the_time_in_the_community(percent, met):
    found = result("es_community_time", [sup(), es(community_time_percent=percent)])
    assert found.met is met


def test_it_names_the_lowest_time_in_the_community():
    entries = [es(1, community_time_percent=80), es(2, community_time_percent=64)]
    assert result("es_community_time", entries).value == "Lowest: 64% (Specialist 2)"


# -- treatment teams and referrals --------------------------------------------------------------


@pytest.mark.parametrize(
    ("teams", "referrals", "met"),
    [
        (1, 90, True),
        (2, 90, True),
        (3, 90, False),
        (1, 89, False),
        (2, 100, True),
        (0, 95, None),  # no team recorded
        (1, None, None),
        (3, None, False),  # three teams breaks the rule whatever the referrals
    ],
)
def test_it_checks_team_assignment_and_referrals(teams, referrals, met):
    entry = es(team_count=teams, referrals_from_teams_percent=referrals)
    assert result("es_team_assignment", [sup(), entry]).met is met


def test_it_reports_each_result_as_met_not_met_or_no_data():
    met = result("es_community_time", [es(community_time_percent=65)])
    missed = result("es_community_time", [es(community_time_percent=64)])
    unknown = result("es_community_time", [es(community_time_percent=None)])
    assert (met.status, missed.status, unknown.status) == ("met", "not_met", "no_data")
    assert (met.status_label, missed.status_label) == ("Met", "Not met")

"""Suggested ratings from the roster as pure functions: each item at its anchors' boundaries,
nothing without the figures, nothing for items the roster cannot rate or for another scale,
and the rules' boundaries as the shipped scale's anchors state them. No database here."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from agencies import structure
from agencies.structure import RosterEntry
from fidelity import suggestions
from fidelity.suggestions import Suggestion, suggest, suggestions_for_scale
from tests.fidelity.helpers import standard_definition

AS_OF = datetime.date(2026, 3, 2)
ES = structure.SPECIALIST
SUP = structure.SUPERVISOR


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


def sup(**figures) -> RosterEntry:
    base = {"fte": Decimal("1.00"), "caseload": 2, "supervises_ips_only": True}
    return RosterEntry(id="sup", name="The supervisor", role=SUP, **{**base, **figures})


def rating(item_key: str, entries) -> int | None:
    found = suggest(item_key, entries, as_of=AS_OF)
    return None if found is None else found.rating


# Caseload size


@pytest.mark.parametrize(
    ("caseload", "expected"),
    [(20, 5), (21, 4), (25, 4), (26, 3), (30, 3), (31, 2), (40, 2), (41, 1), (0, 5), (90, 1)],
)
def test_caseload_at_the_anchors_boundaries(caseload, expected):
    assert rating("caseload_size", [sup(), es(1, caseload=caseload)]) == expected


@pytest.mark.parametrize(
    ("fte", "caseload", "expected", "figure"),
    [
        ("0.50", 10, 5, "20"),
        ("0.50", 11, 4, "22"),
        ("0.50", 13, 3, "26"),
        ("0.75", 15, 5, "20"),
        ("0.75", 16, 4, "21.3"),
        ("0.50", 15, 3, "30"),
        ("0.50", 16, 2, "32"),
        ("0.50", 20, 2, "40"),
        ("0.50", 21, 1, "42"),
        ("1.50", 30, 5, "20"),
        ("1.50", 31, 4, "20.7"),
    ],
)
def test_caseload_is_counted_per_full_time_post(fte, caseload, expected, figure):
    found = suggest(
        "caseload_size",
        [es(1, fte=Decimal(fte), caseload=caseload)],
        as_of=AS_OF,
    )
    assert found.rating == expected
    assert found.reason == f"highest caseload {figure} per FTE (Specialist 1)"


def test_caseload_follows_the_highest_specialist():
    found = suggest(
        "caseload_size",
        [es(1, caseload=12), es(2, caseload=23), es(3, caseload=18), sup(caseload=30)],
        as_of=AS_OF,
    )
    assert found == Suggestion(
        "caseload_size", 4, "highest caseload 23 per FTE (Specialist 2)", AS_OF
    )
    assert found.text == (
        "Suggested from the roster of March 2, 2026: 4, highest caseload 23 per FTE (Specialist 2)"
    )


def test_caseload_is_not_suggested_while_a_specialists_caseload_is_missing():
    assert rating("caseload_size", [es(1, caseload=12), es(2, caseload=None)]) is None
    assert rating("caseload_size", [es(1, caseload=None)]) is None


def test_a_caseload_already_at_the_lowest_rating_is_suggested_despite_a_missing_one():
    found = suggest("caseload_size", [es(1, caseload=45), es(2, caseload=None)], as_of=AS_OF)
    assert found.rating == 1
    assert found.reason.endswith("; not recorded for 1 specialist")


def test_nothing_is_suggested_without_specialists():
    for key in suggestions.RULES:
        assert rating(key, []) is None
        assert rating(key, [sup()]) is None


# Employment services staff


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(100, 5), (96, 5), (95, 4), (85, 4), (84, 3), (70, 3), (69, 2), (56, 2), (55, 1), (0, 1)],
)
def test_employment_services_at_the_anchors_boundaries(percent, expected):
    entry = es(1, employment_services_only=None, employment_services_percent=percent)
    found = suggest("employment_services_staff", [entry], as_of=AS_OF)
    assert found.rating == expected
    assert found.reason == f"{percent}% of time on employment services (1 specialist)"


def test_employment_services_only_counts_as_all_of_the_time():
    assert rating("employment_services_staff", [es(1), es(2)]) == 5


def test_employment_services_share_is_weighted_by_fte_and_rounded():
    full = es(1, employment_services_only=None, employment_services_percent=100)
    # (1.00 * 100 + 0.50 * 88) / 1.50 = 96.0
    half = es(
        2, fte=Decimal("0.50"), employment_services_only=False, employment_services_percent=88
    )
    found = suggest("employment_services_staff", [full, half], as_of=AS_OF)
    assert (found.rating, found.reason) == (
        5,
        "96% of time on employment services (2 specialists, weighted by FTE)",
    )
    # (100 + 87) / 2 = 93.5, rounded to 94
    other = es(2, employment_services_only=None, employment_services_percent=87)
    found = suggest("employment_services_staff", [full, other], as_of=AS_OF)
    assert (found.rating, found.reason.split("%")[0]) == (4, "94")
    # (1.00 * 100 + 0.50 * 87) / 1.50 = 95.67, rounded to 96
    other = es(
        2, fte=Decimal("0.50"), employment_services_only=None, employment_services_percent=87
    )
    assert rating("employment_services_staff", [full, other]) == 5


def test_employment_services_are_not_suggested_without_each_specialists_share():
    unknown = es(2, employment_services_only=None, employment_services_percent=None)
    assert rating("employment_services_staff", [es(1), unknown]) is None
    # "Not only employment services" without a share does not say how much.
    other_duties = es(2, employment_services_only=False, employment_services_percent=None)
    assert rating("employment_services_staff", [es(1), other_duties]) is None


# Community-based services


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(100, 5), (65, 5), (64, 4), (50, 4), (49, 3), (40, 3), (39, 2), (30, 2), (29, 1), (0, 1)],
)
def test_community_time_at_the_anchors_boundaries(percent, expected):
    found = suggest(
        "community_based_services", [es(1, community_time_percent=percent)], as_of=AS_OF
    )
    assert found.rating == expected
    assert found.reason == f"{percent}% of time in the community (1 specialist)"


def test_community_time_is_weighted_by_fte():
    # (1.00 * 70 + 0.25 * 30) / 1.25 = 62: a small post weighs less.
    entries = [
        es(1, community_time_percent=70),
        es(2, fte=Decimal("0.25"), community_time_percent=30),
    ]
    assert rating("community_based_services", entries) == 4
    entries = [
        es(1, community_time_percent=80),
        es(2, fte=Decimal("0.25"), community_time_percent=5),
    ]
    # (80 + 1.25) / 1.25 = 65
    assert rating("community_based_services", entries) == 5


def test_community_time_is_not_suggested_while_a_share_is_missing():
    entries = [es(1), es(2, community_time_percent=None)]
    assert rating("community_based_services", entries) is None


# Team assignment


@pytest.mark.parametrize(
    ("teams", "share", "expected"),
    [
        (1, 100, 5),
        (1, 90, 5),
        (2, 89, 4),
        (2, 75, 4),
        (1, 74, 3),
        (1, 50, 3),
        (1, 49, 2),
        (2, 0, 2),
        (3, 100, 2),
        (5, None, 2),
    ],
)
def test_team_assignment_at_the_anchors_boundaries(teams, share, expected):
    entry = es(1, team_count=teams, referrals_from_teams_percent=share)
    assert rating("team_assignment", [entry]) == expected


def test_team_assignment_follows_the_lowest_specialist_and_says_who():
    entries = [
        es(1),
        es(2, team_count=2, referrals_from_teams_percent=80),
        es(3, team_count=1, referrals_from_teams_percent=91),
    ]
    found = suggest("team_assignment", entries, as_of=AS_OF)
    assert (found.rating, found.reason) == (
        4,
        "lowest: Specialist 2: 2 teams, 80% of referrals from them",
    )
    found = suggest("team_assignment", [es(1, team_count=3)], as_of=AS_OF)
    assert (found.rating, found.reason) == (2, "Specialist 1 is on 3 teams")
    found = suggest("team_assignment", [es(1, referrals_from_teams_percent=40)], as_of=AS_OF)
    assert found.reason.endswith("(most people come from elsewhere)")


def test_team_assignment_is_not_suggested_while_teams_or_referrals_are_missing():
    assert rating("team_assignment", [es(1), es(2, team_count=0)]) is None
    assert rating("team_assignment", [es(1), es(2, referrals_from_teams_percent=None)]) is None
    # Even a specialist known to be on 3 teams: the unrecorded one could be lower still.
    assert rating("team_assignment", [es(1, team_count=3), es(2, team_count=0)]) is None


# Items the roster cannot rate; the scale


def test_items_whose_anchors_need_facts_the_roster_lacks_get_no_suggestion():
    roster = [sup(), es(1), es(2)]
    for key in ("vocational_generalists", "supervisor_role", "disclosure", "no_such_item"):
        assert suggest(key, roster, as_of=AS_OF) is None


def test_it_suggests_for_the_25_item_scale_only_the_items_it_has():
    roster = [sup(), es(1, caseload=23), es(2)]
    keys = [i["key"] for s in standard_definition()["sections"] for i in s["items"]]
    found = suggestions_for_scale("ips-se", 1, keys, roster, as_of=AS_OF)
    assert {k: s.rating for k, s in found.items()} == {
        "caseload_size": 4,
        "employment_services_staff": 5,
        "team_assignment": 5,
        "community_based_services": 5,
    }
    assert {s.as_of for s in found.values()} == {AS_OF}
    some = suggestions_for_scale("ips-se", 1, ["caseload_size", "disclosure"], roster, as_of=AS_OF)
    assert list(some) == ["caseload_size"]


def test_another_scale_gets_no_suggestions_even_with_the_same_item_keys():
    roster = [sup(), es(1)]
    assert suggestions_for_scale("se-15", 1, ["caseload_size"], roster, as_of=AS_OF) == {}
    assert suggestions_for_scale("ips-se", 2, ["caseload_size"], roster, as_of=AS_OF) == {}
    assert suggestions_for_scale("ips-se", 1, ["caseload_size"], roster, as_of=AS_OF)


def _anchor_numbers(item_key: str) -> dict[int, list[int]]:
    for section in standard_definition()["sections"]:
        for item in section["items"]:
            if item["key"] == item_key:
                return {
                    int(r): [int(n) for n in re.findall(r"\d+", text)]
                    for r, text in item["anchors"].items()
                }
    raise AssertionError(item_key)


def test_the_rules_boundaries_are_those_the_shipped_anchors_state():
    """Read the numbers of the anchors in the scale file: a changed anchor fails here."""
    ceilings = {r: c for c, r in suggestions.CASELOAD_CEILINGS}
    assert _anchor_numbers("caseload_size") == {
        5: [ceilings[5]],
        4: [ceilings[5] + 1, ceilings[4]],
        3: [ceilings[4] + 1, ceilings[3]],
        2: [ceilings[3] + 1, ceilings[2]],
        1: [ceilings[2] + 1],
    }
    for key, floors in (
        ("employment_services_staff", suggestions.EMPLOYMENT_SERVICES_FLOORS),
        ("community_based_services", suggestions.COMMUNITY_FLOORS),
    ):
        f = {r: floor for floor, r in floors}
        numbers = _anchor_numbers(key)
        assert numbers[5] == [f[5]]
        assert numbers[4] == [f[4], f[5] - 1]
        assert numbers[3] == [f[3], f[4] - 1]
        assert numbers[2] == [f[2], f[3] - 1]
    assert _anchor_numbers("employment_services_staff")[1] == [55]  # "55% or less"
    assert _anchor_numbers("community_based_services")[1] == [30]  # "less than 30%"
    teams = {r: floor for floor, r in suggestions.TEAM_REFERRAL_FLOORS}
    numbers = _anchor_numbers("team_assignment")
    assert numbers[5] == [teams[5]]
    assert numbers[4] == [teams[4], teams[5] - 1]
    assert numbers[3] == [teams[3], teams[4] - 1]


# What the roster shows of the supervisor's role


def note(entries) -> suggestions.RosterNote | None:
    found = suggestions.roster_notes("ips-se", 1, ["supervisor_role"], entries, as_of=AS_OF)
    return found.get("supervisor_role")


def team(n: int, **supervisor) -> list[RosterEntry]:
    return [sup(**supervisor), *(es(i) for i in range(1, n + 1))]


def test_the_supervisor_span_is_met_up_to_10_specialists_supervising_ips_only():
    found = note(team(10))
    assert found.at_most is None
    assert found.text == (
        "Of the five things the item counts, the roster shows only the span of supervision "
        "(met: The supervisor supervises 10 specialists, IPS only); the other four need the "
        "visit"
    )
    assert found.as_of == AS_OF
    # Still never a rating: the other four things decide it.
    assert suggest("supervisor_role", team(10), as_of=AS_OF) is None


def test_the_supervisor_span_is_not_met_above_10_and_caps_the_rating_at_4():
    found = note(team(11))
    assert found.at_most == 4
    assert "(not met: The supervisor supervises 11 specialists)" in found.text
    found = note(team(10, supervises_ips_only=False))
    assert (found.at_most, "not met" in found.text) == (4, True)


def test_a_smaller_team_with_other_duties_or_unrecorded_duties_leaves_it_open():
    found = note(team(9, supervises_ips_only=False))
    assert found.at_most is None
    assert "not known: The supervisor supervises 9 specialists and has other duties" in found.text
    found = note(team(3, supervises_ips_only=None))
    assert (found.at_most, "not known" in found.text) == (None, True)
    found = note([*team(4), es(9, supervisor_id=None)])
    assert "no supervisor recorded for 1 specialist" in found.text


def test_no_supervisor_gives_no_note_nor_does_another_scale():
    assert note([es(1)]) is None
    assert suggestions.roster_notes("se-15", 1, ["supervisor_role"], team(2), as_of=AS_OF) == {}
    assert suggestions.roster_notes("ips-se", 1, ["caseload_size"], team(2), as_of=AS_OF) == {}

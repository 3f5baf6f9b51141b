"""The scores of a review as pure functions: the total only once every item is rated, the
bands at their boundaries, section subtotals, subscale bands, the comparison with the previous
review, and the median. Only the last test reads the database (the installed scale)."""

from __future__ import annotations

import pytest

from fidelity import scoring
from fidelity.scoring import BandShape, Change, ScaleShape
from tests.fidelity.helpers import small_scale, standard_definition

IPS25 = ScaleShape.from_definition(standard_definition())
KEYS = IPS25.item_keys


def all_rated(total: int) -> dict[str, int]:
    """Ratings of the 25 items adding up to ``total`` (25-125)."""
    assert 25 <= total <= 125
    extra, ratings = total - 25, {}
    for key in KEYS:
        step = min(4, extra)
        ratings[key] = 1 + step
        extra -= step
    assert sum(ratings.values()) == total
    return ratings


def test_it_reads_the_25_item_scale_in_three_sections():
    assert len(KEYS) == 25
    assert [(s.key, len(s.item_keys)) for s in IPS25.sections] == [
        ("staffing", 3),
        ("organization", 8),
        ("services", 14),
    ]
    assert (IPS25.rating_min, IPS25.rating_max, IPS25.good_fidelity_from) == (1, 5, 100)
    assert (IPS25.slug, IPS25.version) == ("ips-se", 1)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (25, "not_se"),
        (73, "not_se"),
        (74, "fair"),
        (99, "fair"),
        (100, "good"),
        (114, "good"),
        (115, "exemplary"),
        (125, "exemplary"),
    ],
)
def test_it_bands_a_total_at_the_boundaries(total, band):
    result = scoring.score(IPS25, all_rated(total))
    assert result.total == total
    assert result.band.key == band
    assert result.complete


def test_a_total_outside_every_band_has_none():
    assert scoring.band_for(IPS25, 126) is None
    assert scoring.band_for(IPS25, None) is None


def test_a_missing_item_gives_no_total_and_no_band():
    ratings = all_rated(125)
    ratings["disclosure"] = None
    result = scoring.score(IPS25, ratings)
    assert (result.total, result.band, result.complete) == (None, None, False)
    assert result.rated == 24
    del ratings["disclosure"]
    assert scoring.total(IPS25, ratings) is None


def test_no_ratings_give_no_total():
    assert scoring.total(IPS25, {}) is None
    assert scoring.score(IPS25, {}).rated == 0


def test_section_subtotals_exist_only_for_fully_rated_sections():
    ratings = {"caseload_size": 4, "employment_services_staff": 5, "vocational_generalists": 3}
    ratings |= {"team_assignment": 2, "zero_exclusion": 5}
    staffing, organization, services = scoring.section_scores(IPS25, ratings)
    assert (staffing.key, staffing.subtotal, staffing.rated, staffing.item_count) == (
        "staffing",
        12,
        3,
        3,
    )
    assert staffing.complete
    assert (organization.subtotal, organization.rated, organization.item_count) == (None, 2, 8)
    assert (services.subtotal, services.rated) == (None, 0)
    # The 25-item scale's sections have no bands of their own.
    assert staffing.band is None


def test_section_subtotals_add_up_to_the_total():
    ratings = all_rated(101)
    result = scoring.score(IPS25, ratings)
    assert sum(s.subtotal for s in result.sections) == result.total == 101


def test_a_subscale_is_banded_on_its_own_and_the_total_on_the_scale_wide_bands():
    shape = ScaleShape.from_definition(small_scale())
    assert [(s.key, s.is_subscale) for s in shape.sections] == [("work", True), ("school", True)]
    work, school = scoring.section_scores(shape, {"w1": 3, "w2": 3, "s1": 1, "s2": 1})
    assert (work.subtotal, work.band.key, work.band.section_key) == (6, "ok", "work")
    # School has no bands of its own.
    assert (school.subtotal, school.band) == (2, None)
    work, _ = scoring.section_scores(shape, {"w1": 1, "w2": 2})
    assert (work.subtotal, work.band.key) == (3, "weak")
    overall = scoring.score(shape, {"w1": 3, "w2": 3, "s1": 1, "s2": 1})
    assert (overall.total, overall.band.key, overall.band.section_key) == (8, "low", None)
    overall = scoring.score(shape, {"w1": 3, "w2": 3, "s1": 2, "s2": 1})
    assert (overall.total, overall.band.key) == (9, "high")


def test_it_builds_a_shape_from_plain_values():
    shape = ScaleShape.build(
        [("a", ["a1", "a2"]), ("b", ["b1"])],
        [("low", "Low", 3, 6, None), ("high", "High", 7, 9, None), ("a_low", "A low", 2, 6, "a")],
        rating_min=1,
        rating_max=3,
    )
    assert shape.item_keys == ("a1", "a2", "b1")
    assert [s.is_subscale for s in shape.sections] == [True, False]
    result = scoring.score(shape, {"a1": 3, "a2": 3, "b1": 1})
    assert (result.total, result.band.key) == (7, "high")
    assert result.sections[0].band.key == "a_low"
    assert result.sections[1].band is None
    assert scoring.band_for(shape, 6, section_key="a") == BandShape("a_low", "A low", 2, 6, "a")


def test_it_refuses_a_rating_outside_the_range_or_an_unknown_item():
    with pytest.raises(ValueError, match="caseload_size: a rating is from 1 to 5, not 6"):
        scoring.total(IPS25, {"caseload_size": 6})
    with pytest.raises(ValueError, match="caseload_size"):
        scoring.score(IPS25, {"caseload_size": 0})
    with pytest.raises(ValueError, match="no_such_item: not an item"):
        scoring.section_scores(IPS25, {"no_such_item": 3})


def test_it_refuses_a_scale_with_an_item_twice():
    with pytest.raises(ValueError, match="twice"):
        ScaleShape.build([("a", ["x"]), ("b", ["x"])])


def test_it_compares_each_item_with_the_previous_review():
    now = {"caseload_size": 4, "employment_services_staff": 3, "vocational_generalists": 5}
    now |= {"team_assignment": 2}
    before = {"caseload_size": 2, "employment_services_staff": 4, "vocational_generalists": 5}
    before |= {"team_contact": 3, "retired_item": 1}
    changes = {c.item_key: c for c in scoring.compare(IPS25, now, before)}
    assert list(changes) == list(KEYS)
    assert (changes["caseload_size"].change, changes["caseload_size"].difference) == (
        Change.UP,
        2,
    )
    down, same = changes["employment_services_staff"], changes["vocational_generalists"]
    assert (down.change, down.difference) == (Change.DOWN, -1)
    assert (same.change, same.difference) == (Change.SAME, 0)
    assert (changes["team_assignment"].change, changes["team_assignment"].previous) == (
        Change.NEW,
        None,
    )
    assert changes["team_assignment"].difference is None
    assert (changes["team_contact"].change, changes["team_contact"].previous) == (
        Change.NOT_RATED,
        3,
    )
    assert "retired_item" not in changes


def test_without_a_previous_review_every_rated_item_is_new():
    changes = scoring.compare(IPS25, {"caseload_size": 5}, None)
    assert changes[0].change == Change.NEW
    assert {c.change for c in changes[1:]} == {Change.NOT_RATED}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3], 3.0),
        ([5, 1, 3], 3.0),
        ([4, 3, 2, 5], 3.5),
        ([2, 4], 3.0),
        ([1, 2, None, 5, None], 2.0),
        ([], None),
        ([None, None], None),
    ],
)
def test_the_median_of_ratings(values, expected):
    assert scoring.median(values) == expected


@pytest.mark.django_db
def test_it_reads_the_installed_scale_as_its_definition_says(django_assert_num_queries):
    from django.db.models import Prefetch

    from fidelity.models import FidelityScale, ScaleItem

    scale = FidelityScale.objects.prefetch_related(
        Prefetch("sections__items", queryset=ScaleItem.objects.order_by("number")), "bands"
    ).get(collaborative=None, slug="ips-se", version=1)
    with django_assert_num_queries(0):
        shape = scoring.shape_from_scale(scale)
    assert shape == IPS25

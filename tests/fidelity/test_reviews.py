"""Fidelity reviews through their services and the access package: planning, independent
ratings hidden until every reviewer has submitted, the consensus and its scores, final."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from agencies.models import Role
from fidelity import services
from fidelity.models import FidelityReview, FidelityScale, ReviewerRating, ReviewStatus
from fidelity.scale_install import install_standard_scales
from ipsportal import access

NOW = datetime.datetime(2026, 5, 4, 15, 0, tzinfo=datetime.UTC)
START = datetime.date(2026, 5, 12)


def standard() -> FidelityScale:
    return FidelityScale.objects.get(slug="ips-se", collaborative__isnull=True, version=1)


def keys() -> list[str]:
    return list(standard().items.order_by("number").values_list("key", flat=True))


def plan(tenant, *, kind="follow_up", reviewers=None):
    return services.review_create(
        user=tenant.user(Role.STATE_ADMIN),
        agency=tenant.agency,
        scale=standard(),
        kind=kind,
        visit_start=START,
        visit_end=START + datetime.timedelta(days=1),
        reviewers=(
            reviewers
            if reviewers is not None
            else [tenant.user(Role.STATE_TRAINER), tenant.user(Role.FIDELITY_REVIEWER)]
        ),
    )


def sheet(rating: int, *, only=None) -> dict:
    return {k: {"rating": rating, "evidence": f"seen {k}"} for k in (only or keys())}


def fresh(review) -> FidelityReview:
    return FidelityReview.objects.get(pk=review.pk)


def rate_and_submit(tenant, review, trainer_rating=4, reviewer_rating=3):
    trainer, reviewer = tenant.user(Role.STATE_TRAINER), tenant.user(Role.FIDELITY_REVIEWER)
    services.my_ratings_save(
        user=trainer, review=review, ratings=sheet(trainer_rating), version=None
    )
    services.my_ratings_save(
        user=reviewer, review=review, ratings=sheet(reviewer_rating), version=None
    )
    services.my_ratings_submit(user=trainer, review=review)
    services.my_ratings_submit(user=reviewer, review=review)
    return fresh(review)


@time_machine.travel(NOW)
def test_it_lets_a_state_admin_plan_a_review_with_two_reviewers(tenant):
    review = plan(tenant)
    assert review.status == ReviewStatus.PLANNED
    assert {r.user for r in review.reviewers.all()} == {
        tenant.user(Role.STATE_TRAINER),
        tenant.user(Role.FIDELITY_REVIEWER),
    }


@time_machine.travel(NOW)
def test_it_refuses_to_let_a_trainer_plan_reviews(tenant):
    with pytest.raises(PermissionDenied):
        services.review_create(
            user=tenant.user(Role.STATE_TRAINER),
            agency=tenant.agency,
            scale=standard(),
            kind="baseline",
            visit_start=START,
            visit_end=START,
            reviewers=[tenant.user(Role.FIDELITY_REVIEWER)],
        )
    assert not FidelityReview.objects.exists()


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"visit_end": START - datetime.timedelta(days=1)}, "visit_end", "before its first"),
        ({"visit_end": START + datetime.timedelta(days=14)}, "visit_end", "would last 15"),
        ({"visit_start": datetime.date(1999, 12, 31)}, "visit_start", "2000 or later"),
        ({"visit_start": datetime.date(2029, 1, 1)}, "visit_start", "two years ahead"),
        ({"kind": "monthly"}, "kind", "kind of review"),
        ({"scale": None}, "scale", "Choose a fidelity scale"),
        ({"reviewers": []}, "reviewers", "at least one reviewer"),
    ],
)
def test_it_names_the_field_of_a_bad_plan_and_saves_nothing(tenant, change, field, words):
    values = {
        "user": tenant.user(Role.STATE_ADMIN),
        "agency": tenant.agency,
        "scale": standard(),
        "kind": "baseline",
        "visit_start": START,
        "visit_end": START + datetime.timedelta(days=1),
        "reviewers": [tenant.user(Role.STATE_TRAINER)],
        **change,
    }
    if change.get("visit_start"):
        values["visit_end"] = change["visit_start"]
    with pytest.raises(ValidationError) as caught:
        services.review_create(**values)
    assert words in " ".join(caught.value.message_dict[field])
    assert not FidelityReview.objects.exists()


@time_machine.travel(NOW)
def test_it_refuses_a_reviewer_not_assigned_to_the_agency(tenant):
    elsewhere = tenant.elsewhere_users[Role.STATE_TRAINER]
    with pytest.raises(ValidationError) as caught:
        plan(tenant, reviewers=[tenant.user(Role.STATE_TRAINER), elsewhere])
    assert elsewhere.display_name in caught.value.message_dict["reviewers"][0]
    assert not FidelityReview.objects.exists()


@time_machine.travel(NOW)
def test_it_hides_each_reviewers_ratings_until_both_have_submitted(tenant):
    review = plan(tenant)
    trainer, reviewer = tenant.user(Role.STATE_TRAINER), tenant.user(Role.FIDELITY_REVIEWER)
    admin, supervisor = tenant.user(Role.STATE_ADMIN), tenant.user(Role.IPS_SUPERVISOR)
    services.my_ratings_save(user=trainer, review=review, ratings=sheet(4), version=None)
    assert fresh(review).status == ReviewStatus.IN_PROGRESS

    def seen(user) -> set:
        return set(access.visible_ratings(user, review).values_list("reviewer__user", flat=True))

    assert seen(trainer) == {trainer.pk}
    assert seen(reviewer) == set()  # the other reviewer sees nothing of it
    assert seen(admin) == set()
    assert seen(supervisor) == set()
    services.my_ratings_save(user=reviewer, review=review, ratings=sheet(3), version=None)
    services.my_ratings_submit(user=trainer, review=review)
    assert fresh(review).status == ReviewStatus.IN_PROGRESS
    assert seen(trainer) == {trainer.pk}  # submitting alone opens nothing
    assert seen(reviewer) == {reviewer.pk}
    services.my_ratings_submit(user=reviewer, review=review)
    assert fresh(review).status == ReviewStatus.RECONCILING
    assert seen(trainer) == seen(reviewer) == seen(admin) == {trainer.pk, reviewer.pk}
    assert seen(supervisor) == set()
    # A trainer of the agency who is not a reviewer reads the consensus, not the sheets.
    assert seen(tenant.elsewhere_users[Role.FIDELITY_REVIEWER]) == set()


@time_machine.travel(NOW)
def test_it_refuses_ratings_from_someone_who_is_not_a_reviewer_of_the_review(tenant):
    review = plan(tenant, reviewers=[tenant.user(Role.FIDELITY_REVIEWER)])
    trainer = tenant.user(Role.STATE_TRAINER)  # of the agency, not on this review
    found = access.access_review(trainer, review.pk)
    assert not found.can_score and found.sheet is None
    with pytest.raises(PermissionDenied):
        services.my_ratings_save(user=trainer, review=review, ratings=sheet(4), version=None)
    assert not ReviewerRating.objects.exists()
    with pytest.raises(Http404):
        access.access_review(tenant.elsewhere_users[Role.STATE_TRAINER], review.pk)


@time_machine.travel(NOW)
def test_it_refuses_a_submit_with_items_left_unrated_and_names_how_many(tenant):
    review = plan(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    services.my_ratings_save(
        user=trainer, review=review, ratings=sheet(4, only=keys()[:22]), version=None
    )
    with pytest.raises(ValidationError) as caught:
        services.my_ratings_submit(user=trainer, review=review)
    assert "3 are not rated" in caught.value.message_dict["ratings"][0]
    assert review.reviewers.get(user=trainer).submitted_at is None


@time_machine.travel(NOW)
def test_it_refuses_a_save_based_on_an_older_version_of_the_sheet(tenant):
    review = plan(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    first = services.my_ratings_save(
        user=trainer, review=review, ratings=sheet(4, only=keys()[:1]), version=1
    )
    assert first.version == 2
    with pytest.raises(services.ReviewStale):
        services.my_ratings_save(
            user=trainer, review=review, ratings=sheet(1, only=keys()[:1]), version=1
        )
    assert ReviewerRating.objects.get(reviewer=first).rating == 4


@time_machine.travel(NOW)
def test_it_refuses_a_rating_out_of_range_naming_the_item(tenant):
    review = plan(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    bad = {keys()[0]: {"rating": 6}, "no_such_item": {"rating": 3}}
    with pytest.raises(ValidationError) as caught:
        services.my_ratings_save(user=trainer, review=review, ratings=bad, version=None)
    problems = " ".join(caught.value.message_dict["ratings"])
    assert "Caseload size: the rating is a whole number from 1 to 5" in problems
    assert "no_such_item: no item" in problems
    assert not ReviewerRating.objects.exists()


@time_machine.travel(NOW)
def test_it_opens_the_consensus_only_once_every_reviewer_has_submitted(tenant):
    review = plan(tenant)
    admin = tenant.user(Role.STATE_ADMIN)
    with pytest.raises(services.ReviewStateError):
        services.consensus_save(user=admin, review=review, ratings=sheet(4), version=None)
    review = rate_and_submit(tenant, review)
    review = services.consensus_save(
        user=admin, review=review, ratings=sheet(4, only=keys()[:24]), version=review.version
    )
    assert review.total is None and review.band == ""
    assert review.section_totals["staffing"]["total"] == 12
    with pytest.raises(ValidationError):
        services.consensus_complete(user=admin, review=review)
    review = services.consensus_save(
        user=admin, review=review, ratings=sheet(4, only=keys()[24:]), version=review.version
    )
    assert (review.total, review.band) == (100, "good")
    review = services.consensus_complete(user=admin, review=review)
    assert review.status == ReviewStatus.DRAFT_REPORT


@time_machine.travel(NOW)
def test_it_goes_straight_to_the_consensus_for_a_single_reviewer(tenant):
    review = plan(tenant, reviewers=[tenant.user(Role.FIDELITY_REVIEWER)])
    review = services.review_start(user=tenant.user(Role.FIDELITY_REVIEWER), review=review)
    assert review.status == ReviewStatus.RECONCILING


@time_machine.travel(NOW)
def test_it_needs_a_summary_to_finalize_and_finalizes_once(tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    review = rate_and_submit(tenant, plan(tenant))
    review = services.consensus_save(user=admin, review=review, ratings=sheet(3), version=None)
    review = services.consensus_complete(user=admin, review=review)
    with pytest.raises(ValidationError) as caught:
        services.review_finalize(user=admin, review=review, summary=" ", version=None)
    assert "summary" in caught.value.message_dict
    final = services.review_finalize(
        user=admin, review=review, summary="Solid start.", version=None
    )
    assert final.status == ReviewStatus.FINAL and final.total == 75 and final.band == "fair"
    with pytest.raises(services.ReviewStateError, match="finalized this review already"):
        services.review_finalize(user=admin, review=review, summary="Again", version=None)
    # Final-only readers read it now, not before.
    assert access.access_review(tenant.user(Role.IPS_SUPERVISOR), review.pk).review == final


@time_machine.travel(NOW)
def test_it_keeps_a_review_before_final_from_final_only_readers(tenant):
    review = plan(tenant)
    for role in (Role.IPS_SUPERVISOR, Role.VR_LIAISON, Role.AGENCY_LEADER):
        with pytest.raises(Http404):
            access.access_review(tenant.user(role), review.pk)
    assert access.access_review(tenant.user(Role.STATE_TRAINER), review.pk).sheet is not None


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_simultaneous_finalizers_win(tenant):
    install_standard_scales()  # an earlier test that committed emptied the database
    admin = tenant.user(Role.STATE_ADMIN)
    review = rate_and_submit(tenant, plan(tenant))
    services.consensus_save(user=admin, review=review, ratings=sheet(5), version=None)
    services.consensus_complete(user=admin, review=fresh(review))
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def finalize(user):
        try:
            barrier.wait()
            services.review_finalize(user=user, review=fresh(review), summary="Done", version=None)
            outcomes.append("won")
        except services.ReviewStateError:
            outcomes.append("told")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=finalize, args=(admin,)),
        threading.Thread(target=finalize, args=(tenant.user(Role.FIDELITY_REVIEWER),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["told", "won"]
    assert fresh(review).status == ReviewStatus.FINAL


def _final(tenant, rating: int, start: datetime.date):
    admin = tenant.user(Role.STATE_ADMIN)
    review = services.review_create(
        user=admin,
        agency=tenant.agency,
        scale=standard(),
        kind="follow_up",
        visit_start=start,
        visit_end=start,
        reviewers=[tenant.user(Role.FIDELITY_REVIEWER)],
    )
    review = services.review_start(user=admin, review=review)
    review = services.consensus_save(user=admin, review=review, ratings=sheet(rating), version=None)
    review = services.consensus_complete(user=admin, review=review)
    return services.review_finalize(user=admin, review=review, summary="Read.", version=None)


@time_machine.travel(NOW)
@pytest.mark.parametrize(("rating", "good"), [(3, False), (4, True)])
def test_it_relaxes_the_steering_cadence_once_a_final_review_reaches_good_fidelity(
    tenant, rating, good
):
    from agencies import selectors_steering
    from fidelity import selectors

    assert selectors.good_fidelity_reached(tenant.agency) is False
    final = _final(tenant, rating, datetime.date(2026, 3, 2))
    assert final.total == 25 * rating
    assert selectors.good_fidelity_reached(tenant.agency) is good
    status = selectors_steering.steering_status(tenant.agency, None)
    assert status.good_fidelity is good
    due = selectors.next_review_due(tenant.agency)
    assert due.date == datetime.date(2027 if good else 2026, 3 if good else 9, 2)


@time_machine.travel(NOW)
def test_it_refuses_a_consensus_save_based_on_an_older_version_and_keeps_the_first(tenant):
    admin, reviewer = tenant.user(Role.STATE_ADMIN), tenant.user(Role.FIDELITY_REVIEWER)
    review = rate_and_submit(tenant, plan(tenant))
    read = review.version
    first = {keys()[0]: {"rating": 5, "rationale": "the admin's"}}
    services.consensus_save(user=admin, review=review, ratings=first, version=read)
    second = {keys()[0]: {"rating": 2, "rationale": "the reviewer's"}}
    with pytest.raises(services.ReviewStale):
        services.consensus_save(user=reviewer, review=review, ratings=second, version=read)
    kept = review.consensus.get()
    assert (kept.rating, kept.rationale) == (5, "the admin's")

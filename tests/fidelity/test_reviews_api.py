"""The fidelity reviews API: planning, each reviewer's own sheet (hidden from the others
until both have submitted), the consensus and the final report, through the same services
and access package as the pages."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Role
from fidelity import services
from fidelity.models import ConsensusRating, FidelityReview, FidelityScale, ReviewerRating
from tests.factories import grant, make_agency, make_user

NOW = datetime.datetime(2026, 5, 4, 15, 0, tzinfo=datetime.UTC)
START = datetime.date(2026, 5, 12)
LIST = "/api/v1/fidelity-reviews/"

pytestmark = pytest.mark.usefixtures("at_now")


@pytest.fixture
def at_now():
    with time_machine.travel(NOW):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def standard() -> FidelityScale:
    return FidelityScale.objects.get(slug="ips-se", collaborative__isnull=True, version=1)


def keys() -> list[str]:
    return list(standard().items.order_by("number").values_list("key", flat=True))


def url(review, tail: str = "") -> str:
    return f"{LIST}{review.pk}/{tail}"


def plan(tenant, *, agency=None, start=START):
    return services.review_create(
        user=tenant.user(Role.STATE_ADMIN),
        agency=agency or tenant.agency,
        scale=standard(),
        kind="follow_up",
        visit_start=start,
        visit_end=start + datetime.timedelta(days=1),
        reviewers=[tenant.user(Role.STATE_TRAINER), tenant.user(Role.FIDELITY_REVIEWER)],
    )


def sheet(rating: int) -> dict:
    return {"ratings": {k: {"rating": rating, "evidence": f"seen {k}"} for k in keys()}}


def put_sheet(client, review, body) -> object:
    etag = client.get(url(review, "my-ratings/"))["ETag"]
    return client.put(url(review, "my-ratings/"), body, format="json", HTTP_IF_MATCH=etag)


def rate_and_submit(client, review, rating: int) -> None:
    assert put_sheet(client, review, sheet(rating)).status_code == 200
    assert client.post(url(review, "my-ratings/submit/")).status_code == 200


def reviewers(tenant):
    return api(tenant.user(Role.STATE_TRAINER)), api(tenant.user(Role.FIDELITY_REVIEWER))


def final_review(tenant):
    review = plan(tenant)
    trainer, reviewer = reviewers(tenant)
    rate_and_submit(trainer, review, 4)
    rate_and_submit(reviewer, review, 4)
    admin = api(tenant.user(Role.STATE_ADMIN))
    etag = admin.get(url(review, "consensus/"))["ETag"]
    body = {"ratings": {k: {"rating": 4, "rationale": "agreed"} for k in keys()}}
    assert (
        admin.put(url(review, "consensus/"), body, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )
    assert admin.post(url(review, "consensus/complete/")).status_code == 200
    etag = admin.get(url(review))["ETag"]
    answer = admin.post(
        url(review, "finalize/"), {"summary": "A good year."}, format="json", HTTP_IF_MATCH=etag
    )
    assert answer.status_code == 200, answer.content
    return FidelityReview.objects.get(pk=review.pk)


# ------------------------------------------------------------------------------------------
# The whole flow
# ------------------------------------------------------------------------------------------


def test_it_takes_a_review_from_plan_to_final(tenant):
    admin = api(tenant.user(Role.STATE_ADMIN))
    created = admin.post(
        LIST,
        {
            "agency": str(tenant.agency.pk),
            "scale": str(standard().pk),
            "kind": "follow_up",
            "visit_start": "2026-05-12",
            "visit_end": "2026-05-13",
            "reviewers": [
                tenant.user(Role.STATE_TRAINER).email.upper(),
                tenant.user(Role.FIDELITY_REVIEWER).email,
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert created["ETag"] == '"v1"'
    assert body["status"] == "planned" and body["kind"] == "follow_up"
    assert sorted(body["reviewers"]) == sorted(
        [tenant.user(Role.STATE_TRAINER).email, tenant.user(Role.FIDELITY_REVIEWER).email]
    )
    assert body["total"] is None and body["agency"] == str(tenant.agency.pk)
    review = FidelityReview.objects.get(pk=body["id"])

    trainer, reviewer = reviewers(tenant)
    assert trainer.post(url(review, "start/")).json()["status"] == "in_progress"
    rate_and_submit(trainer, review, 4)
    rate_and_submit(reviewer, review, 3)
    assert admin.get(url(review)).json()["status"] == "reconciling"

    consensus = admin.get(url(review, "consensus/"))
    assert consensus.json() == {"ratings": {}, "version": consensus.json()["version"]}
    items = {k: {"rating": 4, "rationale": "both saw it", "strengths": "s"} for k in keys()}
    items[keys()[0]]["rating"] = 5
    saved = admin.put(
        url(review, "consensus/"),
        {"ratings": items},
        format="json",
        HTTP_IF_MATCH=consensus["ETag"],
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["ratings"][keys()[0]] == {
        "rating": 5,
        "rationale": "both saw it",
        "strengths": "s",
        "recommendations": "",
    }
    assert saved["ETag"] == f'"v{saved.json()["version"]}"'
    read = admin.get(url(review)).json()
    assert read["total"] == 101 and read["band"] == "good"
    assert sum(s["total"] for s in read["section_totals"].values()) == 101

    completed = trainer.post(url(review, "consensus/complete/"))
    assert completed.status_code == 200 and completed.json()["status"] == "draft_report"
    finalized = admin.post(
        url(review, "finalize/"),
        {"summary": "Strong on staffing."},
        format="json",
        HTTP_IF_MATCH=completed["ETag"],
    )
    assert finalized.status_code == 200, finalized.content
    assert finalized.json()["status"] == "final"
    assert finalized.json()["summary"] == "Strong on staffing."
    assert finalized.json()["finalized_at"]

    # The second of two finalizers (same If-Match) is told it is final already.
    again = reviewer.post(
        url(review, "finalize/"),
        {"summary": "Mine."},
        format="json",
        HTTP_IF_MATCH=completed["ETag"],
    )
    assert again.status_code == 409, again.content
    assert FidelityReview.objects.get(pk=review.pk).summary == "Strong on staffing."


def test_it_answers_409_to_a_start_of_a_review_already_started(tenant):
    review = plan(tenant)
    admin = api(tenant.user(Role.STATE_ADMIN))
    assert admin.post(url(review, "start/")).status_code == 200
    answer = admin.post(url(review, "start/"))
    assert answer.status_code == 409
    assert "already" in answer.json()["error"]["message"]


def test_it_answers_409_to_a_second_submit_and_400_naming_unrated_items(tenant):
    review = plan(tenant)
    trainer, _ = reviewers(tenant)
    partial = {"ratings": {keys()[0]: {"rating": 3, "evidence": ""}}}
    assert put_sheet(trainer, review, partial).status_code == 200
    unrated = trainer.post(url(review, "my-ratings/submit/"))
    assert unrated.status_code == 400
    assert "24 are not rated" in unrated.json()["error"]["fields"]["ratings"][0]
    rate_and_submit(trainer, review, 4)
    again = trainer.post(url(review, "my-ratings/submit/"))
    assert again.status_code == 409
    assert "already submitted" in again.json()["error"]["message"]


def test_it_lets_only_state_admins_plan_and_names_an_unknown_reviewer(tenant):
    body = {
        "agency": str(tenant.agency.pk),
        "scale": str(standard().pk),
        "kind": "baseline",
        "visit_start": "2026-05-12",
        "visit_end": "2026-05-12",
        "reviewers": [tenant.user(Role.FIDELITY_REVIEWER).email],
    }
    assert api(tenant.user(Role.STATE_TRAINER)).post(LIST, body, format="json").status_code == 403
    stranger = {**body, "reviewers": ["nobody@example.org"]}
    answer = api(tenant.user(Role.STATE_ADMIN)).post(LIST, stranger, format="json")
    assert answer.status_code == 400
    assert "nobody@example.org" in answer.json()["error"]["fields"]["reviewers"][0]
    assert not FidelityReview.objects.exists()
    assert api(tenant.user(Role.STATE_ADMIN)).post(LIST, body, format="json").status_code == 201


# ------------------------------------------------------------------------------------------
# Reviewer isolation and who may rate
# ------------------------------------------------------------------------------------------


def _sheets(client, review) -> dict:
    answer = client.get(url(review, "ratings/"))
    assert answer.status_code == 200, answer.content
    return {s["reviewer"]: s for s in answer.json()}


def test_it_hides_each_reviewers_ratings_until_both_have_submitted(tenant):
    review = plan(tenant)
    trainer, reviewer = reviewers(tenant)
    admin = api(tenant.user(Role.STATE_ADMIN))
    trainer_email = tenant.user(Role.STATE_TRAINER).email
    reviewer_email = tenant.user(Role.FIDELITY_REVIEWER).email
    rate_and_submit(trainer, review, 4)
    assert put_sheet(reviewer, review, sheet(2)).status_code == 200

    mine = _sheets(reviewer, review)
    assert set(mine) == {reviewer_email}
    assert {e["rating"] for e in mine[reviewer_email]["ratings"].values()} == {2}
    assert set(_sheets(trainer, review)) == {trainer_email}
    assert _sheets(admin, review) == {}
    assert "seen" not in admin.get(url(review)).content.decode()

    assert reviewer.post(url(review, "my-ratings/submit/")).status_code == 200
    for client in (trainer, reviewer, admin):
        both = _sheets(client, review)
        assert set(both) == {trainer_email, reviewer_email}
        assert {e["rating"] for e in both[trainer_email]["ratings"].values()} == {4}
        assert both[trainer_email]["submitted_at"]


def test_it_refuses_a_sheet_to_a_trainer_who_is_not_a_reviewer_of_the_review(tenant):
    review = plan(tenant)
    off = make_user(full_name="Trainer off the review")
    grant(off, tenant.collaborative, Role.STATE_TRAINER, [tenant.agency])
    outsider = api(off)
    assert outsider.get(url(review)).status_code == 200
    assert outsider.get(url(review, "my-ratings/")).status_code == 403
    answer = outsider.put(url(review, "my-ratings/"), sheet(4), format="json", HTTP_IF_MATCH='"v1"')
    assert answer.status_code == 403
    assert "reviewers" in answer.json()["error"]["message"]
    assert outsider.post(url(review, "my-ratings/submit/")).status_code == 403
    assert outsider.post(url(review, "start/")).status_code == 403
    assert not ReviewerRating.objects.exists()
    # Its positive twin: the trainer on the review saves the same sheet.
    trainer, _ = reviewers(tenant)
    assert put_sheet(trainer, review, sheet(4)).status_code == 200
    assert ReviewerRating.objects.count() == len(keys())


def test_it_answers_404_to_a_trainer_of_another_agency_and_another_collaborative(
    tenant, other_tenant
):
    review = plan(tenant)
    for user in (tenant.elsewhere_users[Role.STATE_TRAINER], other_tenant.user(Role.STATE_ADMIN)):
        client = api(user)
        assert client.get(url(review)).status_code == 404
        assert client.get(url(review, "ratings/")).status_code == 404
        assert client.get(url(review, "consensus/")).status_code == 404
        put = client.put(url(review, "my-ratings/"), sheet(4), format="json", HTTP_IF_MATCH='"v1"')
        assert put.status_code == 404
        assert client.post(url(review, "start/")).status_code == 404
        assert client.get(LIST).json()["count"] == 0
    assert api(tenant.user(Role.STATE_ADMIN)).get(LIST).json()["count"] == 1
    assert not ReviewerRating.objects.exists()


def test_it_refuses_a_stale_or_missing_if_match_and_changes_nothing(tenant):
    review = plan(tenant)
    trainer, _ = reviewers(tenant)
    first = trainer.get(url(review, "my-ratings/"))
    assert first["ETag"] == '"v1"' and first.json()["ratings"] == {}
    assert put_sheet(trainer, review, sheet(4)).status_code == 200
    stale = trainer.put(url(review, "my-ratings/"), sheet(2), format="json", HTTP_IF_MATCH='"v1"')
    assert stale.status_code == 412
    assert "Nothing was saved" in stale.json()["error"]["message"]
    missing = trainer.put(url(review, "my-ratings/"), sheet(2), format="json")
    assert missing.status_code == 428
    assert set(ReviewerRating.objects.values_list("rating", flat=True)) == {4}

    rate_and_submit(api(tenant.user(Role.FIDELITY_REVIEWER)), review, 3)
    assert trainer.post(url(review, "my-ratings/submit/")).status_code == 200
    admin = api(tenant.user(Role.STATE_ADMIN))
    etag = admin.get(url(review, "consensus/"))["ETag"]
    body = {"ratings": {keys()[0]: {"rating": 3}}}
    assert (
        admin.put(url(review, "consensus/"), body, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )
    stale = admin.put(url(review, "consensus/"), {"ratings": {}}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert ConsensusRating.objects.count() == 1
    stale_final = admin.post(
        url(review, "finalize/"), {"summary": "x"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale_final.status_code == 412
    assert FidelityReview.objects.get(pk=review.pk).status == "reconciling"


@pytest.mark.parametrize(
    ("entry_key", "entry", "words", "code"),
    [
        # Outside the scale's range, or a key the scale lacks: 422 (it depends on the scale).
        (0, {"rating": 6, "evidence": ""}, "Staffing 1. ", 422),
        (0, {"rating": "4", "evidence": ""}, "whole number from 1 to 5", 400),
        (None, {"rating": 3, "evidence": ""}, "not-an-item: no item", 422),
    ],
)
def test_it_refuses_a_bad_rating_naming_the_item_and_saves_nothing(
    tenant, entry_key, entry, words, code
):
    review = plan(tenant)
    trainer, _ = reviewers(tenant)
    key = keys()[entry_key] if entry_key is not None else "not-an-item"
    body = {"ratings": {keys()[1]: {"rating": 3, "evidence": "fine"}, key: entry}}
    answer = put_sheet(trainer, review, body)
    assert answer.status_code == code
    (message,) = answer.json()["error"]["fields"]["ratings"]
    assert words in message
    assert not ReviewerRating.objects.exists()
    assert trainer.get(url(review, "my-ratings/"))["ETag"] == '"v1"'


@pytest.mark.parametrize("role", [Role.VR_LIAISON, Role.IPS_SUPERVISOR, Role.AGENCY_LEADER])
def test_it_shows_a_review_to_final_only_readers_once_it_is_final(tenant, role):
    review = plan(tenant)
    reader = api(tenant.user(role))
    assert reader.get(url(review)).status_code == 404
    assert reader.get(url(review, "consensus/")).status_code == 404
    assert reader.get(LIST).json()["count"] == 0
    final = final_review(tenant)
    assert reader.get(url(final)).status_code == 200
    assert reader.get(url(final, "consensus/")).json()["ratings"][keys()[0]]["rating"] == 4
    assert [r["id"] for r in reader.get(LIST).json()["results"]] == [str(final.pk)]
    assert reader.post(url(final, "finalize/"), {}, format="json").status_code == 403


# ------------------------------------------------------------------------------------------
# The list
# ------------------------------------------------------------------------------------------


def test_it_filters_the_list(tenant):
    final = final_review(tenant)
    draft = plan(tenant, start=START + datetime.timedelta(days=20))
    admin = api(tenant.user(Role.STATE_ADMIN))

    def ids(**query) -> set[str]:
        answer = admin.get(LIST, query)
        assert answer.status_code == 200, answer.content
        return {r["id"] for r in answer.json()["results"]}

    assert ids() == {str(final.pk), str(draft.pk)}
    assert ids(status="final") == {str(final.pk)}
    assert ids(kind="baseline") == set()
    assert ids(agency=str(tenant.agency.pk)) == {str(final.pk), str(draft.pk)}
    assert ids(agency=str(tenant.other_agency.pk)) == set()
    assert ids(visit_after="2026-05-20") == {str(draft.pk)}
    assert ids(visit_before="2026-05-20") == {str(final.pk)}
    assert admin.get(LIST, {"status": "done"}).status_code == 400


def test_it_runs_the_same_number_of_queries_for_2_and_50_reviews(tenant):
    admin = api(tenant.user(Role.STATE_ADMIN))
    second = make_agency(tenant.collaborative, "Second Agency")
    grant(tenant.user(Role.STATE_TRAINER), tenant.collaborative, Role.STATE_TRAINER, [second])
    plan(tenant)
    plan(tenant, start=START + datetime.timedelta(days=3))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin.get(LIST)
        assert response.status_code == 200
        return len(queries)

    with_two = count()
    for n in range(48):
        plan(tenant, start=START + datetime.timedelta(days=4 + n))
    assert FidelityReview.objects.count() == 50
    assert count() == with_two


# ------------------------------------------------------------------------------------------
# The agency's next review
# ------------------------------------------------------------------------------------------


def test_it_gives_each_agency_its_next_review_due_date(tenant):
    agency = tenant.agency
    agency.implementation_start_date = datetime.date(2026, 1, 15)
    agency.save(update_fields=["implementation_start_date"])
    admin = api(tenant.user(Role.STATE_ADMIN))

    def due() -> dict:
        rows = admin.get("/api/v1/agencies/").json()["results"]
        return {r["id"]: r["next_fidelity_review_due"] for r in rows}

    assert due() == {str(agency.pk): "2026-07-15", str(tenant.other_agency.pk): None}
    final_review(tenant)  # 100 (good fidelity): the next one a year after the visit ended
    assert due()[str(agency.pk)] == "2027-05-13"
    detail = admin.get(f"/api/v1/agencies/{agency.pk}/").json()
    assert detail["next_fidelity_review_due"] == "2027-05-13"


# ------------------------------------------------------------------------------------------
# What the schema says
# ------------------------------------------------------------------------------------------


def test_it_documents_if_match_on_the_sheet_the_consensus_and_finalize():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    base = "/api/v1/fidelity-reviews/{id}/"
    for path, method in (
        ("my-ratings/", "put"),
        ("consensus/", "put"),
        ("finalize/", "post"),
    ):
        operation = paths[base + path][method]
        (if_match,) = [p for p in operation["parameters"] if p["name"] == "If-Match"]
        assert if_match["required"] is True
        assert {"409", "412", "428"} <= set(operation["responses"]), path
    assert "409" in paths[base + "start/"]["post"]["responses"]
    assert "put" not in paths[base]
    assert "403" in paths[base + "my-ratings/"]["get"]["responses"]


def test_it_changes_a_review_only_through_its_actions(tenant):
    review = plan(tenant)
    admin = api(tenant.user(Role.STATE_ADMIN))
    etag = admin.get(url(review))["ETag"]
    answer = admin.put(url(review), {"kind": "annual"}, format="json", HTTP_IF_MATCH=etag)
    assert answer.status_code == 405
    assert FidelityReview.objects.get(pk=review.pk).kind == "follow_up"


def test_it_plans_a_self_assessment_without_reviewers_but_no_other_kind(tenant):
    body = {
        "agency": str(tenant.agency.pk),
        "scale": str(standard().pk),
        "kind": "annual",
        "visit_start": "2026-05-12",
        "visit_end": "2026-05-12",
    }
    admin = api(tenant.user(Role.STATE_ADMIN))
    refused = admin.post(LIST, body, format="json")
    assert refused.status_code == 400
    assert "at least one reviewer" in refused.json()["error"]["fields"]["reviewers"][0]
    planned = admin.post(LIST, {**body, "kind": "self_assessment"}, format="json")
    assert planned.status_code == 201 and planned.json()["reviewers"] == []
    started = admin.post(url(FidelityReview.objects.get(), "start/"))
    assert started.json()["status"] == "reconciling"


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_simultaneous_finalizers_win_and_tells_the_other(tenant):
    from fidelity.scale_install import install_standard_scales

    install_standard_scales()  # an earlier test that committed emptied the database
    review = plan(tenant)
    trainer, reviewer = reviewers(tenant)
    rate_and_submit(trainer, review, 4)
    rate_and_submit(reviewer, review, 4)
    admin = api(tenant.user(Role.STATE_ADMIN))
    etag = admin.get(url(review, "consensus/"))["ETag"]
    body = {"ratings": {k: {"rating": 4} for k in keys()}}
    assert (
        admin.put(url(review, "consensus/"), body, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )
    etag = admin.post(url(review, "consensus/complete/"))["ETag"]
    answers: list[int] = []
    barrier = threading.Barrier(2)

    def finalize(client, summary):
        try:
            barrier.wait()
            answer = client.post(
                url(review, "finalize/"), {"summary": summary}, format="json", HTTP_IF_MATCH=etag
            )
            answers.append(answer.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=finalize, args=(admin, "By the admin")),
        threading.Thread(target=finalize, args=(reviewer, "By the reviewer")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 409]
    final = FidelityReview.objects.get(pk=review.pk)
    assert final.status == "final" and final.summary in ("By the admin", "By the reviewer")


def test_it_offers_no_put_on_a_review_itself(tenant):
    review = plan(tenant)
    admin = api(tenant.user(Role.STATE_ADMIN))
    answer = admin.options(url(review, ""))
    assert answer.status_code == 200
    assert "PUT" not in answer["Allow"] and "GET" in answer["Allow"]
    assert admin.put(url(review, ""), {}, format="json").status_code == 405
    # Its actions still take PUT.
    assert "PUT" in admin.options(url(review, "consensus/"))["Allow"]

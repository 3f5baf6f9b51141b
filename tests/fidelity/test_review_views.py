"""The fidelity review pages: planning, each reviewer's own sheet (hidden from the other),
the reconciliation side by side, finalizing; with the access cases."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role
from fidelity.models import FidelityReview, ReviewStatus
from tests.fidelity.test_reviews import NOW, keys, plan, standard

pytestmark = pytest.mark.django_db


def _url(name, review) -> str:
    return reverse(f"fidelity:{name}", kwargs={"review_id": review.pk})


def _sheet_post(rating: int, version: int, **extra) -> dict:
    data = {"version": str(version), **extra}
    for key in keys():
        data[f"rating-{key}"] = str(rating)
        data[f"evidence-{key}"] = f"Evidence {key}"
    return data


@time_machine.travel(NOW)
def test_it_lets_a_state_admin_plan_a_review_on_the_page(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    page = client.get(reverse("fidelity:review_new"), {"agency": tenant.agency.pk})
    assert page.status_code == 200
    trainer, reviewer = tenant.user(Role.STATE_TRAINER), tenant.user(Role.FIDELITY_REVIEWER)
    assert trainer.display_name in page.content.decode()
    answer = client.post(
        reverse("fidelity:review_new") + f"?agency={tenant.agency.pk}",
        {
            "scale": standard().pk,
            "kind": "baseline",
            "visit_start": "2026-05-12",
            "visit_end": "2026-05-13",
            "reviewers": [str(trainer.pk), str(reviewer.pk)],
        },
    )
    review = FidelityReview.objects.get()
    assert answer.status_code == 302 and answer["Location"] == review.get_absolute_url()
    assert {r.user for r in review.reviewers.all()} == {trainer, reviewer}


@time_machine.travel(NOW)
def test_it_keeps_the_plan_form_and_names_the_field_when_dates_are_wrong(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    answer = client.post(
        reverse("fidelity:review_new") + f"?agency={tenant.agency.pk}",
        {
            "scale": standard().pk,
            "kind": "baseline",
            "visit_start": "2026-05-12",
            "visit_end": "2026-05-10",
            "reviewers": [str(tenant.user(Role.STATE_TRAINER).pk)],
        },
    )
    assert answer.status_code == 400
    assert "cannot be before its first day" in answer.content.decode()
    assert not FidelityReview.objects.exists()


@pytest.mark.parametrize("role", [Role.STATE_TRAINER, Role.IPS_SUPERVISOR])
def test_it_refuses_the_plan_page_to_those_who_do_not_plan_reviews(client, tenant, role):
    client.force_login(tenant.user(role))
    assert client.get(reverse("fidelity:review_new")).status_code == 403


@time_machine.travel(NOW)
def test_it_walks_two_reviewers_through_rating_reconciling_and_finalizing(client, tenant):
    review = plan(tenant)
    trainer, reviewer = tenant.user(Role.STATE_TRAINER), tenant.user(Role.FIDELITY_REVIEWER)
    admin = tenant.user(Role.STATE_ADMIN)
    client.force_login(trainer)
    sheet = client.get(_url("my_ratings", review))
    assert sheet.status_code == 200 and "0 of 25 items rated" in sheet.content.decode()
    saved = client.post(_url("my_ratings", review), _sheet_post(4, 1, then="submit"))
    assert saved.status_code == 302 and saved["Location"] == _url("my_ratings_submit", review)
    assert client.post(_url("my_ratings_submit", review)).status_code == 302

    # The other reviewer sees nothing of the trainer's ratings, on any page.
    client.force_login(reviewer)
    for name in ("review", "my_ratings"):
        assert "Evidence caseload_size" not in client.get(_url(name, review)).content.decode()
    answer = client.get(_url("review_reconcile", review))
    assert answer.status_code == 302  # not open before every reviewer has submitted
    client.post(_url("my_ratings", review), _sheet_post(3, 1))
    client.post(_url("my_ratings_submit", review))
    assert FidelityReview.objects.get(pk=review.pk).status == ReviewStatus.RECONCILING

    client.force_login(admin)
    page = client.get(_url("review_reconcile", review)).content.decode()
    assert "25</strong> items where the reviewers differ" in page
    assert page.count("Ratings differ") == 25
    version = FidelityReview.objects.get(pk=review.pk).version
    data = {"version": str(version), "then": "complete"}
    for key in keys():
        data[f"rating-{key}"] = "4"
        data[f"rationale-{key}"] = "Agreed after talking"
    saved = client.post(_url("review_reconcile", review), data)
    assert saved["Location"] == _url("review_reconcile_complete", review)
    client.post(_url("review_reconcile_complete", review))
    done = client.post(
        _url("review_finalize", review),
        {"version": str(FidelityReview.objects.get(pk=review.pk).version), "summary": "Good."},
    )
    assert done.status_code == 302
    final = FidelityReview.objects.get(pk=review.pk)
    assert (final.status, final.total, final.band) == (ReviewStatus.FINAL, 100, "good")

    # The supervisor reads the final report, not the reviewers' own evidence.
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    report = client.get(_url("review", review)).content.decode()
    assert "Total <strong>100</strong>: <strong>Good fidelity</strong>" in report
    assert "Evidence caseload_size" not in report


@time_machine.travel(NOW)
def test_it_keeps_what_was_typed_when_a_rating_save_is_stale(client, tenant):
    review = plan(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    client.post(_url("my_ratings", review), _sheet_post(4, 1))
    stale = client.post(_url("my_ratings", review), _sheet_post(2, 1))
    assert stale.status_code == 400
    body = stale.content.decode()
    assert "Nothing was saved" in body and "Evidence caseload_size" in body
    assert re.search(r'value="2"\s+checked', body)


@time_machine.travel(NOW)
def test_it_answers_404_to_final_only_readers_and_outsiders_before_final(
    client, tenant, other_tenant
):
    review = plan(tenant)
    for user in (
        tenant.user(Role.IPS_SUPERVISOR),
        tenant.elsewhere_users[Role.STATE_TRAINER],
        other_tenant.user(Role.STATE_ADMIN),
    ):
        client.force_login(user)
        assert client.get(_url("review", review)).status_code == 404
    client.force_login(tenant.user(Role.STATE_TRAINER))
    assert client.get(_url("review", review)).status_code == 200


@time_machine.travel(NOW)
def test_it_refuses_a_sheet_to_a_trainer_not_on_the_review(client, tenant):
    review = plan(tenant, reviewers=[tenant.user(Role.FIDELITY_REVIEWER)])
    client.force_login(tenant.user(Role.STATE_TRAINER))
    assert client.get(_url("review", review)).status_code == 200
    assert client.get(_url("my_ratings", review)).status_code == 403
    assert client.post(_url("my_ratings", review), _sheet_post(4, 1)).status_code == 403


@time_machine.travel(NOW)
def test_it_lists_reviews_with_the_same_queries_for_2_and_50(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("fidelity:reviews")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        plan(tenant)
    two = count()
    for _ in range(48):
        plan(tenant)
    assert count() == two


@time_machine.travel(NOW)
def test_it_shows_the_next_review_due_on_the_agency_page(client, tenant):
    tenant.agency.implementation_start_date = datetime.date(2026, 1, 5)
    tenant.agency.save()
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    page = client.get(tenant.agency.get_absolute_url()).content.decode()
    assert "Next review due by <strong>July 5, 2026</strong>" in page

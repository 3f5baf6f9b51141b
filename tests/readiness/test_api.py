import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Role
from readiness import services
from readiness.models import ReadinessVisit
from tests.factories import make_agency
from tests.readiness.helpers import make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _detail(visit) -> str:
    return reverse("readinessvisit-detail", args=[visit.pk])


def test_it_lists_drafts_only_to_roles_that_see_drafts(api, tenant):
    draft, final = make_visit(tenant), make_visit(tenant, final=True)
    for role, expected in [
        (Role.STATE_TRAINER, {draft.pk, final.pk}),
        (Role.FIDELITY_REVIEWER, {draft.pk, final.pk}),
        (Role.IPS_SUPERVISOR, {final.pk}),
        (Role.VR_LIAISON, {final.pk}),
        (Role.EMPLOYMENT_SPECIALIST, set()),
    ]:
        api.force_authenticate(tenant.user(role))
        rows = api.get(reverse("readinessvisit-list")).json()["results"]
        assert {r["id"] for r in rows} == {str(pk) for pk in expected}, role
    api.force_authenticate(tenant.user(Role.IPS_SUPERVISOR))
    assert api.get(_detail(draft)).status_code == 404
    body = api.get(_detail(final)).json()
    assert body["status"] == "final" and len(body["ratings"]) == 10
    assert body["recipients"][1] == {
        "name": "Vic Counselor",
        "email": "vic.counselor@example.org",
        "role": "VR counselor",
        "vr_copy": True,
    }


def _if_match(version: int) -> dict:
    return {"If-Match": f'"v{version}"'}


def test_it_answers_404_to_another_collaborative(api, tenant, other_tenant):
    final = make_visit(tenant, final=True)
    api.force_authenticate(other_tenant.user(Role.STATE_ADMIN))
    assert api.get(reverse("readinessvisit-list")).json()["results"] == []
    assert api.get(_detail(final)).status_code == 404
    response = api.patch(
        _detail(final), {"barriers": "x"}, "json", headers=_if_match(final.version)
    )
    assert response.status_code == 404
    response = api.post(
        reverse("readinessvisit-list"), {"agency": str(tenant.agency.pk)}, format="json"
    )
    assert response.status_code == 404
    assert not ReadinessVisit.objects.filter(collaborative=other_tenant.collaborative).exists()


def test_it_creates_updates_and_finalizes_a_visit(api, tenant, django_capture_on_commit_callbacks):
    trainer = tenant.user(Role.STATE_TRAINER)
    api.force_authenticate(trainer)
    response = api.post(
        reverse("readinessvisit-list"),
        {"agency": str(tenant.agency.pk), "barriers": "No budget"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["version"] == 1 and created["barriers"] == "No budget"
    visit = ReadinessVisit.objects.get(pk=created["id"])
    assert response["ETag"] == '"v1"'
    payload = {
        "ratings": [
            {"area_key": a.key, "rating": "ready", "notes": ""} for a in visit.checklist.areas
        ],
        "visitors": [{"user_email": trainer.email}, {"name": "Sam State", "affiliation": "DMH"}],
        "recipients": [{"name": "Dana", "email": "dana@example.org"}],
        "action_steps": [{"text": "Hire", "owner": "HR", "target_date": "2030-01-01"}],
    }
    response = api.patch(_detail(visit), payload, format="json", headers={"If-Match": '"v1"'})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert response["ETag"] == f'"v{body["version"]}"' == '"v2"'
    assert body["rated_count"] == 10 and body["ready_count"] == 10
    assert [v["is_portal_user"] for v in body["visitors"]] == [True, False]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("readinessvisit-finalize", args=[visit.pk]),
            {},
            format="json",
            headers={"If-Match": response["ETag"]},
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "final"
    read = api.get(_detail(visit)).json()
    assert read["report_ready"]  # rendered after the commit
    assert read["email_sent_at"] is not None
    assert len(mail.outbox) == 1  # one recipient


def test_it_answers_412_to_a_stale_update_and_428_without_if_match(api, tenant):
    visit = make_visit(tenant)  # version 2: created, then saved once
    api.force_authenticate(tenant.user(Role.STATE_ADMIN))
    response = api.patch(_detail(visit), {"barriers": "Stale"}, format="json", headers=_if_match(1))
    assert response.status_code == 412
    error = response.json()["error"]
    assert error["code"] == "precondition_failed" and "were not saved" in error["message"]
    response = api.patch(_detail(visit), {"barriers": "Blind"}, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    visit.refresh_from_db()
    assert visit.barriers not in ("Stale", "Blind") and visit.version == 2
    # Its twin: the current ETag writes.
    tag = api.get(_detail(visit))["ETag"]
    assert tag == '"v2"'
    assert api.get(_detail(visit), headers={"If-None-Match": tag}).status_code == 304
    response = api.patch(
        _detail(visit), {"barriers": "Fresh"}, format="json", headers={"If-Match": tag}
    )
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.barriers == "Fresh" and visit.version == 3


def test_it_refuses_forged_ratings_future_dates_and_bad_emails_with_field_errors(api, tenant):
    visit = make_visit(tenant)
    api.force_authenticate(tenant.user(Role.STATE_TRAINER))
    response = api.patch(
        _detail(visit),
        {
            "ratings": [{"area_key": "vr_partnership", "rating": "superb"}],
        },
        format="json",
        headers=_if_match(visit.version),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ratings"] == [
        "“VR partnership”: choose Ready or Work is needed."
    ]
    tomorrow = tenant.collaborative.today() + datetime.timedelta(days=1)
    response = api.patch(
        _detail(visit),
        {"visit_date": tomorrow.isoformat()},
        format="json",
        headers=_if_match(visit.version),
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.json()["error"]["fields"]["visit_date"][0]
    response = api.patch(
        _detail(visit),
        {"recipients": [{"name": "X", "email": "x@"}]},
        format="json",
        headers=_if_match(visit.version),
    )
    assert response.status_code == 400
    assert "recipients" in response.json()["error"]["fields"]
    visit.refresh_from_db()
    assert visit.version == 2


def test_it_refuses_writes_to_readers_with_403(api, tenant):
    draft, final = make_visit(tenant), make_visit(tenant, final=True)
    api.force_authenticate(tenant.user(Role.FIDELITY_REVIEWER))
    response = api.patch(_detail(draft), {}, format="json", headers=_if_match(draft.version))
    assert response.status_code == 403
    api.force_authenticate(tenant.user(Role.IPS_SUPERVISOR))
    response = api.post(
        reverse("readinessvisit-finalize", args=[final.pk]), {}, format="json", headers=_if_match(1)
    )
    assert response.status_code == 403
    response = api.post(
        reverse("readinessvisit-list"), {"agency": str(tenant.agency.pk)}, format="json"
    )
    assert response.status_code == 403


def test_it_lists_finalize_problems_by_name(api, tenant):
    api.force_authenticate(tenant.user(Role.STATE_TRAINER))
    visit = services.visit_create(user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency)
    response = api.post(
        reverse("readinessvisit-finalize", args=[visit.pk]), {}, format="json", headers=_if_match(1)
    )
    # The request is well formed; the visit's state refuses it.
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    problems = response.json()["error"]["fields"]["finalize"]
    assert "Rate the area “Client participation in implementation”." in problems


def test_it_serves_the_checklists_of_the_users_collaboratives(api, tenant, other_tenant):
    definition = {**services.checklist_current(collaborative=tenant.collaborative).definition}
    definition["slug"] = "home-adapted"
    adaptation, _ = services.checklist_install(
        definition=definition, collaborative=tenant.collaborative
    )
    api.force_authenticate(other_tenant.user(Role.STATE_TRAINER))
    slugs = [c["slug"] for c in api.get(reverse("readinesschecklist-list")).json()["results"]]
    assert slugs == ["ips-readiness"]
    assert api.get(reverse("readinesschecklist-detail", args=[adaptation.pk])).status_code == 404
    api.force_authenticate(tenant.user(Role.STATE_TRAINER))
    body = api.get(reverse("readinesschecklist-detail", args=[adaptation.pk])).json()
    assert [p["key"] for p in body["definition"]["parts"]] == [
        "leadership",
        "employment_team",
        "clients",
    ]


def _list_queries(api, tenant, count: int) -> int:
    admin = tenant.user(Role.STATE_ADMIN)
    for _ in range(count):
        make_visit(tenant, agency=make_agency(tenant.collaborative), user=admin, final=True)
    api.force_authenticate(admin)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(reverse("readinessvisit-list"))
    assert response.json()["count"] == count
    return len(queries)


def test_it_lists_visits_in_the_same_number_of_queries_for_2_or_50(api, tenant, other_tenant):
    assert _list_queries(api, tenant, 2) == _list_queries(api, other_tenant, 50)

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


def test_it_answers_404_to_another_collaborative(api, tenant, other_tenant):
    final = make_visit(tenant, final=True)
    api.force_authenticate(other_tenant.user(Role.STATE_ADMIN))
    assert api.get(reverse("readinessvisit-list")).json()["results"] == []
    assert api.get(_detail(final)).status_code == 404
    response = api.patch(_detail(final), {"version": final.version, "barriers": "x"}, "json")
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
    payload = {
        "version": created["version"],
        "ratings": [
            {"area_key": a.key, "rating": "ready", "notes": ""} for a in visit.checklist.areas
        ],
        "visitors": [{"user_email": trainer.email}, {"name": "Sam State", "affiliation": "DMH"}],
        "recipients": [{"name": "Dana", "email": "dana@example.org"}],
        "action_steps": [{"text": "Hire", "owner": "HR", "target_date": "2030-01-01"}],
    }
    response = api.patch(_detail(visit), payload, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rated_count"] == 10 and body["ready_count"] == 10
    assert [v["is_portal_user"] for v in body["visitors"]] == [True, False]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("readinessvisit-finalize", args=[visit.pk]),
            {"version": body["version"]},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "final"
    assert api.get(_detail(visit)).json()["report_ready"]  # rendered after the commit
    assert len(mail.outbox) == 1


def test_it_answers_409_to_a_stale_update_and_writes_nothing(api, tenant):
    visit = make_visit(tenant)
    api.force_authenticate(tenant.user(Role.STATE_ADMIN))
    response = api.patch(_detail(visit), {"version": 1, "barriers": "Stale"}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict" and "were not saved" in error["message"]
    visit.refresh_from_db()
    assert visit.barriers != "Stale"


def test_it_refuses_forged_ratings_future_dates_and_bad_emails_with_field_errors(api, tenant):
    visit = make_visit(tenant)
    api.force_authenticate(tenant.user(Role.STATE_TRAINER))
    response = api.patch(
        _detail(visit),
        {
            "version": visit.version,
            "ratings": [{"area_key": "vr_partnership", "rating": "superb"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ratings"] == [
        "“VR partnership”: choose Ready or Work is needed."
    ]
    tomorrow = tenant.collaborative.today() + datetime.timedelta(days=1)
    response = api.patch(
        _detail(visit),
        {"version": visit.version, "visit_date": tomorrow.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.json()["error"]["fields"]["visit_date"][0]
    response = api.patch(
        _detail(visit),
        {"version": visit.version, "recipients": [{"name": "X", "email": "x@"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "recipients" in response.json()["error"]["fields"]
    visit.refresh_from_db()
    assert visit.version == 2


def test_it_refuses_writes_to_readers_with_403(api, tenant):
    draft, final = make_visit(tenant), make_visit(tenant, final=True)
    api.force_authenticate(tenant.user(Role.FIDELITY_REVIEWER))
    response = api.patch(_detail(draft), {"version": draft.version}, format="json")
    assert response.status_code == 403
    api.force_authenticate(tenant.user(Role.IPS_SUPERVISOR))
    response = api.post(
        reverse("readinessvisit-finalize", args=[final.pk]), {"version": 1}, format="json"
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
        reverse("readinessvisit-finalize", args=[visit.pk]), {"version": 1}, format="json"
    )
    assert response.status_code == 400
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

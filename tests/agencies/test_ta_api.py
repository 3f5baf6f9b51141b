"""The TA activity log API: the three access cases, ETag/If-Match on every write, filters,
bad input named by field with nothing saved, the compliance route, and query counts."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Role, TAActivity, TAActivityKind, TAAgreement

D = datetime.date
NOW = datetime.datetime(2026, 4, 20, 17, tzinfo=datetime.UTC)
ACTIVITIES = "/api/v1/ta-activities/"
READERS = [
    Role.FIDELITY_REVIEWER,
    Role.VR_LIAISON,
    Role.IPS_SUPERVISOR,
    Role.AGENCY_LEADER,
    Role.EMPLOYMENT_SPECIALIST,
]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _body(tenant, **overrides):
    body = {
        "agency": str(tenant.agency.pk),
        "date": "2026-04-14",
        "kind": "unit_meeting",
        "duration_minutes": 60,
        "notes": "Job development practice.",
    }
    body.update(overrides)
    return body


@pytest.fixture
def activity(tenant):
    with time_machine.travel(NOW):
        return services.ta_activity_log(
            user=tenant.user(Role.STATE_TRAINER),
            agency=tenant.agency,
            date=D(2026, 3, 4),
            kind=TAActivityKind.UNIT_MEETING,
            duration_minutes=90,
            notes="Referral flow.",
        )


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.STATE_TRAINER])
@time_machine.travel(NOW)
def test_it_lets_admins_and_trainers_log_change_and_remove_with_etags(tenant, role):
    user = tenant.user(role)
    client = _client(user)
    created = client.post(ACTIVITIES, _body(tenant), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["trainer"] == user.pk and body["duration_minutes"] == 60
    url = f"{ACTIVITIES}{body['id']}/"
    tag = created["ETag"]
    assert client.patch(url, {"duration_minutes": 75}, format="json").status_code == 428
    changed = client.patch(url, {"duration_minutes": 75}, format="json", HTTP_IF_MATCH=tag)
    assert changed.status_code == 200 and changed.json()["duration_minutes"] == 75
    assert changed.json()["notes"] == "Job development practice."
    stale = client.delete(url, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH=changed["ETag"]).status_code == 204
    assert not TAActivity.objects.exists()


@pytest.mark.parametrize("role", READERS)
@time_machine.travel(NOW)
def test_it_lets_the_other_roles_read_but_refuses_their_writes(tenant, role, activity):
    client = _client(tenant.user(role))
    listed = client.get(ACTIVITIES)
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["results"]] == [str(activity.pk)]
    url = f"{ACTIVITIES}{activity.pk}/"
    read = client.get(url)
    assert read.status_code == 200
    assert client.post(ACTIVITIES, _body(tenant), format="json").status_code == 403
    patched = client.patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert patched.status_code == 403
    assert client.delete(url, HTTP_IF_MATCH=read["ETag"]).status_code == 403
    activity.refresh_from_db()
    assert activity.notes == "Referral flow." and TAActivity.objects.count() == 1


@time_machine.travel(NOW)
def test_it_answers_404_outside_the_scope(tenant, other_tenant, activity):
    for user in (
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.IPS_SUPERVISOR],
        tenant.elsewhere_users[Role.STATE_TRAINER],
    ):
        client = _client(user)
        assert client.get(ACTIVITIES).json()["results"] == []
        assert client.get(f"{ACTIVITIES}{activity.pk}/").status_code == 404
        assert client.delete(f"{ACTIVITIES}{activity.pk}/", HTTP_IF_MATCH='"v1"').status_code == 404
        assert client.get(f"/api/v1/agencies/{tenant.agency.pk}/ta-compliance/").status_code == 404
    # An agency outside the caller's scope in the body answers 404, and nothing is saved.
    other = _client(other_tenant.user(Role.STATE_ADMIN))
    assert other.post(ACTIVITIES, _body(tenant), format="json").status_code == 404
    assert TAActivity.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": "2026-04-21"}, "date"),
        ({"date": "1999-01-01"}, "date"),
        ({"kind": "party"}, "kind"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 1441}, "duration_minutes"),
        ({"notes": "x" * 4001}, "notes"),
    ],
)
@time_machine.travel(NOW)
def test_it_names_the_field_of_bad_input_and_saves_nothing(tenant, overrides, field):
    response = _client(tenant.user(Role.STATE_TRAINER)).post(
        ACTIVITIES, _body(tenant, **overrides), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not TAActivity.objects.exists()


@time_machine.travel(NOW)
def test_it_filters_the_log(tenant, activity):
    trainer = tenant.user(Role.STATE_TRAINER)
    admin = tenant.user(Role.STATE_ADMIN)
    visit = services.ta_activity_log(
        user=admin,
        agency=tenant.agency,
        date=D(2026, 4, 2),
        kind=TAActivityKind.EMPLOYER_VISIT,
        duration_minutes=30,
    )
    client = _client(trainer)

    def ids(**query):
        body = client.get(ACTIVITIES, query).json()
        assert "results" in body, body
        return [a["id"] for a in body["results"]]

    assert ids() == [str(visit.pk), str(activity.pk)]
    assert ids(kind="employer_visit") == [str(visit.pk)]
    assert ids(date_after="2026-03-10") == [str(visit.pk)]
    assert ids(date_before="2026-03-10") == [str(activity.pk)]
    assert ids(trainer=str(trainer.pk)) == [str(activity.pk)]
    assert ids(agency=str(tenant.agency.pk)) == [str(visit.pk), str(activity.pk)]
    assert ids(agency=str(tenant.other_agency.pk)) == []
    assert client.get(ACTIVITIES, {"date_after": "soon"}).status_code == 400
    # A user id is a whole number no row's id can exceed; anything else is refused by name.
    for bad in ("6.6e196", "1.5", str(2**63), "0", "Sam"):
        refused = client.get(ACTIVITIES, {"trainer": bad})
        assert refused.status_code == 400 and "trainer" in refused.json()["error"]["fields"], bad
    assert ids(trainer=str(2**63 - 1)) == []


@time_machine.travel(NOW)
def test_it_reports_the_compliance_month_by_month(tenant, activity):
    url = f"/api/v1/agencies/{tenant.agency.pk}/ta-compliance/"
    client = _client(tenant.user(Role.EMPLOYMENT_SPECIALIST))
    empty = client.get(url).json()
    assert empty["agreement"] is None and empty["months"] == []
    agreement = TAAgreement.objects.create(
        collaborative=tenant.collaborative, agency=tenant.agency, start_date=D(2026, 3, 1)
    )
    body = client.get(url).json()
    assert body["agreement"]["id"] == str(agreement.pk) and body["agreement"]["signed"] is False
    assert [m["state"] for m in body["months"]] == [
        "ended",
        "in_progress",
        "upcoming",
        "upcoming",
        "upcoming",
        "upcoming",
    ]
    march = body["months"][0]
    assert march["summary"].startswith("March 2026: unit meeting yes, MH team meeting missing")
    assert march["checks"][0] == {
        "commitment": "unit_meeting",
        "state": "held",
        "dates": ["2026-03-04"],
        "block": None,
        "in_words": "held on March 4",
    }


def _list_queries(tenant, count):
    trainer = tenant.user(Role.STATE_TRAINER)
    TAActivity.objects.bulk_create(
        TAActivity(
            collaborative=tenant.collaborative,
            agency=tenant.agency,
            trainer=trainer,
            date=D(2026, 1, 1) + datetime.timedelta(days=n),
            kind=TAActivityKind.OTHER,
            duration_minutes=30,
        )
        for n in range(count)
    )
    client = _client(trainer)
    client.get(ACTIVITIES)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ACTIVITIES, {"page_size": 100})
    assert response.status_code == 200 and response.json()["count"] == count
    return len(queries)


def test_it_runs_the_same_number_of_queries_for_2_and_50_activities(tenant):
    few = _list_queries(tenant, 2)
    TAActivity.objects.all().delete()
    many = _list_queries(tenant, 50)
    assert few == many

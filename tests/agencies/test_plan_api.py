"""The implementation plan API: plans with steps and progress, steps with ETag/If-Match,
the three access cases, validation and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies import services
from agencies.models import ImplementationStep, Role

PLANS = "/api/v1/implementation-plans/"
STEPS = "/api/v1/implementation-steps/"
EDITORS = [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.IPS_SUPERVISOR]
READERS = [Role.VR_LIAISON, Role.AGENCY_LEADER, Role.FIDELITY_REVIEWER, Role.EMPLOYMENT_SPECIALIST]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _plan(tenant, *actions):
    trainer = tenant.user(Role.STATE_TRAINER)
    plan = services.implementation_plan_create(user=trainer, agency=tenant.agency)
    steps = services.implementation_steps_add(
        user=trainer, plan=plan, steps=[{"area": "funding", "action": a} for a in actions]
    )
    return plan, steps


def _fields(response) -> dict:
    return response.json()["error"]["fields"]


def _etag(client, step):
    response = client.get(f"{STEPS}{step.pk}/")
    assert response.status_code == 200
    return response["ETag"]


@pytest.mark.parametrize("role", EDITORS + READERS)
def test_everyone_of_the_agency_reads_the_plan_with_steps_and_progress(tenant, role):
    plan, (a, b) = _plan(tenant, "One", "Two")
    services.implementation_step_update(
        user=tenant.user(Role.STATE_TRAINER), step=a, data={"status": "done"}
    )
    client = _client(tenant.user(role))
    response = client.get(PLANS, {"agency": str(tenant.agency.pk)})
    assert response.status_code == 200
    [found] = response.json()["results"]
    assert found["id"] == str(plan.pk)
    assert [s["action"] for s in found["steps"]] == ["One", "Two"]
    assert found["progress"]["done"] == 1 and found["progress"]["applicable"] == 2
    assert client.get(f"{PLANS}{plan.pk}/").json()["progress"]["areas"][0]["area"] == "funding"


@pytest.mark.parametrize("role", EDITORS)
def test_editors_add_change_and_remove_steps_with_if_match(tenant, role):
    plan, _ = _plan(tenant)
    user = tenant.user(role)
    client = _client(user)
    created = client.post(
        STEPS,
        {"plan": str(plan.pk), "area": "training", "action": "Book training"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    step = ImplementationStep.objects.get(pk=created.json()["id"])
    assert step.status == ImplementationStep.Status.NOT_STARTED
    url = f"{STEPS}{step.pk}/"
    assert client.patch(url, {"notes": "x"}, format="json").status_code == 428
    tag = _etag(client, step)
    changed = client.patch(
        url, {"status": "in_progress", "notes": "Dates asked"}, format="json", HTTP_IF_MATCH=tag
    )
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] != tag
    # The old ETag no longer matches.
    stale = client.patch(url, {"notes": "Stale"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    step.refresh_from_db()
    assert (step.status, step.notes) == ("in_progress", "Dates asked")
    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH=changed["ETag"]).status_code == 200
    step.refresh_from_db()
    assert step.removed_by == user and step.removed_at is not None
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_readers_get_403_on_every_write(tenant, role):
    plan, (step,) = _plan(tenant, "Step")
    client = _client(tenant.user(role))
    tag = _etag(client, step)
    url = f"{STEPS}{step.pk}/"
    assert (
        client.post(
            STEPS, {"plan": str(plan.pk), "area": "funding", "action": "Sneaky"}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.patch(url, {"notes": "Sneaky"}, format="json", HTTP_IF_MATCH=tag).status_code == 403
    )
    assert client.delete(url, HTTP_IF_MATCH=tag).status_code == 403
    step.refresh_from_db()
    assert step.notes == "" and step.removed_at is None and plan.steps.count() == 1


def test_other_collaboratives_and_agencies_see_nothing_and_get_404(tenant, other_tenant):
    plan, (step,) = _plan(tenant, "Secret step")
    for user in (
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.IPS_SUPERVISOR],
    ):
        client = _client(user)
        assert "Secret step" not in client.get(PLANS).content.decode()
        assert "Secret step" not in client.get(STEPS).content.decode()
        assert client.get(f"{PLANS}{plan.pk}/").status_code == 404
        url = f"{STEPS}{step.pk}/"
        assert client.patch(
            url, {"notes": "x"}, format="json", HTTP_IF_MATCH='"x"'
        ).status_code in (400, 404)
        assert client.delete(url, HTTP_IF_MATCH='"0123456789abcdef0123"').status_code == 404
        created = client.post(
            STEPS, {"plan": str(plan.pk), "area": "funding", "action": "Hacked"}, format="json"
        )
        assert created.status_code == 404
        assert "plan" in created.json()["error"]["message"]
    assert plan.steps.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"action": ""}, "action"),
        ({"status": "archived"}, "status"),
        ({"target_date": "2027-02-30"}, "target_date"),
        ({"area": "nowhere"}, "area"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(tenant, body, field):
    plan, (step,) = _plan(tenant, "Keep")
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    tag = _etag(client, step)
    response = client.patch(
        f"{STEPS}{step.pk}/", {"notes": "Not kept", **body}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 400
    assert set(_fields(response)) == {field}
    step.refresh_from_db()
    assert step.action == "Keep" and step.notes == ""
    created = client.post(
        STEPS, {"plan": str(plan.pk), "area": "funding", "action": "New", **body}, format="json"
    )
    assert created.status_code == 400 and set(_fields(created)) == {field}
    assert plan.steps.count() == 1


def test_the_step_filters(tenant):
    plan, (late, done, later) = _plan(tenant, "Late", "Done", "Later")
    trainer = tenant.user(Role.STATE_TRAINER)
    past = datetime.date(2001, 1, 1)
    services.implementation_step_update(user=trainer, step=late, data={"target_date": past})
    services.implementation_step_update(
        user=trainer, step=done, data={"target_date": past, "status": "done"}
    )
    client = _client(tenant.user(Role.VR_LIAISON))

    def actions(**query):
        return sorted(s["action"] for s in client.get(STEPS, query).json()["results"])

    assert actions(plan=str(plan.pk)) == ["Done", "Late", "Later"]
    assert actions(agency=str(tenant.agency.pk), status="done") == ["Done"]
    assert actions(overdue="true") == ["Late"]
    assert actions(overdue="false") == ["Done", "Later"]
    assert client.get(STEPS, {"status": "archived"}).status_code == 400


def test_the_lists_make_as_many_queries_for_50_steps_as_for_2(tenant):
    plan, _ = _plan(tenant, "A", "B")
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    client.get(PLANS)
    counts = {}
    for n in (2, 50):
        if n == 50:
            services.implementation_steps_add(
                user=tenant.user(Role.STATE_TRAINER),
                plan=plan,
                steps=[{"area": "benefits", "action": f"Step {i}"} for i in range(48)],
            )
        with CaptureQueriesContext(connection) as plans:
            assert len(client.get(PLANS).json()["results"][0]["steps"]) == n
        with CaptureQueriesContext(connection) as steps:
            assert client.get(STEPS, {"page_size": 100}).json()["count"] == n
        counts[n] = (len(plans), len(steps))
    assert counts[2] == counts[50]

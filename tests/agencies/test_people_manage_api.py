"""The memberships API: the three access cases, the fields, ETag/If-Match, the filters,
refusals naming the field, and a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies.models import Membership, Role
from tests.factories import grant, make_user

R = Role
URL = "/api/v1/memberships/"
FIELDS = {"id", "user", "role", "agencies", "is_active", "created_at", "updated_at"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def membership(tenant, role) -> Membership:
    return Membership.objects.get(
        collaborative=tenant.collaborative, user=tenant.users[role], role=role
    )


def emails(response) -> set[str]:
    return {row["user"]["email"] for row in response.json()["results"]}


def test_it_lists_the_collaboratives_memberships_to_a_state_admin(tenant, other_tenant):
    response = api(tenant.user(R.STATE_ADMIN)).get(URL)
    assert response.status_code == 200
    found = emails(response)
    assert tenant.user(R.STATE_TRAINER).email in found
    assert other_tenant.user(R.STATE_TRAINER).email not in found
    row = response.json()["results"][0]
    assert set(row) == FIELDS
    assert set(row["user"]) == {"id", "name", "email"}


def test_it_lists_only_their_agencys_staff_to_a_supervisor(tenant):
    found = emails(api(tenant.user(R.IPS_SUPERVISOR)).get(URL))
    assert tenant.user(R.EMPLOYMENT_SPECIALIST).email in found
    assert tenant.user(R.STATE_TRAINER).email not in found
    assert tenant.other_agency_users[R.EMPLOYMENT_SPECIALIST].email not in found


@pytest.mark.parametrize(
    "role", [R.STATE_TRAINER, R.FIDELITY_REVIEWER, R.VR_LIAISON, R.AGENCY_LEADER]
)
def test_it_answers_403_to_roles_that_manage_nobody(tenant, role):
    client = api(tenant.user(role))
    assert client.get(URL).status_code == 403
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    assert client.get(f"{URL}{es.pk}/").status_code == 403


def test_it_answers_404_outside_the_scope(tenant, other_tenant):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    for user in (other_tenant.user(R.STATE_ADMIN), tenant.other_agency_users[R.IPS_SUPERVISOR]):
        client = api(user)
        assert client.get(f"{URL}{es.pk}/").status_code == 404
        response = client.patch(
            f"{URL}{es.pk}/", {"is_active": False}, format="json", HTTP_IF_MATCH='"v1"'
        )
        assert response.status_code == 404
    es.refresh_from_db()
    assert es.is_active


def test_it_changes_a_membership_with_if_match(tenant):
    trainer = membership(tenant, R.STATE_TRAINER)
    client = api(tenant.user(R.STATE_ADMIN))
    read = client.get(f"{URL}{trainer.pk}/")
    assert read["ETag"] == '"v1"'
    url = f"{URL}{trainer.pk}/"
    body = {"agencies": [str(tenant.other_agency.pk)]}
    assert client.patch(url, body, format="json").status_code == 428
    response = client.patch(url, body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200, response.json()
    assert response.json()["agencies"] == [str(tenant.other_agency.pk)]
    assert response["ETag"] == '"v2"'
    stale = client.patch(url, {"is_active": False}, format="json", HTTP_IF_MATCH='"v1"')
    assert stale.status_code == 412
    trainer.refresh_from_db()
    assert trainer.is_active and set(trainer.agencies.all()) == {tenant.other_agency}
    done = client.patch(url, {"is_active": False}, format="json", HTTP_IF_MATCH='"v2"')
    assert done.status_code == 200 and done.json()["is_active"] is False


def test_it_refuses_a_supervisor_a_state_role_or_another_agency_naming_the_field(tenant):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    client = api(tenant.user(R.IPS_SUPERVISOR))
    url = f"{URL}{es.pk}/"
    response = client.patch(url, {"role": "state_trainer"}, format="json", HTTP_IF_MATCH='"v1"')
    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]
    response = client.patch(
        url, {"agencies": [str(tenant.other_agency.pk)]}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert response.status_code == 400
    assert "agencies" in response.json()["error"]["fields"]
    es.refresh_from_db()
    assert es.role == R.EMPLOYMENT_SPECIALIST and es.version == 1
    ok = client.patch(url, {"role": "agency_leader"}, format="json", HTTP_IF_MATCH='"v1"')
    assert ok.status_code == 200 and ok.json()["role"] == "agency_leader"


def test_it_refuses_to_demote_the_last_state_admin_naming_the_field(tenant):
    own = membership(tenant, R.STATE_ADMIN)
    client = api(tenant.user(R.STATE_ADMIN))
    response = client.patch(
        f"{URL}{own.pk}/", {"is_active": False}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert response.status_code == 400
    assert "last active state admin" in " ".join(response.json()["error"]["fields"]["is_active"])


def test_it_filters_by_role_agency_state_and_text(tenant):
    client = api(tenant.user(R.STATE_ADMIN))
    es = tenant.user(R.EMPLOYMENT_SPECIALIST)
    assert emails(client.get(URL, {"role": "employment_specialist"})) == {
        es.email,
        tenant.other_agency_users[R.EMPLOYMENT_SPECIALIST].email,
    }
    by_agency = emails(client.get(URL, {"agency": str(tenant.other_agency.pk)}))
    assert es.email not in by_agency
    assert tenant.other_agency_users[R.EMPLOYMENT_SPECIALIST].email in by_agency
    assert emails(client.get(URL, {"q": es.email})) == {es.email}
    Membership.objects.filter(user=es).update(is_active=False)
    assert emails(client.get(URL, {"is_active": "false"})) == {es.email}
    assert es.email not in emails(client.get(URL, {"is_active": "true"}))


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_it_lists_in_a_constant_number_of_queries(tenant):
    client = api(tenant.user(R.STATE_ADMIN))
    Membership.objects.filter(collaborative=tenant.collaborative).exclude(
        user=tenant.user(R.STATE_ADMIN)
    ).delete()
    grant(make_user(), tenant.collaborative, R.STATE_TRAINER, [tenant.agency])
    few = _queries(client)
    for _ in range(48):
        grant(make_user(), tenant.collaborative, R.STATE_TRAINER, [tenant.agency])
    assert _queries(client) == few

"""The People pages: the list (searchable, paginated, constant queries), a person's page with
the history, the change of role and agencies, and the confirmed deactivation and
reactivation; the three access cases on each, refusals naming the field and saving nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import services
from agencies.models import Membership, Role
from tests.factories import grant, make_user

R = Role
PAGES = ["agencies:person", "agencies:person_edit", "agencies:person_deactivate"]


def membership(tenant, role, *, other=False) -> Membership:
    users = tenant.other_agency_users if other else tenant.users
    return Membership.objects.get(collaborative=tenant.collaborative, user=users[role], role=role)


@pytest.mark.parametrize("page", [*PAGES, "agencies:person_reactivate"])
def test_it_opens_the_person_pages_to_a_state_admin(client, tenant, page):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    client.force_login(tenant.user(R.STATE_ADMIN))
    response = client.get(reverse(page, args=[es.pk]))
    assert response.status_code == 200
    assert es.user.display_name in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_it_opens_the_person_pages_to_the_supervisor_of_the_agency(client, tenant, page):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    client.force_login(tenant.user(R.IPS_SUPERVISOR))
    assert client.get(reverse(page, args=[es.pk])).status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "role", [R.STATE_TRAINER, R.FIDELITY_REVIEWER, R.VR_LIAISON, R.AGENCY_LEADER]
)
def test_it_answers_403_inside_the_scope_without_the_right(client, tenant, page, role):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    client.force_login(tenant.user(role))
    assert client.get(reverse(page, args=[es.pk])).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_it_answers_403_to_a_supervisor_on_state_staff_of_their_agency(client, tenant, page):
    trainer = membership(tenant, R.STATE_TRAINER)
    client.force_login(tenant.user(R.IPS_SUPERVISOR))
    assert client.get(reverse(page, args=[trainer.pk])).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_it_answers_404_outside_the_scope(client, tenant, other_tenant, page):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    for user in (
        other_tenant.user(R.STATE_ADMIN),
        tenant.other_agency_users[R.IPS_SUPERVISOR],
    ):
        client.force_login(user)
        assert client.get(reverse(page, args=[es.pk])).status_code == 404
        assert client.post(reverse(page, args=[es.pk]), {"version": 1}).status_code == 404
    es.refresh_from_db()
    assert es.is_active and es.version == 1


def test_it_changes_a_trainers_agencies_and_shows_it_in_the_history(client, tenant):
    trainer = membership(tenant, R.STATE_TRAINER)
    client.force_login(tenant.user(R.STATE_ADMIN))
    response = client.post(
        reverse("agencies:person_edit", args=[trainer.pk]),
        {"role": R.STATE_TRAINER, "agencies": [tenant.other_agency.pk], "version": 1},
    )
    assert response.status_code == 302
    assert set(trainer.agencies.all()) == {tenant.other_agency}
    page = client.get(reverse("agencies:person", args=[trainer.pk])).content.decode()
    assert f"Agency added: {tenant.other_agency.name}" in page
    assert f"Agency removed: {tenant.agency.name}" in page
    assert f"by {tenant.user(R.STATE_ADMIN).display_name}" in page


def test_it_refuses_a_supervisor_giving_another_agency_naming_the_field(client, tenant):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    client.force_login(tenant.user(R.IPS_SUPERVISOR))
    url = reverse("agencies:person_edit", args=[es.pk])
    response = client.post(
        url, {"role": R.EMPLOYMENT_SPECIALIST, "agencies": [tenant.other_agency.pk], "version": 1}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["agencies"]
    assert set(es.agencies.all()) == {tenant.agency}
    # A state role is not offered, and refused when sent.
    response = client.post(
        url, {"role": R.STATE_ADMIN, "agencies": [tenant.agency.pk], "version": 1}
    )
    assert response.status_code == 400 and response.context["form"].errors["role"]
    es.refresh_from_db()
    assert es.role == R.EMPLOYMENT_SPECIALIST and es.version == 1
    # The twin: an agency role of their agency is saved.
    response = client.post(
        url, {"role": R.AGENCY_LEADER, "agencies": [tenant.agency.pk], "version": 1}
    )
    assert response.status_code == 302
    es.refresh_from_db()
    assert es.role == R.AGENCY_LEADER


def test_it_tells_the_second_of_two_admins_that_someone_changed_it(client, tenant):
    trainer = membership(tenant, R.STATE_TRAINER)
    second = make_user()
    grant(second, tenant.collaborative, R.STATE_ADMIN)
    services.membership_update(user=second, membership=trainer, agencies=[tenant.other_agency])
    client.force_login(tenant.user(R.STATE_ADMIN))
    response = client.post(reverse("agencies:person_deactivate", args=[trainer.pk]), {"version": 1})
    assert response.status_code == 400
    assert "Someone changed this membership" in response.content.decode()
    trainer.refresh_from_db()
    assert trainer.is_active


def test_it_deactivates_after_confirmation_and_reactivates(client, tenant):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    client.force_login(tenant.user(R.STATE_ADMIN))
    confirm = client.get(reverse("agencies:person_deactivate", args=[es.pk]))
    assert "logged out everywhere" in confirm.content.decode()
    es.refresh_from_db()
    assert es.is_active
    response = client.post(reverse("agencies:person_deactivate", args=[es.pk]), {"version": 1})
    assert response.status_code == 302
    es.refresh_from_db()
    assert not es.is_active
    response = client.post(reverse("agencies:person_reactivate", args=[es.pk]), {"version": 2})
    assert response.status_code == 302
    es.refresh_from_db()
    assert es.is_active


def test_it_refuses_to_deactivate_oneself_naming_the_field(client, tenant):
    admin = tenant.user(R.STATE_ADMIN)
    own = membership(tenant, R.STATE_ADMIN)
    grant(make_user(), tenant.collaborative, R.STATE_ADMIN)
    client.force_login(admin)
    response = client.post(reverse("agencies:person_deactivate", args=[own.pk]), {"version": 1})
    assert response.status_code == 400
    assert "deactivate yourself" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active


def test_it_searches_and_filters_the_people_list(client, tenant):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    leader = membership(tenant, R.AGENCY_LEADER)
    services.membership_deactivate(user=tenant.user(R.STATE_ADMIN), membership=leader)
    client.force_login(tenant.user(R.STATE_ADMIN))
    url = reverse("agencies:people")
    body = client.get(url, {"q": es.user.email[:12]}).content.decode()
    assert es.user.email in body
    assert tenant.user(R.STATE_TRAINER).email not in body
    body = client.get(url).content.decode()
    assert leader.user.email not in body
    body = client.get(url, {"status": "inactive"}).content.decode()
    assert leader.user.email in body and es.user.email not in body
    assert reverse("agencies:person", args=[leader.pk]) in body


def _people_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("agencies:people"), {"status": "all"})
    assert response.status_code == 200
    return len(queries)


def test_it_lists_people_in_a_constant_number_of_queries(client, tenant):
    client.force_login(tenant.user(R.STATE_ADMIN))
    Membership.objects.filter(collaborative=tenant.collaborative).exclude(
        user=tenant.user(R.STATE_ADMIN)
    ).delete()
    grant(make_user(), tenant.collaborative, R.STATE_TRAINER, [tenant.agency])
    few = _people_queries(client)
    for _ in range(48):
        grant(make_user(), tenant.collaborative, R.STATE_TRAINER, [tenant.agency])
    assert _people_queries(client) == few

"""Who can be named as a visitor of a readiness visit: every state-side member of the
collaborative, whatever their own rights on visits, on the page and in the API alike."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Membership, Role
from readiness import services
from tests.readiness.helpers import form_post, make_visit

pytestmark = pytest.mark.django_db

STATE_ROLES = [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.FIDELITY_REVIEWER, Role.VR_LIAISON]


def _membership(tenant, user):
    return Membership.objects.get(collaborative=tenant.collaborative, user=user)


def _if_match(visit) -> dict:
    return {"If-Match": f'"v{visit.version}"'}


@pytest.mark.parametrize("role", STATE_ROLES)
def test_it_lets_the_page_name_each_state_role_as_a_visitor(client, tenant, role):
    visit = make_visit(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    # Another trainer than the editor; the other roles as the tenant holds them.
    named = tenant.elsewhere_users[role] if role == Role.STATE_TRAINER else tenant.user(role)
    client.force_login(trainer)
    data = form_post(visit, visitor_members=[str(_membership(tenant, named).pk)])
    response = client.post(reverse("readiness:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert named in [v.user for v in visit.visitors.all()]


@pytest.mark.parametrize("role", STATE_ROLES)
def test_it_lets_the_api_name_each_state_role_as_a_visitor(tenant, role):
    visit = make_visit(tenant)
    named = tenant.user(role)
    api = APIClient()
    api.force_authenticate(tenant.user(Role.STATE_TRAINER))
    response = api.patch(
        reverse("readinessvisit-detail", args=[visit.pk]),
        {"visitors": [{"user_email": named.email}]},
        format="json",
        headers=_if_match(visit),
    )
    assert response.status_code == 200, response.json()
    assert [v.user for v in visit.visitors.all()] == [named]


@pytest.mark.parametrize("role", [Role.FIDELITY_REVIEWER, Role.VR_LIAISON])
def test_it_lets_the_service_name_state_staff_who_cannot_log_visits(tenant, role):
    visit = make_visit(tenant)
    named = tenant.user(role)
    saved = services.visit_save_draft(
        user=tenant.user(Role.STATE_ADMIN),
        visit=visit,
        data={"visitors": [{"user": named, "name": "", "affiliation": ""}]},
        expected_version=visit.version,
    )
    assert [v.user for v in saved.visitors.all()] == [named]


def test_it_refuses_agency_staff_and_other_collaboratives_as_visitors(client, tenant, other_tenant):
    visit = make_visit(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    stranger = other_tenant.user(Role.STATE_ADMIN)
    for named in (supervisor, stranger):
        with pytest.raises(ValidationError) as caught:
            services.visit_save_draft(
                user=trainer,
                visit=visit,
                data={"visitors": [{"user": named, "name": "", "affiliation": ""}]},
                expected_version=visit.version,
            )
        assert caught.value.message_dict["visitors"] == [
            "Visitor 1: choose state staff of this collaborative."
        ]
    api = APIClient()
    api.force_authenticate(trainer)
    for named in (supervisor, stranger):
        response = api.patch(
            reverse("readinessvisit-detail", args=[visit.pk]),
            {"visitors": [{"user_email": named.email}]},
            format="json",
            headers=_if_match(visit),
        )
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["visitors"] == [
            "Visitor 1: no state staff member has this email."
        ]
    client.force_login(trainer)
    for membership in (_membership(tenant, supervisor), _membership(other_tenant, stranger)):
        data = form_post(visit, visitor_members=[str(membership.pk)])
        response = client.post(reverse("readiness:visit_edit", args=[visit.pk]), data)
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    visit.refresh_from_db()
    assert visit.version == 2
    assert supervisor not in [v.user for v in visit.visitors.all()]

"""Addresses of refused forms answer a reload, and refusals say in words whom to ask."""

import pytest
from django.urls import reverse

from agencies import services
from agencies.models import Invitation, Role

pytestmark = pytest.mark.django_db


def test_it_opens_the_people_page_when_the_invitation_address_is_reloaded(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    url = reverse("agencies:invite")
    refused = client.post(url, {"email": "not-an-address", "role": "state_trainer"})
    assert refused.status_code == 400
    reloaded = client.get(url)
    assert reloaded.status_code == 302 and reloaded.url == reverse("agencies:people")
    assert client.get(reloaded.url).status_code == 200
    client.force_login(tenant.user(Role.STATE_TRAINER))
    assert client.get(url).status_code == 403


def test_it_opens_the_plan_when_the_step_address_is_reloaded(client, tenant):
    services.implementation_plan_create(user=tenant.user(Role.STATE_ADMIN), agency=tenant.agency)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    url = reverse("agencies:plan_step_add", args=[tenant.agency.pk])
    assert client.post(url, {"area": "funding", "action": ""}).status_code == 400
    reloaded = client.get(url)
    assert reloaded.status_code == 302
    assert reloaded.url == reverse("agencies:plan", args=[tenant.agency.pk])
    client.force_login(tenant.user(Role.AGENCY_LEADER))
    assert client.get(url).status_code == 403


def test_it_says_whom_to_ask_when_a_supervisor_invites_into_a_state_role(client, tenant):
    from django.core.exceptions import PermissionDenied

    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    with pytest.raises(PermissionDenied) as caught:
        services.invitation_create(
            invited_by=supervisor,
            collaborative=tenant.collaborative,
            email="new.admin@example.org",
            role=Role.STATE_ADMIN,
            agencies=[],
            full_name="",
        )
    assert str(caught.value) == (
        "Your role does not let you invite people into this role. If your work needs it, "
        "ask a state admin of your collaborative."
    )
    invitation = services.invitation_create(
        invited_by=supervisor,
        collaborative=tenant.collaborative,
        email="new.es@example.org",
        role=Role.EMPLOYMENT_SPECIALIST,
        agencies=[tenant.agency],
        full_name="",
    )
    assert Invitation.objects.filter(pk=invitation.pk).exists()

"""Every 403 says in words what the person cannot do and whom to ask, on pages and in API
bodies, and never names an internal permission."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from agencies import services as agency_services
from agencies.models import Agency, Role
from ipsportal.access import Action
from tests.factories import PASSWORD
from tests.readiness.helpers import make_visit

pytestmark = pytest.mark.django_db

ASK = "ask a state admin of your collaborative"


def _internal_names(text: str) -> list[str]:
    return [a.value for a in Action if a.value in text] + [
        phrase for phrase in ("the right to", "permission to perform") if phrase in text
    ]


def _page_refusals(tenant):
    """(role, method, url, data): requests the role may not make in its own scope."""
    draft = make_visit(tenant)
    final = make_visit(tenant, final=True)
    agency_services.implementation_plan_create(
        user=tenant.user(Role.STATE_ADMIN), agency=tenant.agency
    )
    agency = tenant.agency.pk
    return [
        (Role.EMPLOYMENT_SPECIALIST, "get", reverse("readiness:overview"), None),
        (
            Role.EMPLOYMENT_SPECIALIST,
            "get",
            reverse("readiness:visit_detail", args=[final.pk]),
            None,
        ),
        (Role.FIDELITY_REVIEWER, "get", reverse("readiness:visit_edit", args=[draft.pk]), None),
        (Role.FIDELITY_REVIEWER, "get", reverse("readiness:visit_start"), None),
        (Role.FIDELITY_REVIEWER, "get", reverse("agencies:edit", args=[agency]), None),
        (Role.FIDELITY_REVIEWER, "get", reverse("agencies:region_list"), None),
        (Role.STATE_TRAINER, "get", reverse("agencies:people"), None),
        (Role.STATE_TRAINER, "get", reverse("notifications:outbox"), None),
        (Role.AGENCY_LEADER, "post", reverse("agencies:plan_step_add", args=[agency]), {}),
        (Role.EMPLOYMENT_SPECIALIST, "post", reverse("agencies:summary_pdf", args=[agency]), {}),
    ]


def test_it_says_in_words_what_each_role_cannot_do_and_whom_to_ask(client, tenant):
    refusals = _page_refusals(tenant)
    for role, method, url, data in refusals:
        client.force_login(tenant.user(role))
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 403, (role, url, response.status_code)
        text = " ".join(response.content.decode().split())
        assert "Your role does not let you " in text and ASK in text, (role, url)
        assert _internal_names(text) == [], (role, url)


def test_it_says_in_words_why_a_form_without_its_security_token_is_refused(tenant):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(email=tenant.user(Role.STATE_ADMIN).email, password=PASSWORD)
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    response = browser.post(url, {"name": "Changed without a token"})
    assert response.status_code == 403
    text = " ".join(response.content.decode().split())
    assert "The form could not be sent" in text
    assert "security token" in text and ASK in text
    assert "CSRF verification failed" not in text
    assert not Agency.objects.filter(name="Changed without a token").exists()


def test_it_words_api_refusals_the_same_way(tenant):
    make_visit(tenant)
    api = APIClient()
    api.force_authenticate(tenant.user(Role.FIDELITY_REVIEWER))
    cases = [
        ("post", reverse("readinessvisit-list"), {"agency": str(tenant.agency.pk)}),
        ("patch", reverse("agency-detail", args=[tenant.agency.pk]), {"city": "X"}),
    ]
    for method, url, data in cases:
        response = getattr(api, method)(url, data, format="json", headers={"If-Match": '"x"'})
        assert response.status_code == 403, (url, response.json())
        message = response.json()["error"]["message"]
        assert message.startswith("Your role does not let you ") and ASK in message
        assert _internal_names(message) == []
    session = APIClient(enforce_csrf_checks=True)
    assert session.login(email=tenant.user(Role.STATE_ADMIN).email, password=PASSWORD)
    response = session.post(
        reverse("agency-list"),
        {"collaborative": str(tenant.collaborative.pk), "name": "No token"},
        format="json",
    )
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert "security token" in message and "CSRF" in message and ASK in message
    assert not message.startswith("CSRF Failed")

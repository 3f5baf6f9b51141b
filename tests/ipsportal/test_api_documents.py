"""The documents and outbox API: the same rules as the pages."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Role
from agencies.services import invitation_create
from ipsportal.models import Document
from ipsportal.notifications.models import Delivery

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _export(api, tenant, **extra):
    body = {
        "kind": "agency_summary",
        "collaborative": str(tenant.collaborative.pk),
        "agency": str(tenant.agency.pk),
        **extra,
    }
    return api.post(reverse("document-list"), body, format="json")


def test_it_renders_an_export_asked_through_the_api_and_serves_it_to_its_requester(
    tenant, django_capture_on_commit_callbacks
):
    api = _api(tenant.user(Role.IPS_SUPERVISOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = _export(api, tenant)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "pending" and created["download_url"] is None
    read = api.get(reverse("document-detail", args=[created["id"]])).json()
    assert read["status"] == "ready" and read["progress"] == 100
    download = api.get(read["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Cache-Control"] == "no-store"
    listed = [d["id"] for d in api.get(reverse("document-list")).json()["results"]]
    assert listed == [created["id"]]
    # Nobody else reads it: not the agency's leader, not another agency's supervisor.
    for user in (tenant.user(Role.AGENCY_LEADER), tenant.other_agency_users[Role.IPS_SUPERVISOR]):
        assert _api(user).get(reverse("document-detail", args=[created["id"]])).status_code == 404
        assert _api(user).get(read["download_url"]).status_code == 404


def test_it_refuses_exports_outside_the_right_or_the_scope(tenant, other_tenant):
    assert _export(_api(tenant.user(Role.EMPLOYMENT_SPECIALIST)), tenant).status_code == 403
    assert _export(_api(other_tenant.user(Role.STATE_ADMIN)), tenant).status_code == 404
    outsider = _api(tenant.other_agency_users[Role.IPS_SUPERVISOR])
    assert _export(outsider, tenant).status_code == 404
    bad = _export(_api(tenant.user(Role.STATE_ADMIN)), tenant, kind="readiness_overview")
    assert bad.status_code == 400 and "agency" in bad.json()["error"]["fields"]
    fmt = _export(_api(tenant.user(Role.STATE_ADMIN)), tenant, format="zip")
    assert fmt.status_code == 400 and "format" in fmt.json()["error"]["fields"]
    record = _export(_api(tenant.user(Role.STATE_ADMIN)), tenant, kind="readiness_visit")
    assert record.status_code == 400 and "kind" in record.json()["error"]["fields"]
    assert not Document.objects.exists()


def test_it_lists_the_outbox_to_state_admins_only_and_sends_a_failed_message_again(
    tenant, other_tenant
):
    invitation = invitation_create(
        invited_by=tenant.user(Role.STATE_ADMIN),
        collaborative=tenant.collaborative,
        email="pat.new@example.org",
        role=Role.AGENCY_LEADER,
        agencies=[tenant.agency],
    )
    delivery = Delivery.objects.get(subject_id=invitation.pk)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED)
    admin = _api(tenant.user(Role.STATE_ADMIN))
    rows = admin.get(reverse("delivery-list")).json()["results"]
    assert [r["recipient_email"] for r in rows] == ["pat.new@example.org"]
    for user in (tenant.user(Role.IPS_SUPERVISOR), other_tenant.user(Role.STATE_ADMIN)):
        assert _api(user).get(reverse("delivery-list")).json()["results"] == []
        assert _api(user).post(reverse("delivery-retry", args=[delivery.pk])).status_code == 404
    response = admin.post(reverse("delivery-retry", args=[delivery.pk]))
    assert response.status_code == 200 and response.json()["status"] == "pending"
    again = admin.post(reverse("delivery-retry", args=[delivery.pk]))
    assert again.status_code == 409

"""The training and TA agreement API: the three access cases, drafting and new versions,
ETag/If-Match on edits, signing (and its refusals), filters, bad input named by field, and
query counts with 2 and 50 rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Role, SignerRole, TAAgreement, TASignature
from tests.factories import make_agency

D = datetime.date
URL = "/api/v1/ta-agreements/"
ED, MH, VR = SignerRole.EXECUTIVE_DIRECTOR, SignerRole.STATE_MH, SignerRole.STATE_VR


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def agreement(tenant):
    return services.agreement_create(
        user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency, start_date=D(2026, 1, 5)
    )


def _sign(tenant, agreement, role, line, **extra):
    return services.agreement_sign(
        user=tenant.user(role), agreement=agreement, signer_role=line, **extra
    )


def test_it_shows_an_agreement_to_every_role_of_the_agency(tenant, agreement):
    _sign(tenant, agreement, Role.AGENCY_LEADER, ED, signer_name="Ruth Alvarez")
    for role in Role:
        body = _client(tenant.user(role)).get(f"{URL}{agreement.pk}/").json()
        assert body["version"] == 1 and body["status"] == "awaiting_signatures", role
    body = _client(tenant.user(Role.VR_LIAISON)).get(URL).json()
    assert body["count"] == 1
    (signature,) = body["results"][0]["signatures"]
    assert signature["signer_name"] == "Ruth Alvarez"
    assert signature["recorded_by"] == tenant.user(Role.AGENCY_LEADER).display_name
    assert signature["on_behalf"] is False and body["results"][0]["is_current"] is True


def test_it_answers_404_to_another_collaborative_and_another_agency(
    tenant, other_tenant, agreement
):
    outsiders = [
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.AGENCY_LEADER],
        tenant.elsewhere_users[Role.VR_LIAISON],
    ]
    for user in outsiders:
        client = _client(user)
        assert client.get(f"{URL}{agreement.pk}/").status_code == 404
        assert client.get(URL).json()["count"] == 0
        assert (
            client.patch(
                f"{URL}{agreement.pk}/",
                {"notes": "x"},
                format="json",
                HTTP_IF_MATCH='"0123456789abcdef0123"',
            ).status_code
            == 404
        )
        response = client.post(
            f"{URL}{agreement.pk}/signatures/",
            {"signer_role": VR, "signer_name": "X", "on_behalf_reason": "Y"},
            format="json",
        )
        assert response.status_code == 404
        response = client.post(URL, {"agency": str(tenant.agency.pk)}, format="json")
        assert response.status_code == 404
    assert not TASignature.objects.exists()


def test_it_lets_an_editor_draft_and_refuses_a_reader_with_403(tenant):
    body = {"agency": str(tenant.agency.pk), "start_date": "2026-02-02"}
    for role in (Role.AGENCY_LEADER, Role.VR_LIAISON, Role.FIDELITY_REVIEWER):
        response = _client(tenant.user(role)).post(URL, body, format="json")
        assert response.status_code == 403, role
    assert not TAAgreement.objects.exists()
    response = _client(tenant.user(Role.IPS_SUPERVISOR)).post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["version"] == 1 and response.json()["status"] == "draft"
    assert response.json()["es_training_days"] == 3.5
    assert response["ETag"]


def test_it_names_the_field_of_bad_input_and_saves_nothing(tenant):
    client = _client(tenant.user(Role.STATE_TRAINER))
    for field, value in (
        ("es_training_days", 3.3),
        ("es_training_days", 31),
        ("unit_meeting_months", 25),
        ("start_date", "1999-01-01"),
    ):
        response = client.post(
            URL,
            {"agency": str(tenant.agency.pk), "start_date": "2026-02-02", field: value},
            format="json",
        )
        assert response.status_code == 400, field
        assert field in response.json()["error"]["fields"], field
    assert not TAAgreement.objects.exists()


def test_it_changes_a_draft_with_if_match_and_refuses_a_stale_or_missing_one(tenant, agreement):
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    read = client.get(f"{URL}{agreement.pk}/")
    tag = read["ETag"]
    assert client.patch(f"{URL}{agreement.pk}/", {"notes": "a"}, format="json").status_code == 428
    response = client.patch(
        f"{URL}{agreement.pk}/", {"notes": "First"}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 200 and response.json()["notes"] == "First"
    assert response["ETag"] != tag
    stale = client.patch(
        f"{URL}{agreement.pk}/", {"notes": "Second"}, format="json", HTTP_IF_MATCH=tag
    )
    assert stale.status_code == 412
    agreement.refresh_from_db()
    assert agreement.notes == "First"
    reader = _client(tenant.user(Role.AGENCY_LEADER))
    forbidden = reader.patch(
        f"{URL}{agreement.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert forbidden.status_code == 403


def test_it_refuses_changing_a_version_with_a_signature_and_makes_a_new_one(tenant, agreement):
    _sign(tenant, agreement, Role.AGENCY_LEADER, ED)
    client = _client(tenant.user(Role.STATE_TRAINER))
    tag = client.get(f"{URL}{agreement.pk}/")["ETag"]
    response = client.patch(
        f"{URL}{agreement.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 409
    assert "make a new version" in response.json()["error"]["message"]
    response = client.post(URL, {"agency": str(tenant.agency.pk), "notes": "v2"}, format="json")
    assert response.status_code == 201
    assert response.json()["version"] == 2 and response.json()["signatures"] == []
    old = client.get(f"{URL}{agreement.pk}/").json()
    assert old["status"] == "superseded" and old["is_current"] is False


def test_it_signs_lines_through_the_api_until_the_version_is_signed(tenant, agreement):
    path = f"{URL}{agreement.pk}/signatures/"
    leader = _client(tenant.user(Role.AGENCY_LEADER))
    assert leader.post(path, {"signer_role": VR}, format="json").status_code == 403
    assert (
        _client(tenant.user(Role.IPS_SUPERVISOR))
        .post(path, {"signer_role": ED}, format="json")
        .status_code
        == 403
    )
    assert leader.post(path, {"signer_role": ED}, format="json").status_code == 201
    again = leader.post(path, {"signer_role": ED}, format="json")
    assert again.status_code == 409 and "already signed by" in again.json()["error"]["message"]
    admin = _client(tenant.user(Role.STATE_ADMIN))
    # Which lines need a name and a reason depends on the caller's role: 422, naming them.
    no_reason = admin.post(path, {"signer_role": VR, "signer_name": "Omar"}, format="json")
    assert no_reason.status_code == 422
    assert list(no_reason.json()["error"]["fields"]) == ["on_behalf_reason"]
    no_name = admin.post(path, {"signer_role": VR, "on_behalf_reason": "On paper"}, format="json")
    assert no_name.status_code == 422
    assert list(no_name.json()["error"]["fields"]) == ["signer_name"]
    too_long = admin.post(
        path,
        {"signer_role": VR, "signer_name": "O" * 151, "on_behalf_reason": "Paper"},
        format="json",
    )
    assert too_long.status_code == 400 and "signer_name" in too_long.json()["error"]["fields"]
    assert admin.post(path, {"signer_role": MH}, format="json").status_code == 201
    done = admin.post(
        path,
        {"signer_role": VR, "signer_name": "Omar Reyes", "on_behalf_reason": "Signed on paper"},
        format="json",
    )
    assert done.status_code == 201
    body = done.json()
    assert body["status"] == "signed" and body["signed_at"]
    vr = [s for s in body["signatures"] if s["signer_role"] == VR][0]
    assert vr["on_behalf"] is True and vr["on_behalf_reason"] == "Signed on paper"


def test_it_filters_on_agency_status_and_start_date(tenant, agreement):
    other = services.agreement_create(
        user=tenant.user(Role.STATE_ADMIN), agency=tenant.other_agency, start_date=D(2025, 3, 3)
    )
    _sign(tenant, other, Role.STATE_ADMIN, MH)
    client = _client(tenant.user(Role.STATE_ADMIN))

    def ids(query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return {r["id"] for r in response.json()["results"]}

    assert ids({"agency": str(tenant.agency.pk)}) == {str(agreement.pk)}
    assert ids({"status": "draft"}) == {str(agreement.pk)}
    assert ids({"status": "awaiting_signatures"}) == {str(other.pk)}
    assert ids({"status": "signed"}) == set()
    assert ids({"start_date_after": "2026-01-01"}) == {str(agreement.pk)}
    assert ids({"start_date_before": "2025-12-31"}) == {str(other.pk)}
    assert client.get(URL, {"status": "nonsense"}).status_code == 400


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _fill(tenant, count):
    """``count`` agencies, each with a version signed on two lines."""
    admin = tenant.user(Role.STATE_ADMIN)
    now = timezone.now()
    for n in range(count):
        agency = make_agency(tenant.collaborative, f"Agreement agency {count}-{n}")
        agreement = TAAgreement.objects.create(
            collaborative=tenant.collaborative, agency=agency, start_date=D(2026, 1, 5)
        )
        for line in (ED, MH):
            TASignature.objects.create(
                collaborative=tenant.collaborative,
                agency=agency,
                agreement=agreement,
                signer_role=line,
                signer_name="S",
                signed_at=now,
                recorded_by=admin,
            )


def test_it_lists_2_and_50_agreements_with_the_same_queries(tenant):
    client = _client(tenant.user(Role.STATE_ADMIN))
    _fill(tenant, 2)
    few = _queries(client, f"{URL}?page_size=50")
    TAAgreement.objects.all().delete()
    _fill(tenant, 50)
    many = _queries(client, f"{URL}?page_size=50")
    assert client.get(f"{URL}?page_size=50").json()["count"] == 50
    assert few == many

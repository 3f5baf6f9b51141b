"""Every API error answers with one shape: ``{"error": {"status", "code", "message",
"fields"}}``, so clients handle 400, 403 and 404 the same way."""

import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Role

LIST = "/api/v1/agencies/"


def _detail(agency) -> str:
    return f"{LIST}{agency.pk}/"


@pytest.fixture
def api():
    return APIClient()


def _assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert error["status"] == status
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    return error


def test_it_shapes_a_validation_error_with_its_fields(api, tenant):
    api.force_authenticate(tenant.user(Role.STATE_ADMIN))
    response = api.post(
        LIST,
        {"collaborative": str(tenant.collaborative.pk), "name": "", "state": "ZZ"},
        format="json",
    )
    error = _assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == {"name", "state"}
    assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages)
    assert "name" in error["message"]
    assert "state" in error["message"]


def test_it_shapes_a_service_validation_error_as_field_errors(api, tenant):
    api.force_authenticate(tenant.user(Role.STATE_ADMIN))
    # The duplicate name is caught by the model's full_clean() inside the service.
    response = api.post(
        LIST,
        {"collaborative": str(tenant.collaborative.pk), "name": tenant.agency.name},
        format="json",
    )
    error = _assert_error_shape(response, 400, "invalid")
    assert "__all__" in error["fields"] or "name" in error["fields"]


def test_it_shapes_a_missing_right_as_403(api, tenant):
    api.force_authenticate(tenant.user(Role.FIDELITY_REVIEWER))
    response = api.patch(_detail(tenant.agency), {"city": "Elsewhere"}, format="json")
    error = _assert_error_shape(response, 403, "permission_denied")
    assert error["fields"] == {}
    # In words: what the person cannot do, and whom to ask.
    assert "change this agency's profile" in error["message"]
    assert "ask a state admin" in error["message"]


def test_it_shapes_an_object_outside_the_scope_as_404(api, tenant, other_tenant):
    api.force_authenticate(other_tenant.user(Role.STATE_ADMIN))
    outside = api.get(_detail(tenant.agency))
    missing = api.get(f"{LIST}{uuid.uuid4()}/")
    # Outside the scope reads exactly like a row that does not exist.
    assert _assert_error_shape(outside, 404, "not_found") == _assert_error_shape(
        missing, 404, "not_found"
    )


def test_it_shapes_an_unauthenticated_request(api, tenant):
    response = api.get(LIST)
    error = _assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials" in error["message"]


def test_it_shapes_a_bad_token(api, tenant):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    error = _assert_error_shape(api.get(LIST), 401, "authentication_failed")
    assert "token" in error["message"].lower()


def test_it_shapes_a_method_not_allowed(api, tenant):
    user = tenant.user(Role.STATE_ADMIN)
    token = Token.objects.create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    _assert_error_shape(api.delete(_detail(tenant.agency)), 405, "method_not_allowed")


def test_it_shapes_a_malformed_json_body(api, tenant):
    api.force_authenticate(tenant.user(Role.STATE_ADMIN))
    response = api.generic("POST", LIST, "{not json", content_type="application/json")
    _assert_error_shape(response, 400, "parse_error")

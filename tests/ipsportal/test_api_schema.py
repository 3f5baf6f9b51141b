"""The OpenAPI schema says what the API does: every operation documents the errors it
answers, in the one error shape; the API answers JSON in that shape even where no view runs
(a path id that is not a UUID, a method not offered, a body that is not JSON)."""

import re
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from agencies.models import Role
from ipsportal.api import DIGEST_ETAG, VERSION_ETAG, etag_of
from ipsportal.api_schema import NOT_BLANK
from tests.readiness.helpers import make_visit

pytestmark = pytest.mark.django_db

API = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _op(schema, path: str, method: str) -> dict:
    return schema["paths"][f"{API}{path}"][method]


def _assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture
def admin_api(tenant):
    api = APIClient()
    api.force_authenticate(tenant.user(Role.STATE_ADMIN))
    return api


# ------------------------------------------------------------------------------------------
# What the schema documents
# ------------------------------------------------------------------------------------------


def test_it_generates_a_schema_without_warnings(tmp_path):
    # A warning of drf-spectacular means a guess in the schema; --validate checks it against
    # the OpenAPI specification.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


def test_it_documents_the_error_shape_as_it_is_sent(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["error"]
    detail = components["Error"]["properties"]["error"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[detail]["required"]) == {"status", "code", "message", "fields"}


def test_it_documents_the_errors_every_operation_answers(schema):
    operations = list(_operations(schema))
    assert len(operations) >= 20
    for path, method, operation in operations:
        label = f"{method.upper()} {path}"
        responses = operation["responses"]
        codes = {int(code) for code in responses}
        assert 401 in codes, label
        for code in codes - {200, 201, 204, 304}:
            content = responses[str(code)]["content"]
            assert list(content) == ["application/json"], label
            assert content["application/json"]["schema"]["$ref"].endswith("/Error"), label
        if not path.endswith("/download/"):
            assert 406 in codes, label
        if "{id}" in path:
            assert 404 in codes, label
            (id_parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
            assert id_parameter["schema"] == {"type": "string", "format": "uuid"}, label
        if method != "get":
            assert {403, 404} <= codes, label
        if "requestBody" in operation:
            # JSON only: forms and multipart bodies are refused with 415.
            assert list(operation["requestBody"]["content"]) == ["application/json"], label
            assert {400, 415} <= codes, label
        filters = [p for p in operation.get("parameters", []) if p["name"] != "page"]
        if any(p["in"] == "query" for p in filters):
            assert 400 in codes, label
        if any(p["name"] == "page" for p in operation.get("parameters", [])):
            assert 404 in codes, label


@pytest.mark.parametrize(
    ("path", "method", "pattern"),
    [
        ("/agencies/{id}/", "patch", DIGEST_ETAG),
        ("/agencies/{id}/", "put", DIGEST_ETAG),
        ("/readiness-visits/{id}/", "patch", VERSION_ETAG),
        ("/readiness-visits/{id}/finalize/", "post", VERSION_ETAG),
    ],
)
def test_it_documents_if_match_on_the_writes_of_shared_resources(schema, path, method, pattern):
    operation = _op(schema, path, method)
    (if_match,) = [p for p in operation["parameters"] if p["name"] == "If-Match"]
    assert if_match["in"] == "header" and if_match["required"] is True
    assert if_match["schema"]["pattern"] == f"^{pattern}$"
    assert {"400", "412", "428"} <= set(operation["responses"])
    etag = operation["responses"]["200"]["headers"]["ETag"]
    assert etag["required"] is True and etag["schema"]["pattern"] == f"^{pattern}$"


@pytest.mark.parametrize("resource", ["agencies", "readiness-visits"])
def test_it_documents_the_etag_of_reads_and_creates(schema, resource):
    read = _op(schema, f"/{resource}/{{id}}/", "get")
    assert read["responses"]["200"]["headers"]["ETag"]["required"] is True
    assert "ETag" in read["responses"]["304"]["headers"]
    assert "content" not in read["responses"]["304"]
    assert any(p["name"] == "If-None-Match" for p in read["parameters"])
    create = _op(schema, f"/{resource}/", "post")
    assert create["responses"]["201"]["headers"]["ETag"]["required"] is True


def test_it_documents_the_statuses_particular_to_some_operations(schema):
    assert "409" in _op(schema, "/deliveries/{id}/retry/", "post")["responses"]
    assert "409" in _op(schema, "/readiness-visits/{id}/finalize/", "post")["responses"]
    assert "409" in _op(schema, "/readiness-visits/{id}/", "patch")["responses"]
    # An employment specialist reads that a finalized visit of their agency exists: 403.
    assert "403" in _op(schema, "/readiness-visits/{id}/", "get")["responses"]
    download = _op(schema, "/documents/{id}/download/", "get")["responses"]
    assert "application/pdf" in download["200"]["content"]
    assert "text/csv" in download["200"]["content"]


def test_it_documents_what_a_visit_read_may_leave_empty(schema):
    visit = schema["components"]["schemas"]["ReadinessVisit"]["properties"]
    assert visit["email_sent_at"]["nullable"] is True
    assert visit["finalized_at"]["nullable"] is True
    assert visit["report_ready"]["type"] == "boolean"


def test_it_says_a_required_text_needs_more_than_white_space(schema):
    agency = schema["components"]["schemas"]["AgencyRequest"]
    assert agency["properties"]["name"]["pattern"] == NOT_BLANK
    assert "pattern" not in agency["properties"]["city"]
    step = schema["components"]["schemas"]["ActionStepRequest"]
    assert step["properties"]["text"]["pattern"] == NOT_BLANK


def test_its_not_blank_pattern_is_exactly_what_trimming_keeps():
    character = re.compile(NOT_BLANK)
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        assert bool(character.fullmatch(c)) is (c.strip() == c), hex(code)


# ------------------------------------------------------------------------------------------
# What the API answers where no view of ours runs
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/agencies/not-a-uuid/",
        "/agencies/CFF6EB-B-AB33E36E0--FbE316048866CeB2/",
        "/agencies/%C2%84/",
        "/readiness-visits/000000000000000000000000000000000000/",
        "/readiness-visits/12/finalize/",
        "/readiness-checklists/x/",
        "/documents/x/download/",
        "/deliveries/x/retry/",
        "/no-such-endpoint/",
    ],
)
def test_it_answers_a_path_that_names_nothing_with_the_json_404(admin_api, path):
    for method in ("get", "post", "patch"):
        response = getattr(admin_api, method)(f"{API}{path}")
        _assert_error_shape(response, 404, "not_found")
    # Without credentials too: the path names nothing whoever asks.
    _assert_error_shape(Client().get(f"{API}{path}"), 404, "not_found")


def test_it_keeps_the_portal_404_page_outside_the_api(tenant):
    response = Client().get("/agencies/no-such-page/really/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_it_answers_a_method_not_offered_with_the_error_shape(admin_api, tenant):
    response = admin_api.delete(f"{API}/agencies/{tenant.agency.pk}/")
    _assert_error_shape(response, 405, "method_not_allowed")
    assert "PATCH" in response["Allow"] and "DELETE" not in response["Allow"]
    visit = make_visit(tenant)
    put = admin_api.put(f"{API}/readiness-visits/{visit.pk}/", {}, format="json")
    _assert_error_shape(put, 405, "method_not_allowed")


def test_it_answers_a_body_that_is_not_json_with_415(admin_api, tenant):
    body = {"collaborative": str(tenant.collaborative.pk), "name": "Formed"}
    for fmt in ("multipart", None):
        kwargs = {"format": fmt} if fmt else {"content_type": "application/x-www-form-urlencoded"}
        data = body if fmt else "collaborative=x&name=Formed"
        response = admin_api.post(f"{API}/agencies/", data, **kwargs)
        error = _assert_error_shape(response, 415, "unsupported_media_type")
        assert "Unsupported media type" in error["message"]


def test_it_answers_an_accept_it_cannot_meet_with_406(admin_api):
    response = admin_api.get(f"{API}/agencies/", HTTP_ACCEPT="text/html")
    _assert_error_shape(response, 406, "not_acceptable")


def test_it_answers_a_download_error_as_json_whatever_the_accept(admin_api):
    response = admin_api.get(
        f"{API}/documents/{uuid.uuid4()}/download/", HTTP_ACCEPT="application/pdf"
    )
    _assert_error_shape(response, 404, "not_found")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=not-a-uuid", "region"),
        ("region=", "region"),
        ("phase=nowhere", "phase"),
        ("is_active=maybe", "is_active"),
        ("is_active=null", "is_active"),
        ("is_active=", "is_active"),
    ],
)
def test_it_answers_a_bad_filter_with_its_field(admin_api, query, field):
    error = _assert_error_shape(admin_api.get(f"{API}/agencies/?{query}"), 400, "invalid")
    assert list(error["fields"]) == [field]


def test_it_takes_an_empty_text_filter_as_no_filter(admin_api, tenant):
    response = admin_api.get(f"{API}/agencies/?q=")
    assert response.status_code == 200
    assert response.json()["count"] == admin_api.get(f"{API}/agencies/").json()["count"] >= 2


@pytest.mark.parametrize("page", ["0", "-1", "", "last", "two", "99"])
def test_it_answers_a_page_that_does_not_exist_with_the_json_404(admin_api, page):
    _assert_error_shape(admin_api.get(f"{API}/agencies/?page={page}"), 404, "not_found")


# ------------------------------------------------------------------------------------------
# If-Match: its form is checked before anything else is
# ------------------------------------------------------------------------------------------


def test_it_refuses_an_if_match_that_is_not_an_etag_of_the_resource(admin_api, tenant):
    url = f"{API}/agencies/{tenant.agency.pk}/"
    for header in ("*", "v1", '"v1"', 'W/"0123456789abcdef0123"', '"a", "b"'):
        response = admin_api.patch(
            url, {"city": "Nowhere"}, format="json", headers={"If-Match": header}
        )
        error = _assert_error_shape(response, 400, "invalid")
        assert list(error["fields"]) == ["If-Match"], header
    tenant.agency.refresh_from_db()
    assert tenant.agency.city != "Nowhere"
    visit = make_visit(tenant)
    response = admin_api.patch(
        f"{API}/readiness-visits/{visit.pk}/",
        {"barriers": "x"},
        format="json",
        headers={"If-Match": etag_of(tenant.agency)},
    )
    assert list(_assert_error_shape(response, 400, "invalid")["fields"]) == ["If-Match"]


def test_it_checks_the_body_before_the_version(admin_api, tenant):
    stale = '"' + "0" * 20 + '"'
    url = f"{API}/agencies/{tenant.agency.pk}/"
    bad = admin_api.patch(url, {"state": "ZZ"}, format="json", headers={"If-Match": stale})
    assert list(_assert_error_shape(bad, 400, "invalid")["fields"]) == ["state"]
    good = admin_api.patch(url, {"city": "Later"}, format="json", headers={"If-Match": stale})
    _assert_error_shape(good, 412, "precondition_failed")


def test_it_sends_the_etag_with_a_created_agency(admin_api, tenant):
    response = admin_api.post(
        f"{API}/agencies/",
        {"collaborative": str(tenant.collaborative.pk), "name": "Tagged on creation"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert re.fullmatch(DIGEST_ETAG, response["ETag"])
    read = admin_api.get(f"{API}/agencies/{response.json()['id']}/")
    assert read["ETag"] == response["ETag"]


def test_it_answers_a_change_of_a_finalized_visit_as_a_conflict(admin_api, tenant):
    visit = make_visit(tenant, final=True)
    visit.refresh_from_db()
    response = admin_api.patch(
        f"{API}/readiness-visits/{visit.pk}/",
        {"barriers": "Too late"},
        format="json",
        headers={"If-Match": etag_of(visit)},
    )
    _assert_error_shape(response, 409, "conflict")
    again = admin_api.post(
        f"{API}/readiness-visits/{visit.pk}/finalize/",
        {},
        format="json",
        headers={"If-Match": etag_of(visit)},
    )
    assert _assert_error_shape(again, 409, "conflict")["fields"]


def test_its_etags_have_the_documented_forms(tenant):
    assert re.fullmatch(DIGEST_ETAG, etag_of(tenant.agency))
    assert re.fullmatch(VERSION_ETAG, etag_of(make_visit(tenant)))

"""The agencies API: the same scope, rights and services as the pages."""

import json
import re

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Agency, ImplementationPhase, Role
from tests.factories import PASSWORD, grant, make_agency, make_region

LIST = "/api/v1/agencies/"


def _detail(agency) -> str:
    return f"{LIST}{agency.pk}/"


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture(params=["session", "token"])
def client_for(request):
    """A client authenticated as a user, by session or by token (each test runs with both)."""
    return _session_client if request.param == "session" else _token_client


def _names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


# ------------------------------------------------------------------------------------------
# list and detail
# ------------------------------------------------------------------------------------------


def test_it_lists_the_agencies_in_scope(client_for, tenant, other_tenant):
    everyone = {tenant.agency.name, tenant.other_agency.name}
    admin = client_for(tenant.user(Role.STATE_ADMIN)).get(LIST)
    assert admin.status_code == 200
    assert _names(admin) == everyone
    assert admin.json()["count"] == 2

    specialist = client_for(tenant.user(Role.EMPLOYMENT_SPECIALIST)).get(LIST)
    assert _names(specialist) == {tenant.agency.name}

    stranger = client_for(other_tenant.user(Role.STATE_ADMIN)).get(LIST)
    assert _names(stranger) == {other_tenant.agency.name, other_tenant.other_agency.name}


def test_it_filters_the_list_like_the_page(client_for, tenant):
    make_agency(
        tenant.collaborative,
        "Harbor Light Services",
        city="Joplin",
        implementation_phase=ImplementationPhase.SUSTAINING,
    )
    api = client_for(tenant.user(Role.STATE_ADMIN))
    assert _names(api.get(LIST, {"q": "joplin"})) == {"Harbor Light Services"}
    assert _names(api.get(LIST, {"phase": ImplementationPhase.SUSTAINING})) == {
        "Harbor Light Services"
    }
    assert _names(api.get(LIST, {"region": str(tenant.region.pk)})) == {
        tenant.agency.name,
        tenant.other_agency.name,
    }


def test_it_shows_an_agency_to_members_who_may_see_it(client_for, tenant):
    response = client_for(tenant.user(Role.AGENCY_LEADER)).get(_detail(tenant.agency))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(tenant.agency.pk)
    assert body["collaborative"] == str(tenant.collaborative.pk)
    assert body["region"] == str(tenant.region.pk)


def test_it_answers_404_for_an_agency_outside_the_scope(client_for, tenant, other_tenant):
    other_agency_staff = client_for(tenant.other_agency_users[Role.IPS_SUPERVISOR])
    assert other_agency_staff.get(_detail(tenant.agency)).status_code == 404
    stranger = client_for(other_tenant.user(Role.STATE_ADMIN))
    assert stranger.get(_detail(tenant.agency)).status_code == 404
    assert stranger.patch(_detail(tenant.agency), {"city": "X"}, format="json").status_code == 404


def test_it_runs_the_same_number_of_queries_for_2_and_50_agencies(tenant):
    api = _token_client(tenant.user(Role.STATE_ADMIN))
    region_two = make_region(tenant.collaborative, "Second Region")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(LIST)
        assert response.status_code == 200
        return len(queries)

    with_two = count()
    for n in range(48):
        make_agency(tenant.collaborative, region=region_two if n % 2 else None)
    with_fifty = count()
    assert Agency.objects.filter(collaborative=tenant.collaborative).count() == 50
    assert with_fifty == with_two


# ------------------------------------------------------------------------------------------
# create
# ------------------------------------------------------------------------------------------


def test_it_creates_an_agency_for_a_state_admin(client_for, tenant):
    response = client_for(tenant.user(Role.STATE_ADMIN)).post(
        LIST,
        {
            "collaborative": str(tenant.collaborative.pk),
            "name": "North Star Recovery",
            "region": str(tenant.region.pk),
            "city": "Hannibal",
            "implementation_phase": ImplementationPhase.PRE,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    agency = Agency.objects.get(name="North Star Recovery")
    assert agency.collaborative == tenant.collaborative
    assert agency.region == tenant.region
    assert agency.slug == "north-star-recovery"
    assert response.json()["id"] == str(agency.pk)


def test_it_refuses_through_the_api_a_name_that_differs_only_in_letter_case(client_for, tenant):
    # The same rule as the page's: the database constraint on the lower-cased name.
    api = client_for(tenant.user(Role.STATE_ADMIN))
    body = {"collaborative": str(tenant.collaborative.pk), "name": tenant.agency.name.upper()}
    response = api.post(LIST, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {
        "name": ["An agency with this name already exists here."]
    }
    assert Agency.objects.filter(name__iexact=tenant.agency.name).count() == 1
    # Its twin: another name is accepted.
    body["name"] = tenant.agency.name.upper() + " WEST"
    assert api.post(LIST, body, format="json").status_code == 201


def test_it_refuses_a_case_variant_name_in_the_database_even_past_the_checks(tenant):
    # A concurrent save that passed full_clean() still meets the constraint.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(
            collaborative=tenant.collaborative, name=tenant.agency.name.lower(), slug="x-1"
        )
    Agency.objects.create(
        collaborative=tenant.collaborative, name=tenant.agency.name + " II", slug="x-2"
    )


def test_it_refuses_create_to_a_member_without_the_right(client_for, tenant):
    response = client_for(tenant.user(Role.IPS_SUPERVISOR)).post(
        LIST, {"collaborative": str(tenant.collaborative.pk), "name": "Nope"}, format="json"
    )
    assert response.status_code == 403
    assert not Agency.objects.filter(name="Nope").exists()


def test_it_answers_404_for_a_collaborative_the_user_is_not_in(client_for, tenant, other_tenant):
    response = client_for(tenant.user(Role.STATE_ADMIN)).post(
        LIST, {"collaborative": str(other_tenant.collaborative.pk), "name": "Nope"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not Agency.objects.filter(name="Nope").exists()


def test_it_answers_404_for_a_region_of_another_collaborative(client_for, tenant, other_tenant):
    response = client_for(tenant.user(Role.STATE_ADMIN)).post(
        LIST,
        {
            "collaborative": str(tenant.collaborative.pk),
            "name": "Nope",
            "region": str(other_tenant.region.pk),
        },
        format="json",
    )
    # The same answer as for a region that does not exist: nothing about it leaks.
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {}
    assert not Agency.objects.filter(name="Nope").exists()


def test_it_refuses_a_region_of_the_users_other_collaborative_as_a_field_error(
    client_for, tenant, other_tenant
):
    # A user in both collaboratives may see both regions; mixing them is a plain mistake.
    admin = tenant.user(Role.STATE_ADMIN)
    grant(admin, other_tenant.collaborative, Role.STATE_ADMIN)
    response = client_for(admin).post(
        LIST,
        {
            "collaborative": str(tenant.collaborative.pk),
            "name": "Mixed Up",
            "region": str(other_tenant.region.pk),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]
    assert not Agency.objects.filter(name="Mixed Up").exists()


# ------------------------------------------------------------------------------------------
# update
# ------------------------------------------------------------------------------------------


def _if_match(api, agency) -> dict:
    """The If-Match header of a client that read the agency first, as the API asks."""
    read = api.get(_detail(agency))
    assert read.status_code == 200, read.content
    return {"If-Match": read["ETag"]}


def test_it_lets_a_supervisor_change_their_agency(client_for, tenant):
    api = client_for(tenant.user(Role.IPS_SUPERVISOR))
    response = api.patch(
        _detail(tenant.agency),
        {"city": "Rolla", "phone": "573-555-0100"},
        format="json",
        headers=_if_match(api, tenant.agency),
    )
    assert response.status_code == 200, response.content
    tenant.agency.refresh_from_db()
    assert tenant.agency.city == "Rolla"
    assert tenant.agency.phone == "(573) 555-0100"  # stored one way
    assert response.json()["city"] == "Rolla"


def test_it_refuses_a_change_to_a_member_without_the_right(client_for, tenant):
    for role in (Role.AGENCY_LEADER, Role.FIDELITY_REVIEWER, Role.VR_LIAISON):
        api = client_for(tenant.user(role))
        response = api.patch(
            _detail(tenant.agency),
            {"city": "Nowhere"},
            format="json",
            headers=_if_match(api, tenant.agency),
        )
        assert response.status_code == 403, role
    tenant.agency.refresh_from_db()
    assert tenant.agency.city != "Nowhere"


def test_it_keeps_an_agency_in_its_collaborative(client_for, tenant, other_tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    grant(admin, other_tenant.collaborative, Role.STATE_ADMIN)
    api = client_for(admin)
    response = api.patch(
        _detail(tenant.agency),
        {"collaborative": str(other_tenant.collaborative.pk), "city": "Moved"},
        format="json",
        headers=_if_match(api, tenant.agency),
    )
    assert response.status_code == 200
    tenant.agency.refresh_from_db()
    assert tenant.agency.collaborative_id == tenant.collaborative.pk
    assert tenant.agency.city == "Moved"


def test_it_answers_404_when_a_change_names_a_region_outside_the_scope(
    client_for, tenant, other_tenant
):
    api = client_for(tenant.user(Role.STATE_ADMIN))
    response = api.patch(
        _detail(tenant.agency),
        {"region": str(other_tenant.region.pk)},
        format="json",
        headers=_if_match(api, tenant.agency),
    )
    assert response.status_code == 404
    tenant.agency.refresh_from_db()
    assert tenant.agency.region == tenant.region


def test_it_clears_the_region_with_null(client_for, tenant):
    api = client_for(tenant.user(Role.STATE_ADMIN))
    response = api.patch(
        _detail(tenant.agency),
        {"region": None},
        format="json",
        headers=_if_match(api, tenant.agency),
    )
    assert response.status_code == 200
    tenant.agency.refresh_from_db()
    assert tenant.agency.region is None


def test_it_answers_412_to_a_stale_etag_and_428_without_one(client_for, tenant):
    api = client_for(tenant.user(Role.STATE_TRAINER))
    stale = _if_match(api, tenant.agency)
    fresh = api.patch(_detail(tenant.agency), {"city": "First"}, format="json", headers=stale)
    assert fresh.status_code == 200
    assert fresh["ETag"] != stale["If-Match"]
    # A second editor who read before the first change is told, and nothing is written.
    late = api.patch(_detail(tenant.agency), {"city": "Second"}, format="json", headers=stale)
    assert late.status_code == 412
    assert late.json()["error"]["code"] == "precondition_failed"
    blind = api.patch(_detail(tenant.agency), {"city": "Third"}, format="json")
    assert blind.status_code == 428
    tenant.agency.refresh_from_db()
    assert tenant.agency.city == "First"
    again = api.patch(
        _detail(tenant.agency),
        {"city": "Second"},
        format="json",
        headers={"If-Match": fresh["ETag"]},
    )
    assert again.status_code == 200


def test_it_documents_if_match_and_the_412_and_428_answers_in_the_schema(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    schema = yaml.safe_load(client.get("/api/schema/").content)
    patch = schema["paths"]["/api/v1/agencies/{id}/"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    finalize = schema["paths"]["/api/v1/readiness-visits/{id}/finalize/"]["post"]
    assert {"412", "428"} <= set(finalize["responses"])


# ------------------------------------------------------------------------------------------
# CSRF, schema and docs
# ------------------------------------------------------------------------------------------


def test_it_requires_csrf_for_session_writes(tenant):
    api = APIClient(enforce_csrf_checks=True)
    assert api.login(email=tenant.user(Role.STATE_ADMIN).email, password=PASSWORD)
    data = {"collaborative": str(tenant.collaborative.pk), "name": "Csrf Checked"}

    refused = api.post(LIST, data, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert not Agency.objects.filter(name="Csrf Checked").exists()

    api.get("/")  # any page sets the CSRF cookie
    token = api.cookies["csrftoken"].value
    accepted = api.post(LIST, data, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    assert Agency.objects.filter(name="Csrf Checked").exists()


def test_it_needs_no_csrf_with_a_token(tenant):
    api = APIClient(enforce_csrf_checks=True)
    key = Token.objects.create(user=tenant.user(Role.STATE_ADMIN)).key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post(
        LIST, {"collaborative": str(tenant.collaborative.pk), "name": "Token Made"}, format="json"
    )
    assert response.status_code == 201


def test_it_publishes_a_valid_openapi_schema(client, db, tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert "/api/v1/agencies/" in schema["paths"]
    assert "/api/v1/agencies/{id}/" in schema["paths"]

    served = client.get("/api/schema/", {"format": "json"})
    assert served.status_code == 200
    assert json.loads(served.content)["info"]["title"] == "IPS Portal API"


def test_it_serves_the_api_docs_from_local_files(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    for cdn in ("cdn.", "jsdelivr", "unpkg", "cdnjs", "googleapis"):
        assert cdn not in html
    # Links within the page (the skip link of the portal's layout) fetch nothing.
    assets = [url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if url[0] != "#"]
    assert assets
    for url in assets:
        assert url.startswith("/"), url
    # Each asset really is served by the portal itself.
    for url in assets:
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url

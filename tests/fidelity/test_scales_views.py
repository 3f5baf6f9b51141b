"""The fidelity scale pages and ``/api/v1/fidelity-scales/``: members read the standard scale
and their own collaborative's adapted scales; another collaborative's adapted scale is a 404;
someone who belongs nowhere sees none. Query counts stay the same with 2 and 50 scales."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies.models import Role
from fidelity.models import FidelityScale
from fidelity.scale_install import install_scale
from tests.factories import make_user
from tests.fidelity.helpers import small_scale

pytestmark = pytest.mark.django_db
API = "/api/v1/fidelity-scales/"


@pytest.fixture
def adapted(tenant):
    return install_scale(small_scale(title="Our adapted scale"), collaborative=tenant.collaborative)


@pytest.fixture
def foreign(other_tenant):
    return install_scale(
        small_scale(title="Their adapted scale"), collaborative=other_tenant.collaborative
    )


def _standard():
    return FidelityScale.objects.get(collaborative=None, slug="ips-se")


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.EMPLOYMENT_SPECIALIST, Role.VR_LIAISON])
def test_it_lists_the_standard_and_own_adapted_scales(client, tenant, adapted, foreign, role):
    client.force_login(tenant.user(role))
    page = client.get("/fidelity/scales/").content.decode()
    assert "IPS Supported Employment Fidelity Scale" in page
    assert "Our adapted scale" in page
    assert "Their adapted scale" not in page


def test_it_shows_every_item_with_its_anchors(client, tenant):
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    page = client.get(f"/fidelity/scales/{_standard().pk}/").content.decode()
    assert page.count('<article class="card mb-3"') == 25
    assert "Staffing 1. Caseload size" in page
    assert "20 people or fewer per full-time employment specialist." in page
    assert "Good fidelity</strong>: 100 to 114" in page


def test_it_answers_404_for_another_collaboratives_adapted_scale(client, tenant, adapted, foreign):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    assert client.get(f"/fidelity/scales/{foreign.pk}/").status_code == 404
    assert client.get(f"/fidelity/scales/{adapted.pk}/").status_code == 200


def test_it_shows_no_scale_to_someone_who_belongs_nowhere(client, tenant):
    client.force_login(make_user())
    assert client.get(f"/fidelity/scales/{_standard().pk}/").status_code == 404
    assert client.get("/fidelity/scales/").status_code == 200
    api = APIClient()
    api.force_login(make_user())
    assert api.get(API).json()["count"] == 0


def test_it_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/fidelity/scales/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_gives_the_scale_in_the_api_with_keys_sections_and_anchors(tenant, adapted, foreign):
    api = APIClient()
    api.force_login(tenant.user(Role.FIDELITY_REVIEWER))
    listed = api.get(API).json()
    assert {s["title"] for s in listed["results"]} == {
        "IPS Supported Employment Fidelity Scale",
        "Our adapted scale",
    }
    body = api.get(f"{API}{_standard().pk}/").json()
    assert [s["key"] for s in body["sections"]] == ["staffing", "organization", "services"]
    first = body["sections"][0]["items"][0]
    assert first["key"] == "caseload_size" and first["section"] == "staffing"
    assert sorted(first["anchors"]) == ["1", "2", "3", "4", "5"]
    assert {b["key"]: (b["min_total"], b["max_total"]) for b in body["bands"]}["fair"] == (74, 99)
    assert api.get(f"{API}{foreign.pk}/").status_code == 404
    assert api.get(f"{API}?slug=small").json()["count"] == 1
    assert body["collaborative"] is None
    assert api.get(f"{API}?is_active=true").json()["count"] == 2
    assert api.get(f"{API}?is_active=false").json()["count"] == 0
    refused = api.get(f"{API}?is_active=null")
    assert refused.status_code == 400 and "is_active" in refused.json()["error"]["fields"]


def test_it_refuses_writes_to_the_scales_api(tenant):
    api = APIClient()
    api.force_login(tenant.user(Role.STATE_ADMIN))
    assert api.post(API, {"title": "x"}, format="json").status_code == 405
    assert api.delete(f"{API}{_standard().pk}/").status_code == 405


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_it_reads_the_scales_with_the_same_queries_for_2_and_50(client, tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    client.force_login(admin)
    api = APIClient()
    api.force_login(admin)
    install_scale(small_scale(slug="extra-1"), collaborative=tenant.collaborative)

    def both():
        assert client.get("/fidelity/scales/").status_code == 200
        assert api.get(f"{API}?page_size=100").status_code == 200

    few = _count(both)
    for n in range(2, 50):
        install_scale(small_scale(slug=f"extra-{n}"), collaborative=tenant.collaborative)
    assert FidelityScale.objects.filter(collaborative=tenant.collaborative).count() == 49
    assert _count(both) == few

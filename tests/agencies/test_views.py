"""The agency pages: who may open each one, search and filters, forms and their errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, ImplementationPhase, Region, Role
from ipsportal.models import Document
from tests.factories import grant, make_agency, make_collaborative, make_region, make_user

A = Role


def _form_data(**overrides) -> dict:
    data = {
        "name": "Bluff City Services",
        "region": "",
        "street": "12 Levee Road",
        "city": "Hannibal",
        "state": "MO",
        "postal_code": "63401",
        "phone": "",
        "implementation_phase": ImplementationPhase.EXPLORING,
        "implementation_start_date": "",
        "vr_vendor_status": "not_vendor",
        "partner_employment_agency": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def _edit_data(agency, **overrides) -> dict:
    current = {
        "name": agency.name,
        "region": str(agency.region_id or ""),
        "city": agency.city,
        "implementation_phase": agency.implementation_phase,
    }
    return _form_data(**{**current, **overrides})


# ------------------------------------------------------------------------------------------
# The three access cases, view by view
# ------------------------------------------------------------------------------------------


def test_it_lists_the_agencies_a_member_may_see(client, tenant):
    client.force_login(tenant.user(A.STATE_ADMIN))
    page = client.get(reverse("agencies:list")).content.decode()
    assert tenant.agency.name in page
    assert tenant.other_agency.name in page

    client.force_login(tenant.user(A.EMPLOYMENT_SPECIALIST))
    page = client.get(reverse("agencies:list")).content.decode()
    assert tenant.agency.name in page
    assert tenant.other_agency.name not in page


def test_it_answers_404_on_the_list_for_someone_in_no_collaborative(client, db):
    client.force_login(make_user())
    assert client.get(reverse("agencies:list")).status_code == 404


def test_it_never_lists_agencies_of_another_collaborative(client, tenant, other_tenant):
    client.force_login(other_tenant.user(A.STATE_ADMIN))
    page = client.get(reverse("agencies:list"), {"q": "Agency"}).content.decode()
    assert other_tenant.agency.name in page
    assert tenant.agency.name not in page
    assert tenant.other_agency.name not in page


@pytest.mark.parametrize("role", list(Role))
def test_it_shows_an_agency_to_every_role_that_covers_it(client, tenant, role):
    client.force_login(tenant.user(role))
    response = client.get(reverse("agencies:detail", args=[tenant.agency.pk]))
    assert response.status_code == 200
    assert f'<h1 class="h2 mb-1">{tenant.agency.name}</h1>' in response.content.decode()


def test_it_answers_404_for_an_agency_outside_the_scope(client, tenant, other_tenant):
    url = reverse("agencies:detail", args=[tenant.agency.pk])
    client.force_login(tenant.other_agency_users[A.IPS_SUPERVISOR])
    assert client.get(url).status_code == 404
    client.force_login(tenant.user(A.STATE_TRAINER))  # assigned to ``agency`` only
    assert client.get(reverse("agencies:detail", args=[tenant.other_agency.pk])).status_code == 404
    client.force_login(other_tenant.user(A.STATE_ADMIN))
    response = client.get(url)
    assert response.status_code == 404
    assert tenant.agency.name not in response.content.decode()


def test_it_offers_edit_and_pdf_only_to_those_who_may(client, tenant):
    url = reverse("agencies:detail", args=[tenant.agency.pk])
    edit = reverse("agencies:edit", args=[tenant.agency.pk])
    pdf = reverse("agencies:summary_pdf", args=[tenant.agency.pk])
    client.force_login(tenant.user(A.IPS_SUPERVISOR))
    page = client.get(url).content.decode()
    assert edit in page
    assert pdf in page
    client.force_login(tenant.user(A.EMPLOYMENT_SPECIALIST))
    page = client.get(url).content.decode()
    assert edit not in page
    assert pdf not in page


@pytest.mark.parametrize("role", [A.STATE_ADMIN, A.STATE_TRAINER])
def test_it_lets_state_staff_add_an_agency(client, tenant, role):
    client.force_login(tenant.user(role))
    assert client.get(reverse("agencies:create")).status_code == 200
    response = client.post(reverse("agencies:create"), _form_data(region=str(tenant.region.pk)))
    agency = Agency.objects.get(name="Bluff City Services")
    assert response.status_code == 302
    assert response["Location"] == agency.get_absolute_url()
    assert agency.collaborative == tenant.collaborative
    assert agency.region == tenant.region
    assert agency.slug == "bluff-city-services"


@pytest.mark.parametrize(
    "role",
    [A.FIDELITY_REVIEWER, A.VR_LIAISON, A.IPS_SUPERVISOR, A.AGENCY_LEADER, A.EMPLOYMENT_SPECIALIST],
)
def test_it_refuses_the_agency_form_to_other_roles(client, tenant, role):
    client.force_login(tenant.user(role))
    assert client.get(reverse("agencies:create")).status_code == 403
    assert client.post(reverse("agencies:create"), _form_data()).status_code == 403
    assert not Agency.objects.filter(name="Bluff City Services").exists()


def test_it_adds_an_agency_to_the_active_collaborative_only(client, tenant, other_tenant):
    client.force_login(other_tenant.user(A.STATE_ADMIN))
    client.post(reverse("agencies:create"), _form_data())
    assert (
        Agency.objects.get(name="Bluff City Services").collaborative == other_tenant.collaborative
    )


@pytest.mark.parametrize("role", [A.STATE_ADMIN, A.STATE_TRAINER, A.IPS_SUPERVISOR])
def test_it_lets_editors_change_an_agency(client, tenant, role):
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    client.force_login(tenant.user(role))
    assert client.get(url).status_code == 200
    response = client.post(url, _edit_data(tenant.agency, city="Sedalia", phone="660-555-0199"))
    assert response.status_code == 302
    tenant.agency.refresh_from_db()
    assert tenant.agency.city == "Sedalia"
    assert tenant.agency.phone == "(660) 555-0199"  # stored one way


@pytest.mark.parametrize(
    "role", [A.FIDELITY_REVIEWER, A.VR_LIAISON, A.AGENCY_LEADER, A.EMPLOYMENT_SPECIALIST]
)
def test_it_refuses_changes_to_readers(client, tenant, role):
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    client.force_login(tenant.user(role))
    assert client.get(url).status_code == 403
    assert client.post(url, _edit_data(tenant.agency, city="Nope")).status_code == 403
    tenant.agency.refresh_from_db()
    assert tenant.agency.city != "Nope"


def test_it_answers_404_on_the_edit_page_outside_the_scope(client, tenant, other_tenant):
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    client.force_login(tenant.other_agency_users[A.IPS_SUPERVISOR])
    assert client.get(url).status_code == 404
    client.force_login(other_tenant.user(A.STATE_ADMIN))
    assert client.get(url).status_code == 404
    assert client.post(url, _edit_data(tenant.agency, city="Nope")).status_code == 404
    tenant.agency.refresh_from_db()
    assert tenant.agency.city != "Nope"


def test_it_lets_state_staff_manage_regions(client, tenant):
    client.force_login(tenant.user(A.STATE_TRAINER))
    page = client.get(reverse("agencies:region_list"))
    assert page.status_code == 200
    assert tenant.region.name in page.content.decode()
    response = client.post(
        reverse("agencies:region_list"),
        {"name": "Bootheel", "liaison_name": "Dana Cruz", "liaison_email": "dana@example.org"},
    )
    assert response.status_code == 302
    region = Region.objects.get(name="Bootheel")
    assert region.collaborative == tenant.collaborative
    assert region.liaison_name == "Dana Cruz"


@pytest.mark.parametrize(
    "role",
    [A.FIDELITY_REVIEWER, A.VR_LIAISON, A.IPS_SUPERVISOR, A.AGENCY_LEADER, A.EMPLOYMENT_SPECIALIST],
)
def test_it_refuses_regions_to_other_roles(client, tenant, role):
    client.force_login(tenant.user(role))
    assert client.get(reverse("agencies:region_list")).status_code == 403
    assert client.post(reverse("agencies:region_list"), {"name": "Nope"}).status_code == 403
    edit = reverse("agencies:region_edit", args=[tenant.region.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"name": "Renamed"}).status_code == 403
    assert not Region.objects.filter(name__in=["Nope", "Renamed"]).exists()


def test_it_keeps_regions_to_their_collaborative(client, tenant, other_tenant):
    client.force_login(other_tenant.user(A.STATE_ADMIN))
    page = client.get(reverse("agencies:region_list")).content.decode()
    assert other_tenant.region.name in page
    assert str(tenant.region.pk) not in page
    edit = reverse("agencies:region_edit", args=[tenant.region.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "Renamed"}).status_code == 404
    tenant.region.refresh_from_db()
    assert tenant.region.name == "Home Region"


def test_it_lets_state_staff_edit_a_region(client, tenant):
    client.force_login(tenant.user(A.STATE_ADMIN))
    edit = reverse("agencies:region_edit", args=[tenant.region.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": "Ozarks", "liaison_name": "", "liaison_email": ""})
    assert response.status_code == 302
    tenant.region.refresh_from_db()
    assert tenant.region.name == "Ozarks"


def test_it_refuses_a_region_name_already_taken(client, tenant):
    make_region(tenant.collaborative, "Northwest")
    client.force_login(tenant.user(A.STATE_ADMIN))
    response = client.post(reverse("agencies:region_list"), {"name": "northwest"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Region.objects.filter(collaborative=tenant.collaborative).count() == 2


def test_it_shows_the_people_page_to_those_who_manage_users(client, tenant, other_tenant):
    client.force_login(tenant.user(A.IPS_SUPERVISOR))
    page = client.get(reverse("agencies:people"))
    assert page.status_code == 200
    body = page.content.decode()
    # A supervisor manages the staff of their own agency, not state staff or other agencies.
    assert tenant.user(A.EMPLOYMENT_SPECIALIST).email in body
    assert tenant.user(A.STATE_TRAINER).email not in body
    assert tenant.other_agency_users[A.EMPLOYMENT_SPECIALIST].email not in body

    client.force_login(other_tenant.user(A.STATE_ADMIN))
    body = client.get(reverse("agencies:people")).content.decode()
    assert other_tenant.user(A.STATE_TRAINER).email in body
    assert tenant.user(A.STATE_TRAINER).email not in body


@pytest.mark.parametrize(
    "role", [A.STATE_TRAINER, A.FIDELITY_REVIEWER, A.VR_LIAISON, A.AGENCY_LEADER]
)
def test_it_refuses_the_people_page_to_other_roles(client, tenant, role):
    client.force_login(tenant.user(role))
    assert client.get(reverse("agencies:people")).status_code == 403


def test_it_queues_the_summary_pdf_for_those_who_may_export(
    client, tenant, django_capture_on_commit_callbacks
):
    client.force_login(tenant.user(A.AGENCY_LEADER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agencies:summary_pdf", args=[tenant.agency.pk]))
    report = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.agency == tenant.agency
    assert report.status == Document.Status.READY


def test_it_refuses_the_summary_pdf_outside_the_scope_or_the_right(client, tenant, other_tenant):
    url = reverse("agencies:summary_pdf", args=[tenant.agency.pk])
    client.force_login(tenant.user(A.EMPLOYMENT_SPECIALIST))
    assert client.post(url).status_code == 403
    client.force_login(tenant.other_agency_users[A.IPS_SUPERVISOR])
    assert client.post(url).status_code == 404
    client.force_login(other_tenant.user(A.STATE_ADMIN))
    assert client.post(url).status_code == 404
    client.force_login(tenant.user(A.STATE_ADMIN))
    assert client.get(url).status_code == 405  # a PDF is requested with POST only
    assert not Document.objects.exists()


# ------------------------------------------------------------------------------------------
# Search, filters, pagination, empty states
# ------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(tenant):
    """Three more agencies of the tenant with distinct cities, regions and phases."""
    north = make_region(tenant.collaborative, "North")
    make_agency(
        tenant.collaborative,
        "Maple Grove Clinic",
        city="Kirksville",
        region=north,
        implementation_phase=ImplementationPhase.SUSTAINING,
    )
    make_agency(
        tenant.collaborative,
        "Cedar Point Health",
        city="Columbia",
        region=north,
        implementation_phase=ImplementationPhase.EARLY,
    )
    make_agency(
        tenant.collaborative,
        "Willow Creek Center",
        city="Columbia",
        implementation_phase=ImplementationPhase.SUSTAINING,
    )
    return north


def _listed(response) -> set[str]:
    return {a.name for a in response.context["agencies"]}


def test_it_searches_by_name_or_city(client, tenant, catalogue):
    client.force_login(tenant.user(A.STATE_ADMIN))
    by_name = client.get(reverse("agencies:list"), {"q": "maple"})
    assert _listed(by_name) == {"Maple Grove Clinic"}
    assert "1 agency match your search" in by_name.content.decode()
    by_city = client.get(reverse("agencies:list"), {"q": "COLUMBIA"})
    assert _listed(by_city) == {"Cedar Point Health", "Willow Creek Center"}


def test_it_filters_by_region_and_phase(client, tenant, catalogue):
    client.force_login(tenant.user(A.STATE_ADMIN))
    url = reverse("agencies:list")
    by_region = client.get(url, {"region": str(catalogue.pk)})
    assert _listed(by_region) == {"Maple Grove Clinic", "Cedar Point Health"}
    by_phase = client.get(url, {"phase": ImplementationPhase.SUSTAINING})
    assert _listed(by_phase) == {"Maple Grove Clinic", "Willow Creek Center"}
    both = client.get(url, {"region": str(catalogue.pk), "phase": ImplementationPhase.EARLY})
    assert _listed(both) == {"Cedar Point Health"}
    assert "selected>North</option>" in both.content.decode()


def test_it_ignores_filters_it_does_not_know(client, tenant, other_tenant, catalogue):
    client.force_login(tenant.user(A.STATE_ADMIN))
    url = reverse("agencies:list")
    every = _listed(client.get(url))
    assert len(every) == 5
    # A region of another collaborative or a made-up phase filters nothing (and leaks nothing).
    assert _listed(client.get(url, {"region": str(other_tenant.region.pk)})) == every
    assert _listed(client.get(url, {"phase": "nonsense"})) == every
    assert _listed(client.get(url, {"region": "not-a-uuid"})) == every


def test_it_returns_only_the_table_to_htmx(client, tenant, catalogue):
    client.force_login(tenant.user(A.STATE_ADMIN))
    response = client.get(reverse("agencies:list"), {"q": "willow"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="agency-results">')
    assert "<html" not in body
    assert "Willow Creek Center" in body
    assert "Maple Grove Clinic" not in body


def test_it_pages_through_many_agencies(client, tenant):
    for n in range(28):
        make_agency(tenant.collaborative, f"Zz Agency {n:02d}")
    client.force_login(tenant.user(A.STATE_ADMIN))
    first = client.get(reverse("agencies:list"))
    assert len(first.context["agencies"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert "30 agencies." in first.content.decode()
    second = client.get(reverse("agencies:list"), {"page": 2})
    assert len(second.context["agencies"]) == 5
    assert "Page 2 of 2" in second.content.decode()
    assert "Zz Agency 27" in second.content.decode()
    assert not set(_listed(first)) & set(_listed(second))
    # Past the end, the last page; nonsense, the first.
    assert client.get(reverse("agencies:list"), {"page": 99}).context["page_obj"].number == 2
    assert client.get(reverse("agencies:list"), {"page": "x"}).context["page_obj"].number == 1


def test_it_keeps_the_search_when_paging(client, tenant):
    for n in range(27):
        make_agency(tenant.collaborative, f"Delta {n:02d}")
    client.force_login(tenant.user(A.STATE_ADMIN))
    body = client.get(reverse("agencies:list"), {"q": "delta"}).content.decode()
    assert "?q=delta&amp;page=2" in body


def test_it_explains_an_empty_list(client, db):
    collaborative = make_collaborative()
    admin = make_user()
    grant(admin, collaborative, A.STATE_ADMIN)
    client.force_login(admin)
    body = client.get(reverse("agencies:list")).content.decode()
    assert "There are no agencies in your scope yet." in body
    assert reverse("agencies:create") in body

    trainer = make_user()
    grant(trainer, collaborative, A.VR_LIAISON)
    client.force_login(trainer)
    body = client.get(reverse("agencies:list")).content.decode()
    assert "There are no agencies in your scope yet." in body
    assert "Add the first agency" not in body


def test_it_explains_a_search_without_results(client, tenant):
    client.force_login(tenant.user(A.STATE_ADMIN))
    body = client.get(reverse("agencies:list"), {"q": "no such place"}).content.decode()
    assert "No agency matches your search." in body
    assert "Show all agencies" in body


def test_it_runs_the_same_number_of_queries_for_2_and_50_agencies(client, tenant):
    client.force_login(tenant.user(A.STATE_ADMIN))
    url = reverse("agencies:list")
    client.get(url)  # warm up the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with_two = count()
    for n in range(48):
        make_agency(tenant.collaborative, region=tenant.region if n % 2 else None)
    with_fifty = count()
    assert with_fifty == with_two


# ------------------------------------------------------------------------------------------
# Form errors
# ------------------------------------------------------------------------------------------


def test_it_refuses_a_duplicate_agency_name_on_its_field(client, tenant):
    client.force_login(tenant.user(A.STATE_ADMIN))
    before = Agency.objects.count()
    response = client.post(reverse("agencies:create"), _form_data(name=tenant.agency.name.upper()))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["An agency with this name already exists here."]
    assert "Please correct the fields marked below." in response.content.decode()
    assert Agency.objects.count() == before


def test_it_allows_the_same_name_in_another_collaborative(client, tenant, other_tenant):
    client.force_login(other_tenant.user(A.STATE_ADMIN))
    response = client.post(reverse("agencies:create"), _form_data(name=tenant.agency.name))
    assert response.status_code == 302
    assert Agency.objects.filter(name=tenant.agency.name).count() == 2


def test_it_refuses_a_region_of_another_collaborative_on_edit(client, tenant, other_tenant):
    admin = tenant.user(A.STATE_ADMIN)
    client.force_login(admin)
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    response = client.post(url, _edit_data(tenant.agency, region=str(other_tenant.region.pk)))
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    tenant.agency.refresh_from_db()
    assert tenant.agency.region == tenant.region

    # Even for someone who belongs to both collaboratives.
    grant(admin, other_tenant.collaborative, A.STATE_ADMIN)
    response = client.post(url, _edit_data(tenant.agency, region=str(other_tenant.region.pk)))
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    tenant.agency.refresh_from_db()
    assert tenant.agency.region == tenant.region


def test_it_offers_only_regions_of_the_agencys_collaborative(client, tenant, other_tenant):
    client.force_login(tenant.user(A.STATE_ADMIN))
    page = client.get(reverse("agencies:edit", args=[tenant.agency.pk])).content.decode()
    assert str(tenant.region.pk) in page
    assert str(other_tenant.region.pk) not in page


def test_it_marks_required_fields_when_they_are_missing(client, tenant):
    client.force_login(tenant.user(A.STATE_ADMIN))
    response = client.post(reverse("agencies:create"), _form_data(name=""))
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert 'class="textinput form-control is-invalid"' in response.content.decode()

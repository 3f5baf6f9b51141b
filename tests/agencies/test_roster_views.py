"""The roster pages and the structure panel: the three access cases on every page, the forms
and their refusals (naming the field, saving nothing), and a constant number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import services
from agencies.models import Role, StaffMember, StaffRole, TreatmentTeam, VRCounselor

R = Role
EDITORS = [R.STATE_ADMIN, R.STATE_TRAINER, R.IPS_SUPERVISOR]
READERS = [R.FIDELITY_REVIEWER, R.VR_LIAISON, R.AGENCY_LEADER, R.EMPLOYMENT_SPECIALIST]


def es(tenant, agency=None, **fields):
    values = {"name": "Robin Vale", "role": StaffRole.EMPLOYMENT_SPECIALIST, "fte": Decimal("1")}
    return services.staff_member_create(
        user=tenant.user(R.STATE_ADMIN), agency=agency or tenant.agency, **{**values, **fields}
    )


def supervisor(tenant, agency=None, name="Sam Ortiz"):
    return es(tenant, agency, name=name, role=StaffRole.IPS_SUPERVISOR)


def team(tenant, agency=None, name="North team"):
    return services.treatment_team_save(
        user=tenant.user(R.STATE_ADMIN), agency=agency or tenant.agency, name=name
    )


def staff_form(**overrides) -> dict:
    data = {
        "name": "Jordan Mills",
        "role": StaffRole.EMPLOYMENT_SPECIALIST,
        "fte": "1.00",
        "start_date": "2026-01-05",
        "end_date": "",
        "supervisor": "",
        "caseload": "18",
        "employment_services_only": "true",
        "employment_services_percent": "",
        "supervises_ips_only": "unknown",
        "community_time_percent": "70",
        "referrals_from_teams_percent": "95",
        "user": "",
    }
    data.update(overrides)
    return data


# -- the roster page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_it_shows_the_roster_to_every_role_of_the_agency(client, tenant, role):
    es(tenant, name="Robin Vale")
    client.force_login(tenant.user(role))
    response = client.get(reverse("agencies:roster", args=[tenant.agency.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Robin Vale" in page
    add = reverse("agencies:staff_add", args=[tenant.agency.pk])
    assert (add in page) is (role in EDITORS)


@pytest.mark.parametrize("role", list(Role))
def test_it_answers_404_on_the_roster_of_another_agency_or_collaborative(
    client, tenant, other_tenant, role
):
    es(tenant, name="Robin Vale")
    client.force_login(other_tenant.user(role))
    assert client.get(reverse("agencies:roster", args=[tenant.agency.pk])).status_code == 404
    if role != R.STATE_ADMIN:
        people = tenant.other_agency_users | tenant.elsewhere_users
        client.force_login(people[role])
        assert client.get(reverse("agencies:roster", args=[tenant.agency.pk])).status_code == 404


def test_it_shows_former_staff_apart(client, tenant):
    today = tenant.collaborative.today()
    es(tenant, name="Still Here", end_date=today)
    es(
        tenant,
        name="Gone Before",
        start_date=today - datetime.timedelta(days=90),
        end_date=today - datetime.timedelta(days=1),
    )
    client.force_login(tenant.user(R.AGENCY_LEADER))
    page = client.get(reverse("agencies:roster", args=[tenant.agency.pk])).content.decode()
    current, former = page.split('id="former-heading"')
    assert "Still Here" in current and "Gone Before" not in current
    assert "Gone Before" in former


def test_it_searches_the_roster_by_name(client, tenant):
    es(tenant, name="Robin Vale")
    es(tenant, name="Kim Park")
    client.force_login(tenant.user(R.IPS_SUPERVISOR))
    page = client.get(reverse("agencies:roster", args=[tenant.agency.pk]), {"q": "kim"})
    assert "Kim Park" in page.content.decode()
    assert "Robin Vale" not in page.content.decode()


def _roster_queries(client, tenant, count: int) -> int:
    boss = supervisor(tenant)
    teams = [team(tenant, name=f"Team {n}") for n in range(3)]
    today = tenant.collaborative.today()
    for n in range(count):
        es(tenant, name=f"Current {n:02}", supervisor=boss, treatment_teams=teams[:2])
        es(tenant, name=f"Former {n:02}", end_date=today - datetime.timedelta(days=1 + n))
        services.vr_counselor_save(
            user=tenant.user(R.STATE_ADMIN), agency=tenant.agency, name=f"Counselor {n:02}"
        )
    client.force_login(tenant.user(R.IPS_SUPERVISOR))
    url = reverse("agencies:roster", args=[tenant.agency.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert f"Current {count - 1:02}" in response.content.decode() or count > 25
    return len(queries)


def test_it_shows_the_roster_in_the_same_number_of_queries_for_2_and_50_rows(
    client, tenant, other_tenant
):
    few = _roster_queries(client, tenant, 2)
    many = _roster_queries(client, other_tenant, 50)
    assert few == many


# -- adding, changing, ending ----------------------------------------------------------------


@pytest.mark.parametrize("role", EDITORS)
def test_it_lets_editors_add_a_person_to_the_roster(client, tenant, role):
    north = team(tenant)
    boss = supervisor(tenant)
    client.force_login(tenant.user(role))
    url = reverse("agencies:staff_add", args=[tenant.agency.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, staff_form(treatment_teams=[str(north.pk)], supervisor=str(boss.pk))
    )
    assert response.status_code == 302
    member = StaffMember.objects.get(name="Jordan Mills")
    assert member.agency == tenant.agency
    assert member.supervisor == boss
    assert list(member.treatment_teams.all()) == [north]
    assert member.employment_services_only is True
    assert member.supervises_ips_only is None


@pytest.mark.parametrize("role", READERS)
def test_it_refuses_the_roster_forms_to_readers(client, tenant, role):
    member = es(tenant)
    north = team(tenant)
    counselor = services.vr_counselor_save(
        user=tenant.user(R.STATE_ADMIN), agency=tenant.agency, name="Vic Ray"
    )
    client.force_login(tenant.user(role))
    agency = tenant.agency.pk
    for url in (
        reverse("agencies:staff_add", args=[agency]),
        reverse("agencies:staff_edit", args=[member.pk]),
        reverse("agencies:team_add", args=[agency]),
        reverse("agencies:team_edit", args=[north.pk]),
        reverse("agencies:counselor_add", args=[agency]),
        reverse("agencies:counselor_edit", args=[counselor.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, staff_form(name="Changed")).status_code == 403, url
    response = client.post(
        reverse("agencies:staff_end", args=[member.pk]), {"end_date": "2026-01-01"}
    )
    assert response.status_code == 403
    assert not StaffMember.objects.filter(name="Changed").exists()
    assert StaffMember.objects.get(pk=member.pk).end_date is None


def test_it_answers_404_on_the_forms_of_another_agency(client, tenant, other_tenant):
    theirs = es(tenant, agency=tenant.other_agency)
    their_team = team(tenant, agency=tenant.other_agency)
    client.force_login(tenant.user(R.IPS_SUPERVISOR))
    assert client.get(reverse("agencies:staff_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("agencies:team_edit", args=[their_team.pk])).status_code == 404
    url = reverse("agencies:staff_add", args=[tenant.other_agency.pk])
    assert client.post(url, staff_form()).status_code == 404
    client.force_login(other_tenant.user(R.STATE_ADMIN))
    response = client.post(
        reverse("agencies:staff_end", args=[theirs.pk]), {"end_date": "2026-01-01"}
    )
    assert response.status_code == 404
    assert StaffMember.objects.get(pk=theirs.pk).end_date is None


def test_it_changes_an_entry_and_ends_it(client, tenant):
    member = es(tenant, caseload=12)
    client.force_login(tenant.user(R.IPS_SUPERVISOR))
    url = reverse("agencies:staff_edit", args=[member.pk])
    assert "Robin Vale" in client.get(url).content.decode()
    assert client.post(url, staff_form(name="Robin Vale", caseload="16")).status_code == 302
    assert StaffMember.objects.get(pk=member.pk).caseload == 16
    end = reverse("agencies:staff_end", args=[member.pk])
    assert client.post(end, {"end_date": "2026-12-31"}).status_code == 302
    assert StaffMember.objects.get(pk=member.pk).end_date == datetime.date(2026, 12, 31)


def test_it_adds_and_changes_teams_and_counselors(client, tenant):
    client.force_login(tenant.user(R.STATE_TRAINER))
    agency = tenant.agency.pk
    response = client.post(reverse("agencies:team_add", args=[agency]), {"name": "ACT team"})
    assert response.status_code == 302
    act = TreatmentTeam.objects.get(name="ACT team")
    assert act.agency == tenant.agency
    url = reverse("agencies:team_edit", args=[act.pk])
    assert client.post(url, {"name": "ACT team", "notes": "Meets Tuesdays"}).status_code == 302
    assert TreatmentTeam.objects.get(pk=act.pk).notes == "Meets Tuesdays"
    response = client.post(
        reverse("agencies:counselor_add", args=[agency]),
        {"name": "Vic Ray", "vr_office": "Kansas City East", "email": ""},
    )
    assert response.status_code == 302
    vic = VRCounselor.objects.get(name="Vic Ray")
    url = reverse("agencies:counselor_edit", args=[vic.pk])
    client.post(url, {"name": "Vic Ray", "vr_office": "Independence", "email": "vic@example.org"})
    assert VRCounselor.objects.get(pk=vic.pk).email == "vic@example.org"
    # A duplicate team name is refused on the name field.
    response = client.post(reverse("agencies:team_add", args=[agency]), {"name": "act TEAM"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]


# -- bad input: the field is named and nothing is saved --------------------------------------


def _refused_on(client, tenant, field: str, **overrides) -> str:
    client.force_login(tenant.user(R.STATE_ADMIN))
    before = StaffMember.objects.count()
    response = client.post(
        reverse("agencies:staff_add", args=[tenant.agency.pk]), staff_form(**overrides)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert StaffMember.objects.count() == before
    assert "Nothing was saved" in response.content.decode()
    return " ".join(errors[field])


@pytest.mark.parametrize("fte", ["-1", "0", "1.6"])
def test_it_refuses_an_fte_out_of_range_on_the_page(client, tenant, fte):
    _refused_on(client, tenant, "fte", fte=fte)


def test_it_refuses_140_percent_in_the_community_on_the_page(client, tenant):
    _refused_on(client, tenant, "community_time_percent", community_time_percent="140")


def test_it_refuses_an_end_before_the_start_on_the_page(client, tenant):
    text = _refused_on(client, tenant, "end_date", start_date="2026-03-01", end_date="2026-02-01")
    assert "before the start date" in text


def test_it_refuses_an_impossible_date_on_the_page(client, tenant):
    _refused_on(client, tenant, "start_date", start_date="2026-02-30")


def test_it_refuses_a_team_of_another_agency_on_the_page(client, tenant):
    theirs = team(tenant, agency=tenant.other_agency)
    _refused_on(client, tenant, "treatment_teams", treatment_teams=[str(theirs.pk)])


def test_it_refuses_a_supervisor_of_another_agency_on_the_page(client, tenant):
    theirs = supervisor(tenant, agency=tenant.other_agency)
    _refused_on(client, tenant, "supervisor", supervisor=str(theirs.pk))


def test_it_refuses_a_supervisor_who_is_not_a_supervisor_entry_on_the_page(client, tenant):
    colleague = es(tenant, name="Kim Park")
    _refused_on(client, tenant, "supervisor", supervisor=str(colleague.pk))


# -- the structure panel on the agency page --------------------------------------------------


def _panel(client, tenant, role=R.AGENCY_LEADER) -> str:
    client.force_login(tenant.user(role))
    page = client.get(reverse("agencies:detail", args=[tenant.agency.pk])).content.decode()
    start = page.index('id="structure-panel"')
    return page[start : page.index("</section>", start)]


def test_it_shows_not_enough_data_on_the_agency_page_of_an_empty_roster(client, tenant):
    panel = _panel(client, tenant)
    assert panel.count('data-status="no_data"') == 7
    assert "Met</span>" not in panel
    assert reverse("agencies:roster", args=[tenant.agency.pk]) in panel


def test_it_shows_the_checks_met_and_not_met_on_the_agency_page(client, tenant):
    boss = supervisor(tenant)
    StaffMember.objects.filter(pk=boss.pk).update(caseload=2, supervises_ips_only=True)
    north = team(tenant)
    es(
        tenant,
        supervisor=boss,
        caseload=21,
        community_time_percent=64,
        employment_services_only=True,
        treatment_teams=[north],
        referrals_from_teams_percent=90,
    )
    panel = _panel(client, tenant, R.EMPLOYMENT_SPECIALIST)
    assert 'data-check="es_caseload" data-status="not_met"' in panel
    assert "Highest: 21 per FTE (Robin Vale)" in panel
    assert 'data-check="es_community_time" data-status="not_met"' in panel
    assert 'data-check="es_team_assignment" data-status="met"' in panel
    assert 'data-check="supervisor_ratio" data-status="met"' in panel


def test_it_lists_supervisors_before_specialists(client, tenant):
    es(tenant, name="Aaron Able")
    supervisor(tenant, name="Zoe Zimmer")
    client.force_login(tenant.user(R.IPS_SUPERVISOR))
    page = client.get(reverse("agencies:roster", args=[tenant.agency.pk])).content.decode()
    assert page.index("Zoe Zimmer") < page.index("Aaron Able")

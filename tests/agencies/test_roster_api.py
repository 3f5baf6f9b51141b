"""The roster API: staff members, treatment teams, VR counselors and an agency's structure
checks, with the three access cases, ETag/If-Match, refusals naming the field and a constant
number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Role, StaffMember, StaffRole, TreatmentTeam, VRCounselor

R = Role
STAFF = "/api/v1/staff-members/"
TEAMS = "/api/v1/treatment-teams/"
COUNSELORS = "/api/v1/vr-counselors/"
EDITORS = [R.STATE_ADMIN, R.STATE_TRAINER, R.IPS_SUPERVISOR]
READERS = [R.FIDELITY_REVIEWER, R.VR_LIAISON, R.AGENCY_LEADER, R.EMPLOYMENT_SPECIALIST]

FIELDS = {
    "id",
    "agency",
    "name",
    "role",
    "fte",
    "start_date",
    "end_date",
    "employment_services_only",
    "supervisor",
    "caseload",
    "community_time_percent",
    "treatment_teams",
    "referrals_from_teams_percent",
    "user",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


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


def body(tenant, **overrides) -> dict:
    data = {
        "agency": str(tenant.agency.pk),
        "name": "Jordan Mills",
        "role": "employment_specialist",
        "fte": "1.00",
        "caseload": 18,
        "community_time_percent": 70,
        "employment_services_only": True,
    }
    data.update(overrides)
    return data


def etag(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return {"If-Match": response["ETag"]}


# -- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_it_lists_the_roster_to_every_role_of_the_agency(tenant, role):
    boss = supervisor(tenant)
    north = team(tenant)
    member = es(
        tenant,
        supervisor=boss,
        treatment_teams=[north],
        account=tenant.user(R.EMPLOYMENT_SPECIALIST),
    )
    es(tenant, agency=tenant.other_agency, name="Elsewhere Person")
    client = api(tenant.user(role))
    rows = client.get(STAFF, {"agency": str(tenant.agency.pk)}).json()["results"]
    assert {r["name"] for r in rows} == {"Robin Vale", "Sam Ortiz"}
    (row,) = [r for r in rows if r["id"] == str(member.pk)]
    assert set(row) >= FIELDS
    assert row["agency"] == str(tenant.agency.pk)
    assert row["supervisor"] == str(boss.pk)
    assert row["treatment_teams"] == [str(north.pk)]
    assert row["user"] == tenant.user(R.EMPLOYMENT_SPECIALIST).pk
    assert row["role"] == "employment_specialist"
    assert row["is_current"] is True
    assert client.get(f"{STAFF}{member.pk}/").status_code == 200
    assert client.get(TEAMS).json()["count"] == 1
    assert client.get(f"{TEAMS}{north.pk}/").status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_it_answers_404_to_another_collaborative_or_agency(tenant, other_tenant, role):
    member = es(tenant)
    north = team(tenant)
    counselor = services.vr_counselor_save(
        user=tenant.user(R.STATE_ADMIN), agency=tenant.agency, name="Vic Ray"
    )
    outsiders = [other_tenant.user(role)]
    if role != R.STATE_ADMIN:
        outsiders.append((tenant.other_agency_users | tenant.elsewhere_users)[role])
    for outsider in outsiders:
        client = api(outsider)
        assert client.get(STAFF).json()["count"] == 0
        assert client.get(TEAMS).json()["count"] == 0
        assert client.get(COUNSELORS).json()["count"] == 0
        for url in (f"{STAFF}{member.pk}/", f"{TEAMS}{north.pk}/", f"{COUNSELORS}{counselor.pk}/"):
            assert client.get(url).status_code == 404
            assert client.patch(url, {"name": "X"}, format="json").status_code == 404
        checks = f"/api/v1/agencies/{tenant.agency.pk}/structure-checks/"
        assert client.get(checks).status_code == 404
        assert client.post(STAFF, body(tenant), format="json").status_code == 404
    assert StaffMember.objects.get(pk=member.pk).name == "Robin Vale"
    assert StaffMember.objects.count() == 1


def test_it_filters_current_and_former_staff(tenant):
    today = tenant.collaborative.today()
    es(tenant, name="Here")
    es(tenant, name="Gone", end_date=today - datetime.timedelta(days=1))
    client = api(tenant.user(R.VR_LIAISON))
    current = client.get(STAFF, {"current": "true"}).json()["results"]
    former = client.get(STAFF, {"current": "false"}).json()["results"]
    assert [r["name"] for r in current] == ["Here"]
    assert [(r["name"], r["is_current"]) for r in former] == [("Gone", False)]
    assert [r["name"] for r in client.get(STAFF, {"q": "her"}).json()["results"]] == ["Here"]


def _list_queries(tenant, count: int, url: str) -> int:
    boss = supervisor(tenant)
    teams = [team(tenant, name=f"Team {n:02}") for n in range(count)]
    for n in range(count):
        on = [teams[n], teams[(n + 1) % count]]
        es(tenant, name=f"Person {n:02}", supervisor=boss, treatment_teams=on)
        services.vr_counselor_save(
            user=tenant.user(R.STATE_ADMIN), agency=tenant.agency, name=f"Counselor {n:02}"
        )
    client = api(tenant.user(R.IPS_SUPERVISOR))
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= count
    return len(queries)


@pytest.mark.parametrize("url", [STAFF, TEAMS, COUNSELORS])
def test_it_lists_in_the_same_number_of_queries_for_2_and_50_rows(tenant, other_tenant, url):
    assert _list_queries(tenant, 2, url) == _list_queries(other_tenant, 50, url)


# -- writing ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", EDITORS)
def test_it_lets_editors_add_and_change_entries(tenant, role):
    boss = supervisor(tenant)
    north = team(tenant)
    client = api(tenant.user(role))
    response = client.post(
        STAFF,
        body(tenant, supervisor=str(boss.pk), treatment_teams=[str(north.pk)]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response["ETag"]
    created = StaffMember.objects.get(pk=response.json()["id"])
    assert created.supervisor == boss
    assert list(created.treatment_teams.all()) == [north]

    url = f"{STAFF}{created.pk}/"
    response = client.patch(
        url, {"caseload": 12, "end_date": "2030-06-30"}, format="json", headers=etag(client, url)
    )
    assert response.status_code == 200, response.json()
    created.refresh_from_db()
    assert (created.caseload, created.end_date) == (12, datetime.date(2030, 6, 30))
    assert list(created.treatment_teams.all()) == [north]  # left out: left as it was


@pytest.mark.parametrize("role", READERS)
def test_it_refuses_writes_to_readers_with_403(tenant, role):
    member = es(tenant)
    north = team(tenant)
    client = api(tenant.user(role))
    assert client.post(STAFF, body(tenant), format="json").status_code == 403
    url = f"{STAFF}{member.pk}/"
    response = client.patch(url, {"caseload": 3}, format="json", headers=etag(client, url))
    assert response.status_code == 403
    team_url = f"{TEAMS}{north.pk}/"
    response = client.patch(team_url, {"name": "X"}, format="json", headers=etag(client, team_url))
    assert response.status_code == 403
    new_team = {"agency": str(tenant.agency.pk), "name": "New"}
    assert client.post(TEAMS, new_team, format="json").status_code == 403
    assert client.post(COUNSELORS, new_team, format="json").status_code == 403
    assert StaffMember.objects.get(pk=member.pk).caseload is None
    assert TreatmentTeam.objects.count() == 1
    assert not VRCounselor.objects.exists()


def test_it_keeps_changes_from_being_overwritten(tenant):
    member = es(tenant)
    client = api(tenant.user(R.IPS_SUPERVISOR))
    url = f"{STAFF}{member.pk}/"
    stale = etag(client, url)
    assert client.patch(url, {"caseload": 5}, format="json").status_code == 428
    assert client.patch(url, {"caseload": 5}, format="json", headers=stale).status_code == 200
    response = client.patch(url, {"caseload": 9}, format="json", headers=stale)
    assert response.status_code == 412
    assert StaffMember.objects.get(pk=member.pk).caseload == 5


def test_it_adds_and_changes_teams_and_counselors(tenant):
    client = api(tenant.user(R.STATE_TRAINER))
    response = client.post(TEAMS, {"agency": str(tenant.agency.pk), "name": "ACT"}, format="json")
    assert response.status_code == 201, response.json()
    url = f"{TEAMS}{response.json()['id']}/"
    response = client.patch(url, {"notes": "Tuesdays"}, format="json", headers=etag(client, url))
    assert response.status_code == 200
    assert response.json()["name"] == "ACT" and response.json()["notes"] == "Tuesdays"
    duplicate = client.post(TEAMS, {"agency": str(tenant.agency.pk), "name": "act"}, format="json")
    assert duplicate.status_code == 400
    assert "name" in duplicate.json()["error"]["fields"]
    response = client.post(
        COUNSELORS,
        {"agency": str(tenant.agency.pk), "name": "Vic Ray", "vr_office": "East"},
        format="json",
    )
    assert response.status_code == 201
    url = f"{COUNSELORS}{response.json()['id']}/"
    response = client.patch(
        url, {"email": "vic@example.org"}, format="json", headers=etag(client, url)
    )
    assert response.json()["email"] == "vic@example.org"
    assert response.json()["vr_office"] == "East"


# -- bad input: the field is named, nothing is saved -----------------------------------------


def _refused(tenant, field: str, **overrides) -> str:
    client = api(tenant.user(R.STATE_ADMIN))
    before = StaffMember.objects.count()
    response = client.post(STAFF, body(tenant, **overrides), format="json")
    assert response.status_code == 400, response.json()
    fields = response.json()["error"]["fields"]
    assert field in fields, fields
    assert StaffMember.objects.count() == before
    return " ".join(fields[field])


@pytest.mark.parametrize("fte", ["-0.50", "0", "1.60"])
def test_it_refuses_an_fte_out_of_range(tenant, fte):
    _refused(tenant, "fte", fte=fte)


def test_it_refuses_140_percent_in_the_community(tenant):
    _refused(tenant, "community_time_percent", community_time_percent=140)


def test_it_refuses_an_impossible_date(tenant):
    _refused(tenant, "start_date", start_date="2026-02-30")
    text = _refused(tenant, "end_date", start_date="2026-03-01", end_date="2026-02-28")
    assert "before the start date" in text


def test_it_refuses_a_team_of_another_agency(tenant):
    theirs = team(tenant, agency=tenant.other_agency, name="Their team")
    text = _refused(tenant, "treatment_teams", treatment_teams=[str(theirs.pk)])
    assert "Their team" in text


def test_it_refuses_a_supervisor_of_another_agency_or_not_a_supervisor(tenant):
    theirs = supervisor(tenant, agency=tenant.other_agency)
    _refused(tenant, "supervisor", supervisor=str(theirs.pk))
    colleague = es(tenant, name="Kim Park")
    assert "not an IPS supervisor" in _refused(tenant, "supervisor", supervisor=str(colleague.pk))


def test_it_refuses_ids_out_of_scope_as_if_they_did_not_exist(tenant, other_tenant):
    foreign_team = team(other_tenant)
    foreign_boss = supervisor(other_tenant)
    client = api(tenant.user(R.STATE_ADMIN))
    before = StaffMember.objects.count()
    for field, value in [
        ("treatment_teams", [str(foreign_team.pk)]),
        ("supervisor", str(foreign_boss.pk)),
    ]:
        response = client.post(STAFF, body(tenant, **{field: value}), format="json")
        assert response.status_code == 404, response.json()
        assert field.replace("_", " ") in response.json()["error"]["message"]
    assert StaffMember.objects.count() == before
    _refused(tenant, "user", user=other_tenant.user(R.EMPLOYMENT_SPECIALIST).pk)


def test_it_links_a_roster_entry_to_a_portal_account_of_the_agency(tenant):
    account = tenant.user(R.EMPLOYMENT_SPECIALIST)
    client = api(tenant.user(R.STATE_ADMIN))
    response = client.post(STAFF, body(tenant, user=account.pk), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["user"] == account.pk
    assert StaffMember.objects.get(pk=response.json()["id"]).user == account


def test_it_refuses_a_team_of_another_agency_on_a_change(tenant):
    mine = team(tenant)
    member = es(tenant, treatment_teams=[mine])
    theirs = team(tenant, agency=tenant.other_agency, name="Their team")
    client = api(tenant.user(R.STATE_ADMIN))
    url = f"{STAFF}{member.pk}/"
    response = client.patch(
        url, {"treatment_teams": [str(theirs.pk)]}, format="json", headers=etag(client, url)
    )
    assert response.status_code == 400
    assert "treatment_teams" in response.json()["error"]["fields"]
    assert list(member.treatment_teams.all()) == [mine]


# -- structure checks ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_it_gives_the_structure_checks_to_every_role_of_the_agency(tenant, role):
    boss = supervisor(tenant)
    es(tenant, supervisor=boss, caseload=21, community_time_percent=65)
    es(tenant, name="Former", caseload=99, end_date=datetime.date(2020, 1, 1))
    response = api(tenant.user(role)).get(f"/api/v1/agencies/{tenant.agency.pk}/structure-checks/")
    assert response.status_code == 200
    checks = {c["code"]: c for c in response.json()}
    assert set(checks["es_caseload"]) == {"code", "standard", "value", "met"}
    assert checks["es_caseload"]["met"] is False
    assert "21 per FTE" in checks["es_caseload"]["value"]
    assert checks["es_community_time"]["met"] is True
    assert checks["supervisor_caseload"]["met"] is None
    assert checks["supervisor_ratio"]["met"] is True


def test_it_says_not_enough_data_for_an_empty_roster(tenant):
    response = api(tenant.user(R.AGENCY_LEADER)).get(
        f"/api/v1/agencies/{tenant.agency.pk}/structure-checks/"
    )
    assert [c["met"] for c in response.json()] == [None] * 7

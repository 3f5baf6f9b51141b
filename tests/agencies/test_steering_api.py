"""The steering committee API: the three access cases, the checks it reports, ETag/If-Match
on edits, filters, bad input named by field, and query counts."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies import services
from agencies.models import (
    Role,
    SteeringActionItem,
    SteeringCategory,
    SteeringMeeting,
    SteeringMember,
)
from tests.factories import make_agency

D = datetime.date
NOW = datetime.datetime(2026, 6, 1, 17, tzinfo=datetime.UTC)
COMMITTEES = "/api/v1/steering-committees/"
MEMBERS = "/api/v1/steering-members/"
MEETINGS = "/api/v1/steering-meetings/"
ITEMS = "/api/v1/steering-action-items/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def committee(tenant):
    return services.steering_committee_create(
        user=tenant.user(Role.STATE_ADMIN), agency=tenant.agency
    )


@pytest.fixture
def member(tenant, committee):
    return services.steering_member_save(
        user=tenant.user(Role.STATE_ADMIN),
        committee=committee,
        category=SteeringCategory.IPS_SUPERVISOR,
        name="Ana Torres",
    )


@pytest.fixture
def meeting(tenant, committee, member):
    return services.steering_meeting_save(
        user=tenant.user(Role.STATE_ADMIN),
        committee=committee,
        date=D(2026, 3, 2),
        attendees=[member.pk],
        minutes="Went well",
    )


# -- committees ----------------------------------------------------------------------------


@time_machine.travel(NOW)
def test_it_reports_a_committees_members_composition_and_cadence(
    tenant, committee, member, meeting
):
    response = _client(tenant.user(Role.VR_LIAISON)).get(f"{COMMITTEES}{committee.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["agency"] == str(tenant.agency.pk)
    assert [m["name"] for m in body["members"]] == ["Ana Torres"]
    assert body["composition"]["complete"] is False
    assert "Clinical director" in body["composition"]["missing"]
    assert "IPS supervisor" not in body["composition"]["missing"]
    assert body["cadence"] == {
        "state": "on_time",
        "interval_months": 3,
        "last_meeting": "2026-03-02",
        "due_date": "2026-06-02",
        "overdue": False,
        "days_overdue": 0,
    }
    assert body["next_due_date"] == "2026-06-02"
    listed = _client(tenant.user(Role.EMPLOYMENT_SPECIALIST)).get(COMMITTEES).json()
    assert [c["id"] for c in listed["results"]] == [str(committee.pk)]
    with time_machine.travel(datetime.datetime(2026, 6, 3, 17, tzinfo=datetime.UTC)):
        body = _client(tenant.user(Role.VR_LIAISON)).get(f"{COMMITTEES}{committee.pk}/").json()
        assert body["cadence"]["state"] == "overdue" and body["cadence"]["days_overdue"] == 1


def test_it_says_no_meeting_yet_for_a_new_committee(tenant, committee):
    body = _client(tenant.user(Role.STATE_ADMIN)).get(f"{COMMITTEES}{committee.pk}/").json()
    assert body["cadence"]["state"] == "no_meeting"
    assert body["next_due_date"] is None


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.IPS_SUPERVISOR])
def test_it_lets_editors_start_a_committee(tenant, role):
    response = _client(tenant.user(role)).post(
        COMMITTEES, {"agency": str(tenant.agency.pk)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["cadence"]["state"] == "no_meeting"


@pytest.mark.parametrize("role", [Role.FIDELITY_REVIEWER, Role.VR_LIAISON, Role.AGENCY_LEADER])
def test_it_refuses_readers_a_committee_403(tenant, role):
    response = _client(tenant.user(role)).post(
        COMMITTEES, {"agency": str(tenant.agency.pk)}, format="json"
    )
    assert response.status_code == 403


def test_it_answers_404_outside_the_scope(tenant, other_tenant, committee, member, meeting):
    for user in (
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.IPS_SUPERVISOR],
    ):
        client = _client(user)
        assert client.get(f"{COMMITTEES}{committee.pk}/").status_code == 404
        assert client.get(f"{MEETINGS}{meeting.pk}/").status_code == 404
        assert client.get(f"{MEMBERS}{member.pk}/").status_code == 404
        assert client.get(COMMITTEES).json()["results"] == []
        assert client.get(MEETINGS).json()["results"] == []
        response = client.post(
            MEMBERS,
            {"committee": str(committee.pk), "category": "client", "name": "Intruder"},
            format="json",
        )
        assert response.status_code == 404
        response = client.post(COMMITTEES, {"agency": str(tenant.agency.pk)}, format="json")
        assert response.status_code == 404
    assert SteeringMember.objects.count() == 1


# -- members and ETags ---------------------------------------------------------------------


def test_it_changes_a_member_with_if_match_only(tenant, member):
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    read = client.get(f"{MEMBERS}{member.pk}/")
    tag = read["ETag"]
    url = f"{MEMBERS}{member.pk}/"
    assert client.patch(url, {"name": "Ana T."}, format="json").status_code == 428
    response = client.patch(
        url, {"name": "Ana T.", "is_active": False}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Ana T." and response.json()["is_active"] is False
    assert response["ETag"] != tag
    stale = client.patch(url, {"name": "Again"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    member.refresh_from_db()
    assert member.name == "Ana T." and member.category == SteeringCategory.IPS_SUPERVISOR


def test_it_refuses_readers_a_member_change_403(tenant, member):
    client = _client(tenant.user(Role.AGENCY_LEADER))
    tag = client.get(f"{MEMBERS}{member.pk}/")["ETag"]
    response = client.patch(
        f"{MEMBERS}{member.pk}/", {"name": "X"}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.name == "Ana Torres"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "   ", "category": "client"}, {"name"}),
        ({"name": "Pat", "category": "mayor"}, {"category"}),
        ({"name": "Pat", "category": "client", "email": "nope"}, {"email"}),
    ],
)
def test_it_names_the_field_of_a_bad_member(tenant, committee, body, fields):
    response = _client(tenant.user(Role.STATE_TRAINER)).post(
        MEMBERS, {**body, "committee": str(committee.pk)}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert not SteeringMember.objects.exists()


# -- meetings and action items -------------------------------------------------------------


@time_machine.travel(NOW)
def test_it_records_a_meeting_with_attendees_guests_and_an_action_item(tenant, committee, member):
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    response = client.post(
        MEETINGS,
        {
            "committee": str(committee.pk),
            "date": "2026-05-30",
            "attendees": [str(member.pk)],
            "guests": ["Lee Park"],
            "agenda": "Plan",
            "minutes": "Met",
            "decisions": "Go",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["attendees"] == [str(member.pk)]
    assert body["attendee_details"][0]["name"] == "Ana Torres"
    assert body["guests"] == ["Lee Park"]
    assert response["ETag"]
    item = client.post(
        ITEMS,
        {"meeting": body["id"], "text": "Call VR", "owner": "Ana", "due_date": "2026-06-15"},
        format="json",
    )
    assert item.status_code == 201
    assert item.json()["status"] == "open"
    url = f"{ITEMS}{item.json()['id']}/"
    done = client.patch(url, {"status": "done"}, format="json", HTTP_IF_MATCH=item["ETag"])
    assert done.status_code == 200 and done.json()["status"] == "done"
    read = client.get(f"{MEETINGS}{body['id']}/").json()
    assert [i["status"] for i in read["action_items"]] == ["done"]
    status = client.get(f"{COMMITTEES}{committee.pk}/").json()
    assert status["next_due_date"] == "2026-08-30"


def test_it_changes_a_meeting_with_if_match_only(tenant, meeting, member):
    client = _client(tenant.user(Role.STATE_TRAINER))
    url = f"{MEETINGS}{meeting.pk}/"
    tag = client.get(url)["ETag"]
    assert client.patch(url, {"agenda": "New"}, format="json").status_code == 428
    response = client.patch(url, {"agenda": "New"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200
    assert response.json()["agenda"] == "New"
    assert response.json()["attendees"] == [str(member.pk)]  # untouched by a partial change
    assert response.json()["minutes"] == "Went well"
    assert client.patch(url, {"agenda": "Old"}, format="json", HTTP_IF_MATCH=tag).status_code == 412
    meeting.refresh_from_db()
    assert meeting.agenda == "New"


@time_machine.travel(NOW)
def test_it_names_the_field_of_bad_meeting_input_and_saves_nothing(tenant, committee, member):
    other = services.steering_committee_create(
        user=tenant.user(Role.STATE_ADMIN), agency=tenant.other_agency
    )
    stranger = services.steering_member_save(
        user=tenant.user(Role.STATE_ADMIN), committee=other, category="vr", name="Stranger"
    )
    client = _client(tenant.user(Role.STATE_ADMIN))
    cases = [
        ({"date": "1999-12-31"}, {"date"}),
        ({"date": "2026-06-02", "minutes": "Not yet"}, {"date"}),
        ({"date": "2026-02-30"}, {"date"}),
        ({"date": "2026-05-01", "attendees": [str(stranger.pk)]}, {"attendees"}),
        ({"date": "2026-05-01", "attendees": ["not-an-id"]}, {"attendees"}),
    ]
    for body, fields in cases:
        response = client.post(MEETINGS, {**body, "committee": str(committee.pk)}, format="json")
        assert response.status_code == 400, body
        assert set(response.json()["error"]["fields"]) == fields, body
    assert not SteeringMeeting.objects.exists()
    planned = client.post(
        MEETINGS, {"committee": str(committee.pk), "date": "2026-09-01", "agenda": "Plan"}
    )
    assert planned.status_code == 201


def test_it_names_the_due_date_before_the_meeting(tenant, meeting):
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    response = client.post(
        ITEMS, {"meeting": str(meeting.pk), "text": "Late", "due_date": "2026-03-01"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"due_date"}
    response = client.post(ITEMS, {"meeting": str(meeting.pk), "text": " "}, format="json")
    assert set(response.json()["error"]["fields"]) == {"text"}
    assert not SteeringActionItem.objects.exists()


def test_it_refuses_readers_a_meeting_403(tenant, committee):
    response = _client(tenant.user(Role.EMPLOYMENT_SPECIALIST)).post(
        MEETINGS, {"committee": str(committee.pk), "date": "2025-01-01"}, format="json"
    )
    assert response.status_code == 403
    assert not SteeringMeeting.objects.exists()


def test_it_filters_meetings_by_agency_dates_and_action_item_status(tenant, committee):
    admin = tenant.user(Role.STATE_ADMIN)
    early = services.steering_meeting_save(user=admin, committee=committee, date=D(2025, 1, 10))
    late = services.steering_meeting_save(user=admin, committee=committee, date=D(2025, 6, 10))
    other = services.steering_meeting_save(
        user=admin,
        committee=services.steering_committee_create(user=admin, agency=tenant.other_agency),
        date=D(2025, 6, 11),
    )
    services.steering_action_item_save(user=admin, meeting=early, text="A", status="done")
    services.steering_action_item_save(user=admin, meeting=late, text="B")
    client = _client(admin)

    def ids(**query):
        response = client.get(MEETINGS, query)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {str(early.pk), str(late.pk), str(other.pk)}
    assert ids(agency=str(tenant.agency.pk)) == {str(early.pk), str(late.pk)}
    assert ids(date_after="2025-06-01") == {str(late.pk), str(other.pk)}
    assert ids(date_before="2025-06-10", date_after="2025-02-01") == {str(late.pk)}
    assert ids(action_item_status="done") == {str(early.pk)}
    assert ids(action_item_status="open") == {str(late.pk)}
    assert ids(action_item_status="dropped") == set()
    assert client.get(MEETINGS, {"action_item_status": "lost"}).status_code == 400
    items = client.get(ITEMS, {"status": "open"}).json()["results"]
    assert [i["text"] for i in items] == ["B"]


# -- query counts --------------------------------------------------------------------------


def _meetings(tenant, committee, count: int) -> None:
    admin = tenant.user(Role.STATE_ADMIN)
    members = [
        services.steering_member_save(user=admin, committee=committee, category="vr", name=f"M{n}")
        for n in range(2)
    ]
    for n in range(count):
        meeting = services.steering_meeting_save(
            user=admin,
            committee=committee,
            date=D(2020, 1, 1) + datetime.timedelta(days=n),
            attendees=members,
        )
        services.steering_action_item_save(user=admin, meeting=meeting, text=f"Item {n}")


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_it_lists_2_and_50_meetings_with_the_same_queries(tenant, committee):
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    _meetings(tenant, committee, 2)
    few = (_queries(client, MEETINGS), _queries(client, ITEMS), _queries(client, MEMBERS))
    SteeringMeeting.objects.all().delete()
    SteeringMember.objects.all().delete()
    _meetings(tenant, committee, 50)
    many = (
        _queries(client, f"{MEETINGS}?page_size=50"),
        _queries(client, ITEMS),
        _queries(client, MEMBERS),
    )
    assert client.get(MEETINGS).json()["count"] == 50
    assert few == many


def test_it_lists_2_and_50_committees_with_the_same_queries(tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    client = _client(admin)

    def fill(count):
        for n in range(count):
            agency = make_agency(tenant.collaborative, f"Steering agency {count}-{n}")
            committee = services.steering_committee_create(user=admin, agency=agency)
            services.steering_member_save(
                user=admin, committee=committee, category="client", name="C"
            )
            services.steering_meeting_save(user=admin, committee=committee, date=D(2025, 1, 1))
        return _queries(client, COMMITTEES)

    few = fill(2)
    many = fill(48)
    assert client.get(COMMITTEES).json()["count"] == 50
    assert few == many

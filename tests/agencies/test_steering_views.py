"""The steering committee pages: the three access cases, bad input, query counts, and the
agency page's status panel."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import services
from agencies.models import (
    Role,
    SteeringActionItem,
    SteeringCategory,
    SteeringCommittee,
    SteeringMeeting,
    SteeringMember,
)

D = datetime.date
EDITORS = [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.IPS_SUPERVISOR]
READERS = [Role.FIDELITY_REVIEWER, Role.VR_LIAISON, Role.AGENCY_LEADER, Role.EMPLOYMENT_SPECIALIST]
NOW = datetime.datetime(2026, 6, 1, 17, tzinfo=datetime.UTC)


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
        category=SteeringCategory.VR,
        name="Omar Reyes",
    )


@pytest.fixture
def meeting(tenant, committee, member):
    return services.steering_meeting_save(
        user=tenant.user(Role.STATE_ADMIN),
        committee=committee,
        date=D(2026, 3, 2),
        attendees=[member.pk],
        minutes="Reviewed the plan.",
    )


def _url(name, *args):
    return reverse(f"agencies:{name}", args=[getattr(a, "pk", a) for a in args])


@pytest.mark.parametrize("role", EDITORS)
@time_machine.travel(NOW)
def test_it_lets_editors_start_a_committee_add_a_member_record_a_meeting_and_an_item(
    client, tenant, role
):
    client.force_login(tenant.user(role))
    assert client.post(_url("steering_start", tenant.agency)).status_code == 302
    response = client.post(
        _url("steering_member_add", tenant.agency),
        {"name": "Ruth Alvarez", "category": "senior_leader", "is_active": "on"},
    )
    assert response.status_code == 302
    member = SteeringMember.objects.get()
    response = client.post(
        _url("steering_meeting_add", tenant.agency),
        {"date": "2026-05-20", "attendees": [str(member.pk)], "minutes": "Met", "guests": "Lee"},
    )
    meeting = SteeringMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    response = client.post(
        _url("steering_action_item_add", meeting),
        {"text": "Invite a client", "owner": "Ruth", "due_date": "2026-06-30", "status": "open"},
    )
    assert response.status_code == 302
    item = SteeringActionItem.objects.get()
    response = client.post(_url("steering_action_item_status", item), {"status": "done"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"
    page = client.get(_url("steering", tenant.agency)).content.decode()
    assert "Ruth Alvarez" in page and "Next meeting due by <strong>August 20, 2026" in page
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "Invite a client" in detail and "Lee" in detail and "Done" in detail


@pytest.mark.parametrize("role", READERS)
def test_it_lets_readers_see_the_committee_but_change_nothing(
    client, tenant, role, committee, member, meeting
):
    item = services.steering_action_item_save(
        user=tenant.user(Role.STATE_ADMIN), meeting=meeting, text="Call VR"
    )
    client.force_login(tenant.user(role))
    page = client.get(_url("steering", tenant.agency))
    assert page.status_code == 200
    assert "Omar Reyes" in page.content.decode()
    assert "Add a member" not in page.content.decode()
    detail = client.get(meeting.get_absolute_url())
    assert detail.status_code == 200 and "Reviewed the plan." in detail.content.decode()
    refused = [
        client.post(_url("steering_member_add", tenant.agency), {"name": "X", "category": "vr"}),
        client.post(_url("steering_member_edit", member), {"name": "X", "category": "vr"}),
        client.post(_url("steering_meeting_add", tenant.agency), {"date": "2026-01-01"}),
        client.post(_url("steering_meeting_edit", meeting), {"date": "2026-01-01"}),
        client.post(_url("steering_action_item_add", meeting), {"text": "X", "status": "open"}),
        client.post(_url("steering_action_item_edit", item), {"text": "X", "status": "open"}),
        client.post(_url("steering_action_item_status", item), {"status": "done"}),
        client.get(_url("steering_member_edit", member)),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    member.refresh_from_db()
    item.refresh_from_db()
    assert member.name == "Omar Reyes" and item.status == "open"
    assert SteeringMeeting.objects.count() == 1


def test_it_answers_404_outside_the_scope(client, tenant, other_tenant, committee, meeting):
    for user in (
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.IPS_SUPERVISOR],
    ):
        client.force_login(user)
        assert client.get(_url("steering", tenant.agency)).status_code == 404
        assert client.get(meeting.get_absolute_url()).status_code == 404
        assert client.post(_url("steering_meeting_edit", meeting), {}).status_code == 404
    client.force_login(tenant.elsewhere_users[Role.STATE_TRAINER])
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_it_shows_the_agency_page_panel_to_every_reader(client, tenant, committee):
    client.force_login(tenant.user(Role.EMPLOYMENT_SPECIALIST))
    page = client.get(reverse("agencies:detail", args=[tenant.agency.pk])).content.decode()
    assert 'id="steering-status-heading"' in page
    assert "No meeting yet" in page
    assert "Missing: Family member or client" in page
    assert _url("steering", tenant.agency) in page


@time_machine.travel(NOW)
def test_it_shows_overdue_on_the_agency_page(client, tenant, committee):
    services.steering_meeting_save(
        user=tenant.user(Role.STATE_ADMIN), committee=committee, date=D(2026, 2, 28)
    )
    client.force_login(tenant.user(Role.VR_LIAISON))
    page = client.get(reverse("agencies:detail", args=[tenant.agency.pk])).content.decode()
    assert "Overdue" in page and "May 28, 2026" in page and "4 days ago" in page


@time_machine.travel(NOW)
def test_it_names_the_field_of_bad_meeting_input_and_saves_nothing(
    client, tenant, committee, member
):
    stranger = services.steering_member_save(
        user=tenant.user(Role.STATE_ADMIN),
        committee=services.steering_committee_create(
            user=tenant.user(Role.STATE_ADMIN), agency=tenant.other_agency
        ),
        category="vr",
        name="Stranger",
    )
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    cases = [
        ({"date": "1999-12-31"}, {"date"}),
        ({"date": "2026-06-02", "minutes": "Already?"}, {"date"}),
        ({"date": "2026-02-30"}, {"date"}),
        ({"date": "2026-05-01", "attendees": [str(stranger.pk)]}, {"attendees"}),
    ]
    for data, fields in cases:
        response = client.post(_url("steering_meeting_add", tenant.agency), data)
        assert response.status_code == 400, data
        assert set(response.context["form"].errors) == fields, data
    assert not SteeringMeeting.objects.exists()


def test_it_names_the_field_of_bad_member_and_item_input(client, tenant, committee, meeting):
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.post(
        _url("steering_member_add", tenant.agency), {"name": "  ", "category": "mayor"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "category"}
    response = client.post(
        _url("steering_action_item_add", meeting),
        {"text": "Too early", "due_date": "2026-03-01", "status": "open"},
    )
    assert response.status_code == 400
    assert set(response.context["item_form"].errors) == {"due_date"}
    assert "The due date cannot be before the meeting" in response.content.decode()
    assert SteeringMember.objects.count() == 1 and not SteeringActionItem.objects.exists()


def test_it_needs_a_committee_before_members_or_meetings(client, tenant):
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    response = client.post(
        _url("steering_member_add", tenant.agency), {"name": "Pat", "category": "client"}
    )
    assert response.status_code == 404
    assert not SteeringCommittee.objects.exists()
    page = client.get(_url("steering", tenant.agency)).content.decode()
    assert "Start the steering committee" in page


def test_it_edits_a_member_and_a_meeting(client, tenant, committee, member, meeting):
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    form = client.get(_url("steering_meeting_edit", meeting))
    assert form.status_code == 200 and "Reviewed the plan." in form.content.decode()
    response = client.post(
        _url("steering_member_edit", member),
        {"name": "Omar Reyes-Diaz", "category": "vr", "organisation": "VR"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "Omar Reyes-Diaz" and not member.is_active
    response = client.post(
        _url("steering_meeting_edit", meeting), {"date": "2026-03-03", "agenda": "Plan"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.date == D(2026, 3, 3) and not meeting.attendees.exists()


def _meetings_page_queries(client, tenant, committee, count):
    admin = tenant.user(Role.STATE_ADMIN)
    members = [
        services.steering_member_save(
            user=admin, committee=committee, category="client", name=f"Client {n}"
        )
        for n in range(3)
    ]
    for n in range(count - SteeringMeeting.objects.filter(committee=committee).count()):
        meeting = services.steering_meeting_save(
            user=admin,
            committee=committee,
            date=D(2020, 1, 1) + datetime.timedelta(days=n),
            attendees=members,
        )
        services.steering_action_item_save(user=admin, meeting=meeting, text=f"Item {n}")
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    client.get(_url("steering", tenant.agency))  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("steering", tenant.agency))
    assert response.status_code == 200
    return len(queries)


def test_it_runs_the_same_number_of_queries_for_2_and_50_meetings(client, tenant, committee):
    few = _meetings_page_queries(client, tenant, committee, 2)
    SteeringMeeting.objects.all().delete()
    SteeringMember.objects.all().delete()
    many = _meetings_page_queries(client, tenant, committee, 50)
    assert few == many

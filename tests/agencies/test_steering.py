"""Steering committees: the composition check, the cadence check at its boundaries, and the
services (rights, validation that names the field and saves nothing, history)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from agencies import selectors_steering, services, steering
from agencies.models import (
    Role,
    SteeringActionItem,
    SteeringAttendance,
    SteeringCategory,
    SteeringMeeting,
    SteeringMember,
)

C = SteeringCategory
D = datetime.date
EVERY_SEAT = [
    C.CLIENT,
    C.IPS_SUPERVISOR,
    C.CLINICAL_DIRECTOR,
    C.VR,
    C.SENIOR_LEADER,
    C.STATE_IPS_TEAM,
    C.DMH_LIAISON,
]


# -- composition --------------------------------------------------------------------------


def test_it_finds_a_committee_with_every_seat_complete():
    check = steering.composition_check(EVERY_SEAT, with_partner=False)
    assert check.complete
    assert check.missing == []


def test_it_names_the_missing_seats():
    check = steering.composition_check([C.IPS_SUPERVISOR, C.VR, C.VR], with_partner=False)
    assert not check.complete
    assert check.missing == [
        "Family member or client",
        "Clinical director",
        "Agency senior leader",
        "State IPS team member",
        "DMH liaison",
    ]
    assert {s.requirement.code: s.count for s in check.seats}["vr"] == 2


@pytest.mark.parametrize("seat", [C.FAMILY_MEMBER, C.CLIENT])
def test_it_takes_a_family_member_or_a_client_for_the_same_seat(seat):
    others = [c for c in EVERY_SEAT if c != C.CLIENT]
    assert steering.composition_check([*others, seat], with_partner=False).complete
    assert steering.composition_check(others, with_partner=False).missing == [
        "Family member or client"
    ]


def test_it_asks_for_the_partner_agency_only_when_two_agencies_collaborate():
    assert steering.composition_check(EVERY_SEAT, with_partner=False).complete
    assert steering.composition_check(EVERY_SEAT, with_partner=True).missing == ["Partner agency"]
    both = [*EVERY_SEAT, C.PARTNER_AGENCY]
    assert steering.composition_check(both, with_partner=True).complete


def test_it_counts_only_active_members_in_the_status(tenant):
    committee = _committee(tenant)
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    for category in EVERY_SEAT:
        services.steering_member_save(
            user=supervisor, committee=committee, category=category, name=f"Member {category}"
        )
    status = selectors_steering.steering_status(tenant.agency, committee)
    assert status.composition.complete
    member = SteeringMember.objects.get(category=C.DMH_LIAISON)
    services.steering_member_save(
        user=supervisor,
        committee=committee,
        member=member,
        category=member.category,
        name=member.name,
        is_active=False,
    )
    status = selectors_steering.steering_status(tenant.agency, committee)
    assert status.composition.missing == ["DMH liaison"]


# -- cadence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2026, 4, 15), "on_time"),  # the very day three months later: still on time
        (D(2026, 4, 16), "overdue"),  # the day after
        (D(2026, 1, 15), "on_time"),  # the meeting's own day
    ],
)
def test_it_is_due_three_months_after_the_last_meeting_during_implementation(today, state):
    found = steering.cadence(D(2026, 1, 15), today=today, good_fidelity=False)
    assert found.due_date == D(2026, 4, 15)
    assert found.state == state
    assert found.days_overdue == (1 if state == "overdue" else 0)


@pytest.mark.parametrize(
    ("today", "state"), [(D(2026, 7, 15), "on_time"), (D(2026, 7, 16), "overdue")]
)
def test_it_is_due_six_months_later_once_good_fidelity_is_reached(today, state):
    found = steering.cadence(D(2026, 1, 15), today=today, good_fidelity=True)
    assert found.due_date == D(2026, 7, 15)
    assert found.interval_months == 6
    assert found.state == state


def test_it_says_no_meeting_yet_without_a_meeting():
    found = steering.cadence(None, today=D(2026, 1, 1), good_fidelity=False)
    assert found.state == "no_meeting"
    assert found.due_date is None
    assert found.text == "No meeting yet"
    assert not found.overdue


@pytest.mark.parametrize(
    ("last", "months", "due"),
    [
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # a shorter month: its last day
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # leap year
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 10, 1), 3, D(2027, 1, 1)),  # across the year
        (D(2026, 12, 31), 3, D(2027, 3, 31)),
    ],
)
def test_it_adds_months_as_a_calendar_does(last, months, due):
    assert steering.add_months(last, months) == due


def test_it_reads_the_last_meeting_held_not_a_planned_one(tenant):
    committee = _committee(tenant)
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 17, tzinfo=datetime.UTC)):
        services.steering_meeting_save(user=supervisor, committee=committee, date=D(2026, 3, 1))
        services.steering_meeting_save(
            user=supervisor, committee=committee, date=D(2026, 8, 1), agenda="Plan review"
        )
        status = selectors_steering.steering_status(tenant.agency, committee)
        assert status.cadence.last_meeting == D(2026, 3, 1)
        assert status.cadence.due_date == D(2026, 6, 1)
        assert status.cadence.state == "on_time"
        assert status.planned == D(2026, 8, 1)
    with time_machine.travel(datetime.datetime(2026, 6, 2, 17, tzinfo=datetime.UTC)):
        status = selectors_steering.steering_status(tenant.agency, committee)
        assert status.cadence.state == "overdue"
        assert status.cadence.text == "Overdue since June 1, 2026"


def test_it_uses_the_collaboratives_day_for_today(tenant):
    # 03:00 UTC on June 2 is still June 1 in Chicago: a meeting due June 1 is not overdue.
    committee = _committee(tenant)
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    with time_machine.travel(datetime.datetime(2026, 6, 2, 3, tzinfo=datetime.UTC)):
        services.steering_meeting_save(user=supervisor, committee=committee, date=D(2026, 3, 1))
        status = selectors_steering.steering_status(tenant.agency, committee)
        assert status.cadence.today == D(2026, 6, 1)
        assert status.cadence.state == "on_time"


# -- services -----------------------------------------------------------------------------


def _committee(tenant, agency=None):
    return services.steering_committee_create(
        user=tenant.user(Role.STATE_ADMIN), agency=agency or tenant.agency
    )


def _member(tenant, committee, name="Dana Ruiz", category=C.IPS_SUPERVISOR):
    return services.steering_member_save(
        user=tenant.user(Role.STATE_ADMIN), committee=committee, category=category, name=name
    )


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.IPS_SUPERVISOR])
def test_it_lets_editors_record_a_meeting_with_an_action_item(tenant, role):
    user = tenant.user(role)
    committee = services.steering_committee_create(user=user, agency=tenant.agency)
    member = services.steering_member_save(
        user=user, committee=committee, category=C.VR, name="Omar Reyes", organisation="VR"
    )
    meeting = services.steering_meeting_save(
        user=user,
        committee=committee,
        date=D(2025, 3, 4),
        attendees=[member.pk],
        guests="Lee Park\n\n",
        agenda="Fidelity review",
        minutes="We met.",
        decisions="Invite clients",
    )
    item = services.steering_action_item_save(
        user=user, meeting=meeting, text="Invite two clients", owner="Omar", due_date=D(2025, 4, 1)
    )
    assert list(meeting.attendees.all()) == [member]
    assert meeting.guest_names == ["Lee Park"]
    assert item.status == SteeringActionItem.Status.OPEN
    assert item.collaborative == tenant.collaborative and item.agency == tenant.agency
    services.steering_action_item_set_status(user=user, item=item, status="done")
    item.refresh_from_db()
    assert item.status == "done"
    assert [h.status for h in item.history.order_by("history_date")] == ["open", "done"]


@pytest.mark.parametrize(
    "role",
    [Role.FIDELITY_REVIEWER, Role.VR_LIAISON, Role.AGENCY_LEADER, Role.EMPLOYMENT_SPECIALIST],
)
def test_it_refuses_readers_every_write(tenant, role):
    committee = _committee(tenant)
    user = tenant.user(role)
    with pytest.raises(PermissionDenied):
        services.steering_committee_create(user=user, agency=tenant.other_agency)
    with pytest.raises(PermissionDenied):
        services.steering_member_save(user=user, committee=committee, category=C.VR, name="X")
    with pytest.raises(PermissionDenied):
        services.steering_meeting_save(user=user, committee=committee, date=D(2025, 1, 1))
    assert not SteeringMember.objects.exists() and not SteeringMeeting.objects.exists()


def test_it_refuses_a_supervisor_of_another_agency(tenant):
    committee = _committee(tenant)
    with pytest.raises(PermissionDenied):
        services.steering_member_save(
            user=tenant.other_agency_users[Role.IPS_SUPERVISOR],
            committee=committee,
            category=C.VR,
            name="Intruder",
        )
    assert not SteeringMember.objects.exists()


@pytest.mark.parametrize("name", ["", "   "])
def test_it_refuses_a_member_without_a_name(tenant, name):
    committee = _committee(tenant)
    with pytest.raises(ValidationError) as refused:
        _member(tenant, committee, name=name)
    assert set(refused.value.message_dict) == {"name"}
    assert not SteeringMember.objects.exists()


def test_it_refuses_an_unknown_category_and_a_bad_email(tenant):
    committee = _committee(tenant)
    with pytest.raises(ValidationError) as refused:
        services.steering_member_save(
            user=tenant.user(Role.STATE_ADMIN),
            committee=committee,
            category="mayor",
            name="Pat",
            email="not an email",
        )
    assert set(refused.value.message_dict) == {"category", "email"}
    assert not SteeringMember.objects.exists()


def test_it_refuses_a_meeting_before_2000(tenant):
    committee = _committee(tenant)
    with pytest.raises(ValidationError) as refused:
        services.steering_meeting_save(
            user=tenant.user(Role.STATE_ADMIN), committee=committee, date=D(1999, 12, 31)
        )
    assert set(refused.value.message_dict) == {"date"}
    services.steering_meeting_save(
        user=tenant.user(Role.STATE_ADMIN), committee=committee, date=D(2000, 1, 1)
    )
    assert SteeringMeeting.objects.count() == 1


@time_machine.travel(datetime.datetime(2026, 6, 1, 17, tzinfo=datetime.UTC))
@pytest.mark.parametrize("field", ["minutes", "decisions", "guests", "attendees"])
def test_it_refuses_what_only_a_held_meeting_has_on_a_future_date(tenant, field):
    committee = _committee(tenant)
    member = _member(tenant, committee)
    values = {
        "minutes": "We met.",
        "decisions": "Yes",
        "guests": "Lee",
        "attendees": [member.pk],
    }
    with pytest.raises(ValidationError) as refused:
        services.steering_meeting_save(
            user=tenant.user(Role.STATE_ADMIN),
            committee=committee,
            date=D(2026, 6, 2),
            **{field: values[field]},
        )
    assert set(refused.value.message_dict) == {"date"}
    assert field in refused.value.message_dict["date"][0]
    assert not SteeringMeeting.objects.exists()
    # A planned meeting, with its agenda only, is fine; so is the same on today's date.
    services.steering_meeting_save(
        user=tenant.user(Role.STATE_ADMIN), committee=committee, date=D(2026, 6, 2), agenda="A"
    )
    services.steering_meeting_save(
        user=tenant.user(Role.STATE_ADMIN),
        committee=committee,
        date=D(2026, 6, 1),
        **{field: values[field]},
    )
    assert SteeringMeeting.objects.count() == 2


def test_it_refuses_an_attendee_of_another_agencys_committee(tenant):
    committee = _committee(tenant)
    own = _member(tenant, committee)
    stranger = _member(tenant, _committee(tenant, tenant.other_agency), name="Stranger")
    with pytest.raises(ValidationError) as refused:
        services.steering_meeting_save(
            user=tenant.user(Role.STATE_ADMIN),
            committee=committee,
            date=D(2025, 5, 5),
            attendees=[own.pk, stranger.pk],
        )
    assert set(refused.value.message_dict) == {"attendees"}
    assert not SteeringMeeting.objects.exists()
    assert not SteeringAttendance.objects.exists()


def test_it_refuses_an_action_item_due_before_its_meeting(tenant):
    committee = _committee(tenant)
    meeting = services.steering_meeting_save(
        user=tenant.user(Role.STATE_ADMIN), committee=committee, date=D(2025, 5, 5)
    )
    admin = tenant.user(Role.STATE_ADMIN)
    with pytest.raises(ValidationError) as refused:
        services.steering_action_item_save(
            user=admin, meeting=meeting, text="Too early", due_date=D(2025, 5, 4)
        )
    assert set(refused.value.message_dict) == {"due_date"}
    with pytest.raises(ValidationError) as refused:
        services.steering_action_item_save(user=admin, meeting=meeting, text="  ")
    assert set(refused.value.message_dict) == {"text"}
    assert not SteeringActionItem.objects.exists()
    services.steering_action_item_save(
        user=admin, meeting=meeting, text="Same day", due_date=D(2025, 5, 5)
    )
    assert SteeringActionItem.objects.count() == 1


def test_it_changes_the_attendees_and_keeps_the_history(tenant):
    committee = _committee(tenant)
    first, second = _member(tenant, committee, "First"), _member(tenant, committee, "Second")
    admin = tenant.user(Role.STATE_ADMIN)
    meeting = services.steering_meeting_save(
        user=admin, committee=committee, date=D(2025, 5, 5), attendees=[first.pk]
    )
    services.steering_meeting_save(
        user=admin,
        committee=committee,
        meeting=meeting,
        date=D(2025, 5, 6),
        attendees=[second, second.pk],
    )
    assert list(meeting.attendees.all()) == [second]
    assert meeting.history.count() == 2
    assert SteeringAttendance.history.filter(history_type="-").count() == 1


def test_it_refuses_moving_a_meeting_after_its_action_items_due_dates(tenant):
    committee = _committee(tenant)
    admin = tenant.user(Role.STATE_ADMIN)
    meeting = services.steering_meeting_save(user=admin, committee=committee, date=D(2025, 5, 5))
    services.steering_action_item_save(
        user=admin, meeting=meeting, text="Call VR", due_date=D(2025, 5, 10)
    )
    with pytest.raises(ValidationError) as refused:
        services.steering_meeting_save(
            user=admin, committee=committee, meeting=meeting, date=D(2025, 5, 11)
        )
    assert set(refused.value.message_dict) == {"date"}
    meeting.refresh_from_db()
    assert meeting.date == D(2025, 5, 5)

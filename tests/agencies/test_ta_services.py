"""The TA activity log's services: who may write, what is refused (on its field, nothing
saved), and that a removed activity stays in the history."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from agencies import services
from agencies.models import Role, TAActivity, TAActivityKind

D = datetime.date
NOW = datetime.datetime(2026, 6, 10, 17, tzinfo=datetime.UTC)
WRITERS = [Role.STATE_ADMIN, Role.STATE_TRAINER]
OTHERS = [
    Role.FIDELITY_REVIEWER,
    Role.VR_LIAISON,
    Role.IPS_SUPERVISOR,
    Role.AGENCY_LEADER,
    Role.EMPLOYMENT_SPECIALIST,
]


def _log(user, agency, **overrides):
    values = {
        "date": D(2026, 6, 2),
        "kind": TAActivityKind.UNIT_MEETING,
        "duration_minutes": 90,
        "notes": "  Practised the career profile.  ",
    }
    values.update(overrides)
    return services.ta_activity_log(user=user, agency=agency, **values)


@pytest.mark.parametrize("role", WRITERS)
@time_machine.travel(NOW)
def test_it_lets_state_admins_and_trainers_log_change_and_remove(tenant, role):
    user = tenant.user(role)
    activity = _log(user, tenant.agency)
    assert activity.trainer == user and activity.notes == "Practised the career profile."
    services.ta_activity_update(
        user=user,
        activity=activity,
        date=D(2026, 6, 3),
        kind=TAActivityKind.TEAM_MEETING,
        duration_minutes=60,
        notes="",
    )
    activity.refresh_from_db()
    assert activity.kind == TAActivityKind.TEAM_MEETING and activity.duration_minutes == 60
    pk = activity.pk
    services.ta_activity_remove(user=user, activity=activity)
    assert not TAActivity.objects.filter(pk=pk).exists()
    assert TAActivity.history.filter(id=pk, history_type="-").exists()


@pytest.mark.parametrize("role", OTHERS)
@time_machine.travel(NOW)
def test_it_refuses_the_other_roles(tenant, role):
    with pytest.raises(PermissionDenied):
        _log(tenant.user(role), tenant.agency)
    activity = _log(tenant.user(Role.STATE_TRAINER), tenant.agency)
    with pytest.raises(PermissionDenied):
        services.ta_activity_remove(user=tenant.user(role), activity=activity)
    assert TAActivity.objects.count() == 1


@time_machine.travel(NOW)
def test_it_refuses_a_trainer_of_another_agency(tenant):
    with pytest.raises(PermissionDenied):
        _log(tenant.elsewhere_users[Role.STATE_TRAINER], tenant.agency)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"date": D(2026, 6, 11)}, "date", "after today (June 10, 2026)"),
        ({"date": D(1999, 12, 31)}, "date", "2000 or later"),
        ({"date": None}, "date", "Give the date"),
        ({"kind": "party"}, "kind", "kind of activity"),
        ({"duration_minutes": 0}, "duration_minutes", "from 1 to 1440"),
        ({"duration_minutes": 1441}, "duration_minutes", "from 1 to 1440"),
        ({"duration_minutes": None}, "duration_minutes", "in minutes"),
        ({"notes": "x" * 4001}, "notes", "4,000"),
    ],
)
@time_machine.travel(NOW)
def test_it_names_the_field_of_bad_input_and_saves_nothing(tenant, overrides, field, words):
    with pytest.raises(ValidationError) as caught:
        _log(tenant.user(Role.STATE_TRAINER), tenant.agency, **overrides)
    assert list(caught.value.message_dict) == [field]
    assert words in " ".join(caught.value.message_dict[field])
    assert not TAActivity.objects.exists()


@time_machine.travel(NOW)
def test_it_takes_today_and_the_limits_of_the_duration(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    assert _log(trainer, tenant.agency, date=D(2026, 6, 10), duration_minutes=1440).pk
    assert _log(trainer, tenant.agency, date=D(2000, 1, 1), duration_minutes=1).pk

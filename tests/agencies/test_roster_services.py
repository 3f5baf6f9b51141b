"""The roster's services: who may write, what is refused (naming the field, saving nothing),
the history, and which entries count in the structure checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from agencies import selectors_roster, services
from agencies.models import Role, StaffMember, StaffRole, StaffTeamAssignment, TreatmentTeam
from tests.factories import make_user

R = Role


def add_es(tenant, *, user=None, agency=None, **fields):
    defaults = {"name": "Robin Vale", "role": StaffRole.EMPLOYMENT_SPECIALIST, "fte": Decimal("1")}
    return services.staff_member_create(
        user=user or tenant.user(R.IPS_SUPERVISOR),
        agency=agency or tenant.agency,
        **{**defaults, **fields},
    )


def add_sup(tenant, agency=None, name="Sam Ortiz"):
    agency = agency or tenant.agency
    user = tenant.user(R.STATE_ADMIN)
    return services.staff_member_create(
        user=user, agency=agency, name=name, role=StaffRole.IPS_SUPERVISOR, fte=Decimal("1")
    )


def team(tenant, agency=None, name="North team"):
    return services.treatment_team_save(
        user=tenant.user(R.STATE_ADMIN), agency=agency or tenant.agency, name=name
    )


@pytest.mark.parametrize("role", [R.IPS_SUPERVISOR, R.STATE_TRAINER, R.STATE_ADMIN])
def test_it_lets_supervisors_trainers_and_admins_add_to_the_roster(tenant, role):
    member = add_es(tenant, user=tenant.user(role), caseload=12, community_time_percent=70)
    assert StaffMember.objects.get(pk=member.pk).caseload == 12
    assert member.collaborative == tenant.collaborative


@pytest.mark.parametrize(
    "role", [R.FIDELITY_REVIEWER, R.VR_LIAISON, R.AGENCY_LEADER, R.EMPLOYMENT_SPECIALIST]
)
def test_it_refuses_the_roster_to_roles_that_only_read_it(tenant, role):
    with pytest.raises(PermissionDenied):
        add_es(tenant, user=tenant.user(role))
    with pytest.raises(PermissionDenied):
        services.treatment_team_save(user=tenant.user(role), agency=tenant.agency, name="T")
    with pytest.raises(PermissionDenied):
        services.vr_counselor_save(user=tenant.user(role), agency=tenant.agency, name="V")
    assert not StaffMember.objects.exists()


def test_it_refuses_the_roster_of_another_agency_to_its_supervisor(tenant):
    with pytest.raises(PermissionDenied):
        add_es(tenant, agency=tenant.other_agency)


def test_it_keeps_the_history_of_an_entry_with_who_changed_it(tenant):
    member = add_es(tenant, caseload=10)
    trainer = tenant.user(R.STATE_TRAINER)
    services.staff_member_update(user=trainer, member=member, caseload=14)
    history = list(member.history.order_by("history_date"))
    assert [h.caseload for h in history] == [10, 14]
    assert history[-1].history_user == trainer
    assert history[0].history_user == tenant.user(R.IPS_SUPERVISOR)


def test_it_assigns_teams_and_records_the_assignments(tenant):
    north, south = team(tenant), team(tenant, name="South team")
    member = add_es(tenant, treatment_teams=[north, south])
    assert set(member.treatment_teams.all()) == {north, south}
    services.staff_member_update(
        user=tenant.user(R.IPS_SUPERVISOR), member=member, treatment_teams=[south]
    )
    assert list(member.treatment_teams.all()) == [south]
    assert StaffTeamAssignment.history.filter(history_type="-").count() == 1


# -- bad input: a message naming the field, nothing saved ------------------------------------


def _refused(call, field: str) -> ValidationError:
    before = (StaffMember.objects.count(), StaffTeamAssignment.objects.count())
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    assert (StaffMember.objects.count(), StaffTeamAssignment.objects.count()) == before
    return caught.value


@pytest.mark.parametrize("fte", ["-0.5", "0", "1.51", "2"])
def test_it_refuses_an_fte_out_of_range(tenant, fte):
    _refused(lambda: add_es(tenant, fte=Decimal(fte)), "fte")


def test_it_takes_the_largest_fte(tenant):
    assert add_es(tenant, fte=Decimal("1.5")).fte == Decimal("1.5")


@pytest.mark.parametrize(
    "field",
    ["community_time_percent", "referrals_from_teams_percent", "employment_services_percent"],
)
def test_it_refuses_a_share_above_100_percent(tenant, field):
    _refused(lambda: add_es(tenant, **{field: 140}), field)


def test_it_refuses_an_end_before_the_start(tenant):
    error = _refused(
        lambda: add_es(
            tenant, start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 4, 30)
        ),
        "end_date",
    )
    assert "before the start" in error.message_dict["end_date"][0]


def test_it_refuses_a_team_of_another_agency(tenant):
    elsewhere = team(tenant, agency=tenant.other_agency, name="Their team")
    error = _refused(
        lambda: add_es(tenant, user=tenant.user(R.STATE_ADMIN), treatment_teams=[elsewhere]),
        "treatment_teams",
    )
    assert "Their team" in error.message_dict["treatment_teams"][0]


def test_it_refuses_a_team_of_another_agency_on_a_change_and_keeps_the_teams(tenant):
    mine = team(tenant)
    member = add_es(tenant, treatment_teams=[mine])
    elsewhere = team(tenant, agency=tenant.other_agency, name="Their team")
    _refused(
        lambda: services.staff_member_update(
            user=tenant.user(R.STATE_ADMIN), member=member, treatment_teams=[elsewhere]
        ),
        "treatment_teams",
    )
    assert list(member.treatment_teams.all()) == [mine]


def test_it_refuses_a_supervisor_of_another_agency(tenant):
    theirs = add_sup(tenant, agency=tenant.other_agency)
    _refused(lambda: add_es(tenant, supervisor=theirs), "supervisor")


def test_it_refuses_a_supervisor_who_is_not_a_supervisor_entry(tenant):
    colleague = add_es(tenant, name="Kim Park")
    error = _refused(lambda: add_es(tenant, supervisor=colleague), "supervisor")
    assert "Kim Park is not an IPS supervisor" in error.message_dict["supervisor"][0]


def test_it_refuses_a_portal_account_from_outside_the_agency(tenant):
    outsider = tenant.other_agency_users[R.EMPLOYMENT_SPECIALIST]
    _refused(lambda: add_es(tenant, account=outsider), "user")
    mine = add_es(tenant, account=tenant.user(R.EMPLOYMENT_SPECIALIST))
    assert mine.user == tenant.user(R.EMPLOYMENT_SPECIALIST)


def test_it_refuses_a_duplicate_team_name_on_the_name_field(tenant):
    team(tenant, name="North team")
    with pytest.raises(ValidationError) as caught:
        team(tenant, name="north TEAM")
    assert "name" in caught.value.message_dict
    assert TreatmentTeam.objects.count() == 1
    # Another agency may have a team of that name.
    team(tenant, agency=tenant.other_agency, name="North team")


def test_it_keeps_a_supervisor_with_people_under_them_a_supervisor(tenant):
    boss = add_sup(tenant)
    add_es(tenant, supervisor=boss)
    with pytest.raises(ValidationError) as caught:
        services.staff_member_update(
            user=tenant.user(R.IPS_SUPERVISOR), member=boss, role=StaffRole.EMPLOYMENT_SPECIALIST
        )
    assert "role" in caught.value.message_dict
    assert StaffMember.objects.get(pk=boss.pk).role == StaffRole.IPS_SUPERVISOR


def test_it_refuses_someone_of_another_collaborative(tenant, other_tenant):
    with pytest.raises(PermissionDenied):
        add_es(tenant, user=other_tenant.user(R.STATE_ADMIN))
    with pytest.raises(PermissionDenied):
        add_es(tenant, user=make_user())


# -- former staff ---------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 6, 15, 18, tzinfo=datetime.UTC), tick=False)
def test_it_counts_only_current_staff_in_the_checks(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    today = tenant.collaborative.today()
    add_es(tenant, name="Leaves today", caseload=30, end_date=today)
    left = add_es(tenant, name="Left yesterday", caseload=30)
    services.staff_member_end(user=admin, member=left, end_date=today - datetime.timedelta(days=1))
    names = [e.name for e in selectors_roster.roster_entries(admin, tenant.agency)]
    assert names == ["Leaves today"]
    former = selectors_roster.roster_staff(admin, tenant.agency, current=False)
    assert [m.name for m in former] == ["Left yesterday"]


def test_it_computes_the_checks_from_the_roster(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    boss = add_sup(tenant)
    north = team(tenant)
    add_es(
        tenant,
        supervisor=boss,
        caseload=21,
        community_time_percent=65,
        treatment_teams=[north],
        referrals_from_teams_percent=90,
    )
    checks = {c.code: c.met for c in selectors_roster.agency_structure_checks(admin, tenant.agency)}
    assert checks["es_caseload"] is False
    assert checks["es_community_time"] is True
    assert checks["es_team_assignment"] is True
    assert checks["supervisor_caseload"] is None  # the supervisor's caseload is not recorded

"""Writes of the staff roster: entries (supervisors and employment specialists), treatment
teams and VR counselors. Each checks the user's right to change the agency's roster, runs
``full_clean()`` and saves inside one transaction; the history records who did it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import (
    Agency,
    Membership,
    StaffMember,
    StaffTeamAssignment,
    TreatmentTeam,
    VRCounselor,
)
from ipsportal import access
from ipsportal.models import User


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: A field the caller leaves as it is (``None`` clears it).
UNSET: Any = _Unset()


def _check_account(agency: Agency, account: User | None) -> None:
    if account is None:
        return
    belongs = Membership.objects.filter(
        collaborative=agency.collaborative, user=account, is_active=True, agencies=agency
    ).exists()
    if not belongs:
        raise ValidationError({"user": "Choose a portal account of this agency's staff."})


def _check_teams(agency: Agency, teams: Iterable[TreatmentTeam]) -> list[TreatmentTeam]:
    teams = list(dict.fromkeys(teams))
    foreign = [t.name for t in teams if t.agency_id != agency.pk]
    if foreign:
        raise ValidationError(
            {"treatment_teams": f"Not a treatment team of this agency: {', '.join(foreign)}."}
        )
    return teams


def _set_teams(member: StaffMember, teams: list[TreatmentTeam], user: User) -> None:
    wanted = {t.pk for t in teams}
    current = StaffTeamAssignment.objects.filter(staff_member=member)
    for assignment in current:
        if assignment.team_id not in wanted:
            assignment._history_user = user
            assignment.delete()
    have = {a.team_id for a in current}
    for team in teams:
        if team.pk not in have:
            assignment = StaffTeamAssignment(
                collaborative=member.collaborative,
                agency=member.agency,
                staff_member=member,
                team=team,
            )
            assignment._history_user = user
            assignment.save()


def _save_member(member: StaffMember, user: User, teams: list[TreatmentTeam] | None) -> None:
    member.full_clean()
    member._history_user = user
    member.save()
    if teams is not None:
        _set_teams(member, teams, user)


def staff_member_create(
    *,
    user: User,
    agency: Agency,
    name: str,
    role: str,
    fte: Decimal,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    employment_services_only: bool | None = None,
    employment_services_percent: int | None = None,
    supervises_ips_only: bool | None = None,
    supervisor: StaffMember | None = None,
    caseload: int | None = None,
    community_time_percent: int | None = None,
    treatment_teams: Iterable[TreatmentTeam] = (),
    referrals_from_teams_percent: int | None = None,
    account: User | None = None,
) -> StaffMember:
    """Add a person to the agency's roster (``account``: their portal account, optional).
    Refuses, naming the field and saving nothing, a figure out of range, an end before the
    start, a supervisor who is not a supervisor entry of this agency, a team of another
    agency or an account of someone outside the agency."""
    access.require(user, access.Action.ROSTER_EDIT, agency=agency)
    teams = _check_teams(agency, treatment_teams)
    _check_account(agency, account)
    member = StaffMember(
        collaborative=agency.collaborative,
        agency=agency,
        name=name,
        role=role,
        fte=fte,
        start_date=start_date,
        end_date=end_date,
        employment_services_only=employment_services_only,
        employment_services_percent=employment_services_percent,
        supervises_ips_only=supervises_ips_only,
        supervisor=supervisor,
        caseload=caseload,
        community_time_percent=community_time_percent,
        referrals_from_teams_percent=referrals_from_teams_percent,
        user=account,
    )
    with transaction.atomic():
        _save_member(member, user, teams)
    return member


def staff_member_update(
    *,
    user: User,
    member: StaffMember,
    name: str = UNSET,
    role: str = UNSET,
    fte: Decimal = UNSET,
    start_date: datetime.date | None = UNSET,
    end_date: datetime.date | None = UNSET,
    employment_services_only: bool | None = UNSET,
    employment_services_percent: int | None = UNSET,
    supervises_ips_only: bool | None = UNSET,
    supervisor: StaffMember | None = UNSET,
    caseload: int | None = UNSET,
    community_time_percent: int | None = UNSET,
    treatment_teams: Iterable[TreatmentTeam] = UNSET,
    referrals_from_teams_percent: int | None = UNSET,
    account: User | None = UNSET,
) -> StaffMember:
    """Change a roster entry; fields left out stay as they are. The same refusals as
    :func:`staff_member_create`, and a supervisor with people under them stays a supervisor
    until they have another."""
    access.require(user, access.Action.ROSTER_EDIT, agency=member.agency)
    changes = {
        "name": name,
        "role": role,
        "fte": fte,
        "start_date": start_date,
        "end_date": end_date,
        "employment_services_only": employment_services_only,
        "employment_services_percent": employment_services_percent,
        "supervises_ips_only": supervises_ips_only,
        "supervisor": supervisor,
        "caseload": caseload,
        "community_time_percent": community_time_percent,
        "referrals_from_teams_percent": referrals_from_teams_percent,
        "user": account,
    }
    teams = None if treatment_teams is UNSET else _check_teams(member.agency, treatment_teams)
    if account is not UNSET:
        _check_account(member.agency, account)
    with transaction.atomic():
        member = StaffMember.objects.select_for_update().get(pk=member.pk)
        was_supervisor = member.is_supervisor
        for field, value in changes.items():
            if value is not UNSET:
                setattr(member, field, value)
        if (
            was_supervisor
            and not member.is_supervisor
            and StaffMember.objects.filter(supervisor=member).exists()
        ):
            raise ValidationError(
                {
                    "role": "People on the roster name this person as their supervisor: give "
                    "them another supervisor first."
                }
            )
        _save_member(member, user, teams)
    return member


def staff_member_end(*, user: User, member: StaffMember, end_date: datetime.date) -> StaffMember:
    """Record the day a person left the program; from the day after, they are former staff
    and no longer count in the structure checks."""
    return staff_member_update(user=user, member=member, end_date=end_date)


def _save_named(row: TreatmentTeam, user: User) -> None:
    row.full_clean()
    row._history_user = user
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # A concurrent save took the name after full_clean(): report it on the field.
        row.validate_constraints()
        raise


def treatment_team_save(
    *, user: User, agency: Agency, name: str, notes: str = "", team: TreatmentTeam | None = None
) -> TreatmentTeam:
    """Add a mental health treatment team to the agency (or change ``team``)."""
    access.require(user, access.Action.ROSTER_EDIT, agency=agency)
    if team is None:
        team = TreatmentTeam(collaborative=agency.collaborative, agency=agency)
    elif team.agency_id != agency.pk:
        raise ValueError("The team belongs to another agency.")
    team.name = name
    team.notes = notes
    _save_named(team, user)
    return team


def vr_counselor_save(
    *,
    user: User,
    agency: Agency,
    name: str,
    vr_office: str = "",
    email: str = "",
    counselor: VRCounselor | None = None,
) -> VRCounselor:
    """Add a VR counselor who works with the agency's program (or change ``counselor``)."""
    access.require(user, access.Action.ROSTER_EDIT, agency=agency)
    if counselor is None:
        counselor = VRCounselor(collaborative=agency.collaborative, agency=agency)
    elif counselor.agency_id != agency.pk:
        raise ValueError("The counselor belongs to another agency.")
    counselor.name = name
    counselor.vr_office = vr_office
    counselor.email = email
    counselor.full_clean()
    counselor._history_user = user
    with transaction.atomic():
        counselor.save()
    return counselor


__all__ = [
    "UNSET",
    "staff_member_create",
    "staff_member_end",
    "staff_member_update",
    "treatment_team_save",
    "vr_counselor_save",
]

"""Reads of the staff roster: the lists of the roster page and the figures the structure
checks take. Each starts from the access package."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from agencies import structure
from agencies.models import Agency, StaffMember, TreatmentTeam, VRCounselor
from ipsportal import access

if TYPE_CHECKING:
    from ipsportal.models import User


def _current(today: datetime.date) -> Q:
    return Q(end_date__isnull=True) | Q(end_date__gte=today)


def roster_staff(
    user: User, agency: Agency, *, current: bool = True, q: str = ""
) -> QuerySet[StaffMember]:
    """The agency's roster entries the user may read: current staff (no end date, or one
    not past in the collaborative's day), or with ``current=False`` former staff; searched
    by name. Supervisors, teams and accounts come with them (a fixed number of queries)."""
    today = agency.collaborative.today()
    staff = access.staff_members_in_scope(user).filter(agency=agency)
    staff = staff.filter(_current(today)) if current else staff.exclude(_current(today))
    if q:
        staff = staff.filter(name__icontains=q)
    return (
        staff.select_related("supervisor", "user")
        .prefetch_related(
            Prefetch("treatment_teams", queryset=TreatmentTeam.objects.order_by("name"))
        )
        # Supervisors first ("ips_supervisor" sorts after "employment_specialist").
        .order_by("-role", "name", "pk")
    )


def roster_teams(user: User, agency: Agency) -> QuerySet[TreatmentTeam]:
    """The agency's treatment teams, each with the number of current staff on it."""
    today = agency.collaborative.today()
    on_team = Q(staff_members__end_date__isnull=True) | Q(staff_members__end_date__gte=today)
    return (
        access.treatment_teams_in_scope(user)
        .filter(agency=agency)
        .annotate(staff_count=Count("staff_members", filter=on_team, distinct=True))
        .order_by("name", "pk")
    )


def roster_counselors(user: User, agency: Agency) -> QuerySet[VRCounselor]:
    """The VR counselors who work with the agency's program."""
    return access.vr_counselors_in_scope(user).filter(agency=agency).order_by("name", "pk")


def roster_supervisors(user: User, agency: Agency) -> QuerySet[StaffMember]:
    """The agency's current IPS supervisors (the choices for "supervised by")."""
    return roster_staff(user, agency).filter(role=structure.SUPERVISOR)


def roster_entries(user: User, agency: Agency) -> list[structure.RosterEntry]:
    """The people currently on the agency's program as the structure checks take them (one
    query; former staff left out)."""
    today = agency.collaborative.today()
    staff = (
        access.staff_members_in_scope(user)
        .filter(agency=agency)
        .filter(_current(today))
        .annotate(team_count=Count("treatment_teams", distinct=True))
        .order_by("name", "pk")
    )
    return [
        structure.RosterEntry(
            id=s.pk,
            name=s.name,
            role=s.role,
            fte=s.fte,
            caseload=s.caseload,
            community_time_percent=s.community_time_percent,
            employment_services_only=s.employment_services_only,
            employment_services_percent=s.employment_services_percent,
            supervises_ips_only=s.supervises_ips_only,
            supervisor_id=s.supervisor_id,
            team_count=s.team_count,
            referrals_from_teams_percent=s.referrals_from_teams_percent,
        )
        for s in staff
    ]


def agency_structure_checks(user: User, agency: Agency) -> list[structure.CheckResult]:
    """The agency's structure checks, from its current roster."""
    return structure.structure_checks(roster_entries(user, agency))

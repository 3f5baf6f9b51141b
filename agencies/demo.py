"""Fictional demo data: two collaboratives, their regions and agencies, a user per role, the
steering committees of three agencies in each, and the training and TA agreements and the
phase histories of the agencies that are implementing IPS."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from agencies.models import (
    Agency,
    BillingScheme,
    Collaborative,
    ImplementationPhase,
    Membership,
    MembershipAgency,
    PhaseChange,
    Region,
    Role,
    SignerRole,
    StaffMember,
    StaffRole,
    StaffTeamAssignment,
    SteeringActionItem,
    SteeringAttendance,
    SteeringCategory,
    SteeringCommittee,
    SteeringMeeting,
    SteeringMember,
    TAActivity,
    TAActivityKind,
    TAAgreement,
    TASignature,
    TreatmentTeam,
    VRCounselor,
    VRVendorStatus,
)
from agencies.steering import add_months
from ipsportal.models import User

DEMO_PASSWORD = "ips-demo-2026"

P = ImplementationPhase

COLLABORATIVES = [
    {
        "slug": "show-me-ips",
        "name": "Show-Me IPS Collaborative",
        "state": "MO",
        "time_zone": "America/Chicago",
        "billing_scheme": BillingScheme.MISSOURI,
        "email_prefix": "mo",
        "roster_names": [
            "Dana Whitfield",
            "Luis Carrera",
            "Megan Holt",
            "Tariq Bell",
            "Anna Sorensen",
            "Grace Oyelaran",
            "Pete Marsh",
            "Ruth Adeyemi",
            "Colin Baptiste",
        ],
        "regions": ["Kansas City", "St. Louis", "Southeast"],
        "agencies": [
            ("Riverbend Behavioral Health", "Kansas City", "Kansas City", P.SUSTAINING, 2019),
            ("Prairie Lane Community Services", "Independence", "Kansas City", P.MID, 2023),
            ("Gateway Recovery Center", "St. Louis", "St. Louis", P.EARLY, 2025),
            ("Arch City Wellness", "St. Louis", "St. Louis", P.PRE, None),
            ("Mississippi Bluffs Counseling", "Cape Girardeau", "Southeast", P.MID, 2022),
            ("Ozark Foothills Health", "Farmington", "Southeast", P.EXPLORING, None),
            ("Big Muddy Community Mental Health", "Sikeston", "Southeast", P.EARLY, 2025),
        ],
    },
    {
        "slug": "badger-ips",
        "name": "Badger State IPS Collaborative",
        "state": "WI",
        "time_zone": "America/Chicago",
        "billing_scheme": BillingScheme.WISCONSIN,
        "email_prefix": "wi",
        "roster_names": [
            "Karin Lindqvist",
            "Joe Vang",
            "Shawna Greer",
            "Nils Hartmann",
            "Olivia Brandt",
            "Mai Xiong",
            "Frank Dupuis",
            "Tess Kowalski",
            "Ben Redcloud",
        ],
        "regions": ["Northern", "Southern", "Southeastern"],
        "agencies": [
            ("Northwoods Human Services", "Rhinelander", "Northern", P.SUSTAINING, 2018),
            ("Lakeshore Community Support", "Sheboygan", "Southeastern", P.MID, 2022),
            ("Capitol Region Recovery Services", "Madison", "Southern", P.EARLY, 2025),
            ("Driftless Area Behavioral Health", "La Crosse", "Southern", P.PRE, None),
            ("Cream City Wellness Partners", "Milwaukee", "Southeastern", P.EXPLORING, None),
        ],
    },
]

ROLE_USERS = [
    (Role.STATE_ADMIN, "admin", "State Admin"),
    (Role.STATE_TRAINER, "trainer", "State Trainer"),
    (Role.FIDELITY_REVIEWER, "reviewer", "Fidelity Reviewer"),
    (Role.VR_LIAISON, "vr", "VR Liaison"),
    (Role.IPS_SUPERVISOR, "supervisor", "IPS Supervisor"),
    (Role.AGENCY_LEADER, "leader", "Agency Leader"),
    (Role.EMPLOYMENT_SPECIALIST, "es", "Employment Specialist"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    collaborative: str
    agencies: str


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    return user


def _grant(user: User, collaborative: Collaborative, role: str, agencies: list[Agency]) -> None:
    membership, _ = Membership.objects.get_or_create(
        collaborative=collaborative, user=user, role=role
    )
    for agency in agencies:
        MembershipAgency.objects.get_or_create(
            collaborative=collaborative, membership=membership, agency=agency
        )


def load() -> list[DemoLogin]:
    """Create the demo collaboratives, regions, agencies and users, or leave them as they are
    where they exist (idempotent). Returns the logins to print."""
    logins: list[DemoLogin] = []
    collaboratives: list[tuple[Collaborative, list[Agency]]] = []
    for spec in COLLABORATIVES:
        collaborative, _ = Collaborative.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "state": spec["state"],
                "time_zone": spec["time_zone"],
                "billing_scheme": spec["billing_scheme"],
            },
        )
        regions = {}
        for name in spec["regions"]:
            regions[name], _ = Region.objects.get_or_create(collaborative=collaborative, name=name)
        agencies = []
        for name, city, region, phase, start_year in spec["agencies"]:
            agency, _ = Agency.objects.get_or_create(
                collaborative=collaborative,
                slug=slugify(name),
                defaults={
                    "name": name,
                    "city": city,
                    "state": spec["state"],
                    "region": regions[region],
                    "implementation_phase": phase,
                    "implementation_start_date": (
                        datetime.date(start_year, 7, 1) if start_year else None
                    ),
                    "vr_vendor_status": (
                        VRVendorStatus.VENDOR
                        if phase in (P.MID, P.SUSTAINING)
                        else VRVendorStatus.NOT_VENDOR
                    ),
                    "carf_accredited": phase in (P.MID, P.SUSTAINING),
                    "ccbhc": name.startswith(("Riverbend", "Gateway", "Lakeshore")),
                },
            )
            agencies.append(agency)
        collaboratives.append((collaborative, agencies))

        prefix = spec["email_prefix"]
        first, second = agencies[0], agencies[1]
        for role, short, title in ROLE_USERS:
            email = f"{prefix}.{short}@example.org"
            user = _user(email, f"{title} ({spec['state']})")
            if role == Role.STATE_ADMIN:
                covered: list[Agency] = []
            elif role in Role.assigned_roles():
                covered = agencies[: max(3, len(agencies) - 2)]
            else:
                covered = [first]
            _grant(user, collaborative, role, covered)
            logins.append(
                DemoLogin(
                    email=email,
                    role=Role(role).label,
                    collaborative=collaborative.name,
                    agencies=(
                        "all agencies"
                        if role == Role.STATE_ADMIN
                        else ", ".join(a.name for a in covered)
                    ),
                )
            )
        _demo_rosters(agencies, spec["roster_names"])
        # A second supervisor, of another agency, to show agency isolation.
        email = f"{prefix}.supervisor2@example.org"
        _grant(
            _user(email, f"IPS Supervisor 2 ({spec['state']})"),
            collaborative,
            Role.IPS_SUPERVISOR,
            [second],
        )
        logins.append(DemoLogin(email, Role.IPS_SUPERVISOR.label, collaborative.name, second.name))

        _steering(agencies)
        _agreements(agencies)
        _ta_activities(agencies)
        _phase_history(agencies)

    # One trainer who works for both collaboratives, to show the collaborative switcher.
    both = _user("multi.trainer@example.org", "Multi-State Trainer")
    for collaborative, agencies in collaboratives:
        _grant(both, collaborative, Role.STATE_TRAINER, agencies[:2])
    logins.append(
        DemoLogin(both.email, Role.STATE_TRAINER.label, "both collaboratives", "two agencies each")
    )
    return logins


_TEAMS = ["Adult outpatient team", "ACT team", "Transition-age youth team"]
_COUNSELORS = [("Marcy Olin", "Downtown VR office"), ("Walt Pruitt", "East VR office")]


def _demo_rosters(agencies: list[Agency], names: list[str]) -> None:
    """Staff rosters for the first two agencies (the third is left empty: its structure
    checks say "not enough data"). The first meets most checks; adding a fifth employment
    specialist under its supervisor, who has other duties, breaks one. The second misses
    several. Left as they are where an agency already has a roster."""
    first, second = agencies[0], agencies[1]
    if not StaffMember.objects.filter(agency=first).exists():
        teams = _demo_teams(first)
        boss = _demo_staff(
            first, names[0], StaffRole.IPS_SUPERVISOR, caseload=2, supervises_ips_only=False
        )
        # name, FTE, caseload, community %, teams, referrals %
        for name, fte, caseload, community, on, referrals in [
            (names[1], "1.00", 18, 72, [0], 95),
            (names[2], "1.00", 20, 68, [0, 1], 92),
            (names[3], "0.50", 9, 66, [1], 100),
            (names[4], "1.00", 19, 60, [2], 90),
        ]:
            _demo_staff(
                first,
                name,
                StaffRole.EMPLOYMENT_SPECIALIST,
                fte=fte,
                caseload=caseload,
                community_time_percent=community,
                employment_services_only=True,
                supervisor=boss,
                teams=[teams[i] for i in on],
                referrals_from_teams_percent=referrals,
            )
        _demo_staff(
            first,
            names[5],
            StaffRole.EMPLOYMENT_SPECIALIST,
            caseload=22,
            start_date=datetime.date(2023, 1, 9),
            end_date=datetime.date(2025, 3, 31),
            supervisor=boss,
        )
        for name, office in _COUNSELORS:
            VRCounselor.objects.create(
                collaborative=first.collaborative, agency=first, name=name, vr_office=office
            )
    if not StaffMember.objects.filter(agency=second).exists():
        teams = _demo_teams(second)
        boss = _demo_staff(second, names[6], StaffRole.IPS_SUPERVISOR, caseload=5)
        _demo_staff(
            second,
            names[7],
            StaffRole.EMPLOYMENT_SPECIALIST,
            caseload=24,
            community_time_percent=50,
            employment_services_percent=80,
            supervisor=boss,
            teams=teams,
            referrals_from_teams_percent=70,
        )
        _demo_staff(
            second,
            names[8],
            StaffRole.EMPLOYMENT_SPECIALIST,
            fte="0.80",
            caseload=15,
            employment_services_only=True,
            supervisor=boss,
            teams=teams[:1],
            referrals_from_teams_percent=95,
        )


def _demo_teams(agency: Agency) -> list[TreatmentTeam]:
    return [
        TreatmentTeam.objects.create(collaborative=agency.collaborative, agency=agency, name=name)
        for name in _TEAMS
    ]


def _demo_staff(
    agency: Agency,
    name: str,
    role: str,
    *,
    fte: str = "1.00",
    teams: list[TreatmentTeam] = (),
    start_date: datetime.date = datetime.date(2024, 2, 5),
    **figures,
) -> StaffMember:
    member = StaffMember(
        collaborative=agency.collaborative,
        agency=agency,
        name=name,
        role=role,
        fte=fte,
        start_date=start_date,
        **figures,
    )
    member.full_clean()
    member.save()
    for team in teams:
        StaffTeamAssignment.objects.create(
            collaborative=agency.collaborative, agency=agency, staff_member=member, team=team
        )
    return member


S = SteeringCategory

#: The committees of the demo: (agency index, members, days since the last meeting or None).
#: The first agency's is complete and met recently; the second's is complete but overdue; the
#: third's lacks a family member or client, the clinical director and the DMH liaison.
STEERING = [
    (
        0,
        [
            (S.FAMILY_MEMBER, "Maya Lindqvist", "Family advocacy group"),
            (S.CLIENT, "Jordan Ellis", ""),
            (S.IPS_SUPERVISOR, "Ana Torres", ""),
            (S.CLINICAL_DIRECTOR, "Dr. Sam Whitfield", ""),
            (S.VR, "Omar Reyes", "State Vocational Rehabilitation"),
            (S.SENIOR_LEADER, "Ruth Alvarez", "Executive director"),
            (S.STATE_IPS_TEAM, "Lena Brooks", "State IPS team"),
            (S.DMH_LIAISON, "Chris Nakamura", "Department of Mental Health"),
        ],
        30,
    ),
    (
        1,
        [
            (S.CLIENT, "Riley Shaw", ""),
            (S.IPS_SUPERVISOR, "Dev Patel", ""),
            (S.CLINICAL_DIRECTOR, "Dr. Ines Moreau", ""),
            (S.VR, "Kim Alder", "State Vocational Rehabilitation"),
            (S.SENIOR_LEADER, "Grace Obi", "Chief executive"),
            (S.STATE_IPS_TEAM, "Lena Brooks", "State IPS team"),
            (S.DMH_LIAISON, "Chris Nakamura", "Department of Mental Health"),
        ],
        140,
    ),
    (
        2,
        [
            (S.IPS_SUPERVISOR, "Hana Ito", ""),
            (S.VR, "Ben Carter", "State Vocational Rehabilitation"),
            (S.SENIOR_LEADER, "Noor Haddad", "Executive director"),
            (S.STATE_IPS_TEAM, "Lena Brooks", "State IPS team"),
        ],
        None,
    ),
]


def _steering(agencies: list[Agency]) -> None:
    """Steering committees of the first three agencies of a collaborative (left as they are
    where they exist)."""
    for index, members, days_ago in STEERING:
        agency = agencies[index]
        collaborative = agency.collaborative
        committee, created = SteeringCommittee.objects.get_or_create(
            collaborative=collaborative, agency=agency
        )
        if not created:
            continue
        seats = [
            SteeringMember.objects.create(
                collaborative=collaborative,
                agency=agency,
                committee=committee,
                category=category,
                name=name,
                organisation=organisation,
            )
            for category, name, organisation in members
        ]
        if days_ago is None:
            continue
        meeting = SteeringMeeting.objects.create(
            collaborative=collaborative,
            agency=agency,
            committee=committee,
            date=collaborative.today() - datetime.timedelta(days=days_ago),
            agenda="Implementation plan progress\nReferrals from the treatment teams",
            minutes="Reviewed the plan's open steps and this quarter's referrals.",
            decisions="Present IPS at the next all-staff meeting.",
        )
        for member in seats[:-1]:
            SteeringAttendance.objects.create(
                collaborative=collaborative, agency=agency, meeting=meeting, member=member
            )
        SteeringActionItem.objects.create(
            collaborative=collaborative,
            agency=agency,
            meeting=meeting,
            text="Present IPS at the all-staff meeting",
            owner=seats[2].name,
            due_date=meeting.date + datetime.timedelta(days=30),
        )


#: Who signs the agreements of the demo, per collaborative (fictional people).
_AGREEMENT_SIGNERS = {
    "MO": ("Dr. Helen Marsh", "Carla Nguyen, DMH", "Victor Hale, VR"),
    "WI": ("Dr. Peter Lund", "Amara Diallo, DHS", "Grace Olson, DVR"),
}


def _agreements(agencies: list[Agency]) -> None:
    """A training and TA agreement for each agency in early, mid or sustaining
    implementation: signed by all three lines, but for the first agency in early
    implementation, whose version still awaits the state VR signature. Left as they are
    where an agency has one."""
    phases = (P.EARLY, P.MID, P.SUSTAINING)
    awaiting = next((a for a in agencies if a.implementation_phase == P.EARLY), None)
    for agency in agencies:
        if agency.implementation_phase not in phases:
            continue
        collaborative = agency.collaborative
        if TAAgreement.objects.filter(collaborative=collaborative, agency=agency).exists():
            continue
        admin = (
            Membership.objects.filter(collaborative=collaborative, role=Role.STATE_ADMIN)
            .select_related("user")
            .first()
        )
        start = agency.implementation_start_date or datetime.date(2025, 7, 1)
        agreement = TAAgreement.objects.create(
            collaborative=collaborative,
            agency=agency,
            start_date=start,
            employer_visits="quarterly"
            if agency.implementation_phase == P.SUSTAINING
            else "monthly",
            created_by=admin.user if admin else None,
        )
        director, mh, vr = _AGREEMENT_SIGNERS.get(agency.state, _AGREEMENT_SIGNERS["MO"])
        signed = datetime.datetime.combine(
            start - datetime.timedelta(days=14), datetime.time(15, 30), collaborative.zoneinfo
        )
        lines = [(SignerRole.EXECUTIVE_DIRECTOR, director), (SignerRole.STATE_MH, mh)]
        if agency != awaiting:
            lines.append((SignerRole.STATE_VR, vr))
        for n, (line, name) in enumerate(lines):
            TASignature.objects.create(
                collaborative=collaborative,
                agency=agency,
                agreement=agreement,
                signer_role=line,
                signer_name=name,
                signed_at=signed + datetime.timedelta(days=n),
                recorded_by=admin.user if admin else None,
                on_behalf=True,
                on_behalf_reason="Signed on paper at the kick-off meeting",
            )
        if len(lines) == 3:
            TAAgreement.objects.filter(pk=agreement.pk).update(
                signed_at=signed + datetime.timedelta(days=2)
            )


#: The demo's TA log over an agreement's first six months: (month, day, kind, minutes, notes).
_TA_PATTERN = [
    (1, 3, TAActivityKind.TRAINING_SESSION, 360, "Two-day IPS basics for the team, day one."),
    (1, 4, TAActivityKind.TRAINING_SESSION, 360, "IPS basics, day two: job development."),
    (1, 9, TAActivityKind.STEERING_COMMITTEE, 90, "First meeting: members, goals, referrals."),
    (4, 8, TAActivityKind.STEERING_COMMITTEE, 90, "Quarterly meeting: first outcomes."),
    (6, 24, TAActivityKind.OUTCOME_REVIEW, 60, "Six-month outcomes with the supervisor."),
]


def _ta_activities(agencies: list[Agency]) -> None:
    """The trainer's TA log for each agency with an agreement: every month of the first six,
    a unit meeting, an MH team meeting and an employer visit (monthly or per quarter, as
    agreed), with a few gaps to show on the compliance page (no MH team meeting in month 2
    of agencies in early implementation, no employer visit in month 5 of those in mid
    implementation), and a recent unit meeting. Left as it is where an agency has a log."""
    for agency in agencies:
        agreement = (
            TAAgreement.objects.filter(agency=agency, collaborative=agency.collaborative)
            .order_by("version")
            .first()
        )
        if agreement is None or TAActivity.objects.filter(agency=agency).exists():
            continue
        collaborative = agency.collaborative
        trainer = (
            Membership.objects.filter(
                collaborative=collaborative,
                role=Role.STATE_TRAINER,
                user__email__endswith=".trainer@example.org",
            )
            .select_related("user")
            .first()
        )
        today = collaborative.today()
        rows = list(_TA_PATTERN)
        for month in range(1, 7):
            rows.append((month, 7, TAActivityKind.UNIT_MEETING, 60, "Reviewed job starts."))
            if not (month == 2 and agency.implementation_phase == P.EARLY):
                rows.append((month, 14, TAActivityKind.TEAM_MEETING, 45, "Talked about referrals."))
            quarterly = agreement.employer_visits == "quarterly"
            if (not quarterly or month in (1, 4)) and not (
                month == 5 and agency.implementation_phase == P.MID
            ):
                rows.append(
                    (month, 21, TAActivityKind.EMPLOYER_VISIT, 120, "Field mentoring with ES.")
                )
        activities = []
        for month, day, kind, minutes, notes in rows:
            first = add_months(agreement.start_date.replace(day=1), month - 1)
            date = min(first + datetime.timedelta(days=day - 1), today)
            activities.append((date, kind, minutes, notes))
        recent = today - datetime.timedelta(days=10)
        if recent > max(a[0] for a in activities):
            activities.append((recent, TAActivityKind.UNIT_MEETING, 60, "Caseload review."))
        bulk_create_with_history(
            [
                TAActivity(
                    collaborative=collaborative,
                    agency=agency,
                    date=date,
                    kind=kind,
                    duration_minutes=minutes,
                    notes=notes,
                    trainer=trainer.user if trainer else None,
                )
                for date, kind, minutes, notes in activities
            ],
            TAActivity,
        )


#: The moves of a demo agency's phase history, by its phase now: (from, to, months after the
#: implementation start date, note).
_PHASE_MOVES = {
    P.EARLY: [(P.PRE, P.EARLY, 0, "Supervisor and two employment specialists hired.")],
    P.MID: [
        (P.PRE, P.EARLY, 0, "IPS team in place; training with the state trainer started."),
        (P.EARLY, P.MID, 10, "First job starts; baseline fidelity review booked."),
    ],
    P.SUSTAINING: [
        (P.EARLY, P.MID, 12, "Steady job starts and an active steering committee."),
        (P.MID, P.SUSTAINING, 36, "Good fidelity twice in a row; VR and Medicaid funding."),
    ],
}


def _phase_history(agencies: list[Agency]) -> None:
    """One or two recorded moves between phases for each agency past pre-implementation,
    dated from its implementation start, made by the collaborative's trainer. Left as they
    are where an agency has a history."""
    for agency in agencies:
        moves = _PHASE_MOVES.get(agency.implementation_phase)
        if not moves or agency.implementation_start_date is None:
            continue
        collaborative = agency.collaborative
        if PhaseChange.objects.filter(collaborative=collaborative, agency=agency).exists():
            continue
        trainer = (
            Membership.objects.filter(collaborative=collaborative, role=Role.STATE_TRAINER)
            .select_related("user")
            .order_by("created_at")
            .first()
        )
        start = agency.implementation_start_date
        for from_phase, to_phase, months, note in moves:
            year, month = divmod(start.month - 1 + months, 12)
            day = datetime.date(start.year + year, month + 1, min(start.day, 28))
            change = PhaseChange.objects.create(
                collaborative=collaborative,
                agency=agency,
                from_phase=from_phase,
                to_phase=to_phase,
                note=note,
                changed_by=trainer.user if trainer else None,
            )
            moment = datetime.datetime.combine(day, datetime.time(10, 0), collaborative.zoneinfo)
            # The record's time is set when it is saved; the demo dates it in the past.
            PhaseChange.objects.filter(pk=change.pk).update(changed_at=moment)

"""Fictional demo data: two collaboratives, their regions and agencies, a user per role, and
the steering committees of three agencies in each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.text import slugify

from agencies.models import (
    Agency,
    BillingScheme,
    Collaborative,
    ImplementationPhase,
    Membership,
    MembershipAgency,
    Region,
    Role,
    SteeringActionItem,
    SteeringAttendance,
    SteeringCategory,
    SteeringCommittee,
    SteeringMeeting,
    SteeringMember,
    VRVendorStatus,
)
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

    # One trainer who works for both collaboratives, to show the collaborative switcher.
    both = _user("multi.trainer@example.org", "Multi-State Trainer")
    for collaborative, agencies in collaboratives:
        _grant(both, collaborative, Role.STATE_TRAINER, agencies[:2])
    logins.append(
        DemoLogin(both.email, Role.STATE_TRAINER.label, "both collaboratives", "two agencies each")
    )
    return logins


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

"""Fictional demo data: two collaboratives, their regions and agencies, a user per role."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
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


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create the demo data, or leave it as it is where it exists (idempotent)."""
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

    # One trainer who works for both collaboratives, to show the collaborative switcher.
    both = _user("multi.trainer@example.org", "Multi-State Trainer")
    for collaborative, agencies in collaboratives:
        _grant(both, collaborative, Role.STATE_TRAINER, agencies[:2])
    logins.append(
        DemoLogin(both.email, Role.STATE_TRAINER.label, "both collaboratives", "two agencies each")
    )
    load_demo_readiness()
    return logins


def load_demo_readiness() -> None:
    """A finalized readiness visit (with its report) and a draft in the Show-Me collaborative,
    logged by its demo trainer; left as it is where it exists (idempotent)."""
    from readiness import services as readiness
    from readiness.models import ReadinessVisit

    collaborative = Collaborative.objects.filter(slug="show-me-ips").first()
    trainer = User.objects.filter(email="mo.trainer@example.org").first()
    if collaborative is None or trainer is None:
        return
    agencies = {a.slug: a for a in Agency.objects.filter(collaborative=collaborative)}
    riverbend = agencies.get("riverbend-behavioral-health")
    arch_city = agencies.get("arch-city-wellness")
    existing = set(
        ReadinessVisit.objects.filter(collaborative=collaborative).values_list(
            "agency_id", flat=True
        )
    )
    ready, work = "ready", "work_needed"
    if riverbend is not None and riverbend.pk not in existing:
        visit = readiness.visit_create(
            user=trainer,
            agency=riverbend,
            data={
                "visit_date": datetime.date(2018, 10, 16),
                "met_leadership": True,
                "met_employment_staff": True,
                "met_clients": True,
                "leaders": [
                    {"name": "Dana Whitfield", "title": "Executive director"},
                    {"name": "Luis Ortega", "title": "Clinical director"},
                ],
                "ratings": {
                    "motivation": {
                        "rating": ready,
                        "notes": "Leaders know the research and "
                        "want more clients working; about 12% work today.",
                    },
                    "mission": {"rating": ready, "notes": "Peer specialists are on every team."},
                    "leadership_role": {
                        "rating": work,
                        "notes": "No leader is named to sit on a steering committee yet.",
                    },
                    "financing": {
                        "rating": work,
                        "notes": "Start-up funds are not budgeted; "
                        "job development without the client worries finance.",
                    },
                    "vr_partnership": {
                        "rating": ready,
                        "notes": "VR vendor since 2016; the VR supervisor came to the meeting.",
                    },
                    "integration": {"rating": ready, "notes": "Three treatment teams meet weekly."},
                    "interest": {"rating": ready, "notes": ""},
                    "recovery_beliefs": {
                        "rating": work,
                        "notes": "Staff still speak of clients who are not ready for work.",
                    },
                    "supervision": {
                        "rating": ready,
                        "notes": "The supervisor will lead two employment specialists half-time.",
                    },
                    "client_participation": {
                        "rating": ready,
                        "notes": "Clients asked for evening benefits sessions.",
                    },
                },
                "barriers": "No start-up budget for the first year\n"
                "Some staff believe clients must be ready before looking for work",
                "facilitators": "Strong VR partnership\nPeer staff with equal standing",
                "action_steps": [
                    {
                        "text": "Budget start-up funds for the first year of IPS",
                        "owner": "Dana Whitfield",
                        "target_date": datetime.date(2018, 12, 31),
                        "area_key": "financing",
                    },
                    {
                        "text": "Form the IPS steering committee with a client member",
                        "owner": "Luis Ortega",
                        "target_date": datetime.date(2019, 2, 1),
                        "area_key": "leadership_role",
                    },
                ],
                "recipients": [
                    {
                        "name": "Dana Whitfield",
                        "email": "dana.whitfield@example.org",
                        "role": "Executive director",
                        "vr_copy": False,
                    },
                    {
                        "name": "Morgan Lee",
                        "email": "morgan.lee@example.org",
                        "role": "VR counselor",
                        "vr_copy": True,
                    },
                ],
            },
        )
        # Demo data is not emailed to anyone: the report is rendered for the portal only.
        readiness.visit_finalize(
            user=trainer, visit=visit, expected_version=visit.version, send_email=False
        )
    if arch_city is not None and arch_city.pk not in existing:
        today = readiness.collaborative_today(collaborative)
        readiness.visit_create(
            user=trainer,
            agency=arch_city,
            data={
                "visit_date": today - datetime.timedelta(days=3),
                "met_leadership": True,
                "leaders": [{"name": "Priya Natarajan", "title": "Chief executive officer"}],
                "ratings": {
                    "motivation": {"rating": ready, "notes": "Eager to start this year."},
                    "mission": {"rating": work, "notes": "A day program runs next door."},
                },
                "not_applicable_parts": ["employment_team"],
            },
        )

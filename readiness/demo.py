"""Demo data of readiness visits in the Show-Me collaborative: finalized visits (two at one
agency, so its chart shows progress) and a draft."""

from __future__ import annotations

import datetime

from agencies.models import Agency, Collaborative
from ipsportal.models import User
from readiness import services as readiness
from readiness.models import ReadinessVisit

AREA_KEYS = (
    "motivation",
    "mission",
    "leadership_role",
    "financing",
    "vr_partnership",
    "integration",
    "interest",
    "recovery_beliefs",
    "supervision",
    "client_participation",
)

#: Later finalized visits: (agency slug, date, areas needing work, leader, recipient).
FOLLOW_UPS = (
    (
        "riverbend-behavioral-health",
        datetime.date(2019, 5, 14),
        ("financing",),
        ("Dana Whitfield", "Executive director"),
        ("Dana Whitfield", "dana.whitfield@example.org"),
    ),
    (
        "prairie-lane-community-services",
        datetime.date(2022, 9, 20),
        ("financing", "vr_partnership", "recovery_beliefs", "client_participation"),
        ("Hollis Grant", "Chief executive officer"),
        ("Hollis Grant", "hollis.grant@example.org"),
    ),
    (
        "mississippi-bluffs-counseling",
        datetime.date(2021, 11, 3),
        ("leadership_role", "integration"),
        ("Marta Ybarra", "Clinical director"),
        ("Marta Ybarra", "marta.ybarra@example.org"),
    ),
)


def _follow_ups(trainer, agencies: dict) -> None:
    for slug, day, work_keys, (leader, title), (name, email) in FOLLOW_UPS:
        agency = agencies.get(slug)
        if agency is None or ReadinessVisit.objects.filter(agency=agency, visit_date=day).exists():
            continue
        visit = readiness.visit_create(
            user=trainer,
            agency=agency,
            data={
                "visit_date": day,
                "met_leadership": True,
                "met_employment_staff": True,
                "leaders": [{"name": leader, "title": title}],
                "ratings": {
                    key: {"rating": "work_needed" if key in work_keys else "ready", "notes": ""}
                    for key in AREA_KEYS
                },
                "recipients": [{"name": name, "email": email, "role": title, "vr_copy": False}],
            },
        )
        readiness.visit_finalize(
            user=trainer, visit=visit, expected_version=visit.version, send_email=False
        )
        _finalized_after_the_visit(visit)


def _finalized_after_the_visit(visit: ReadinessVisit) -> None:
    """Demo visits of past years read as finalized two days after the visit (at 4 PM, the
    collaborative's time), not on the day the demo was loaded."""
    collaborative = visit.collaborative
    day = visit.visit_date + datetime.timedelta(days=2)
    moment = datetime.datetime.combine(day, datetime.time(16), tzinfo=collaborative.zoneinfo)
    ReadinessVisit.objects.filter(pk=visit.pk, finalized_at__gt=moment).update(finalized_at=moment)


def load() -> None:
    """Finalized readiness visits (with their reports) and a draft in the Show-Me
    collaborative, logged by its demo trainer; left as they are where they exist
    (idempotent)."""
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
        _finalized_after_the_visit(visit)
    if arch_city is not None and arch_city.pk not in existing:
        today = collaborative.today()
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
    _follow_ups(trainer, agencies)

"""Builders of test data: a tenant is a collaborative with agencies and a user per role."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from agencies.models import Agency, Collaborative, Membership, MembershipAgency, Region, Role
from ipsportal.models import User

PASSWORD = "correct-horse-battery-42"
_seq = itertools.count(1)


def make_user(email: str | None = None, **extra) -> User:
    n = next(_seq)
    extra.setdefault("full_name", f"Person {n}")
    return User.objects.create_user(
        email=email or f"person{n}@example.org", password=PASSWORD, **extra
    )


def make_collaborative(name: str | None = None, **extra) -> Collaborative:
    n = next(_seq)
    name = name or f"Collaborative {n}"
    extra.setdefault("state", "MO")
    return Collaborative.objects.create(name=name, slug=f"collab-{n}", **extra)


def make_region(collaborative: Collaborative, name: str | None = None) -> Region:
    return Region.objects.create(collaborative=collaborative, name=name or f"Region {next(_seq)}")


def make_agency(collaborative: Collaborative, name: str | None = None, **extra) -> Agency:
    n = next(_seq)
    name = name or f"Agency {n}"
    return Agency.objects.create(
        collaborative=collaborative, name=name, slug=f"agency-{n}", **extra
    )


def grant(user: User, collaborative: Collaborative, role: Role, agencies=()) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        collaborative=collaborative, user=user, role=role
    )
    for agency in agencies:
        MembershipAgency.objects.get_or_create(
            collaborative=collaborative, membership=membership, agency=agency
        )
    return membership


@dataclass
class Tenant:
    """A collaborative with two agencies, a region, and one user per role.

    State roles other than the admin are assigned to ``agency`` only; agency roles belong to
    ``agency``. Two more groups of the same collaborative stand outside ``agency``, for tests
    of isolation inside a collaborative: ``other_agency_users`` hold the agency roles of
    ``other_agency``, and ``elsewhere_users`` the assigned state roles (trainer, reviewer,
    VR liaison) assigned to ``other_agency`` only.
    """

    collaborative: Collaborative
    region: Region
    agency: Agency
    other_agency: Agency
    users: dict[Role, User] = field(default_factory=dict)
    other_agency_users: dict[Role, User] = field(default_factory=dict)
    elsewhere_users: dict[Role, User] = field(default_factory=dict)

    def user(self, role: Role | str) -> User:
        return self.users[Role(role)]


def make_tenant(label: str = "") -> Tenant:
    collaborative = make_collaborative(f"{label or 'Tenant'} Collaborative {next(_seq)}")
    region = make_region(collaborative, f"{label} Region".strip())
    agency = make_agency(collaborative, f"{label} Agency One".strip(), region=region)
    other = make_agency(collaborative, f"{label} Agency Two".strip(), region=region)
    tenant = Tenant(collaborative, region, agency, other)
    for role in Role:
        user = make_user(full_name=f"{label} {role.label}".strip())
        agencies = [] if role == Role.STATE_ADMIN else [agency]
        grant(user, collaborative, role, agencies)
        tenant.users[role] = user
    # Roles in declaration order, never a set's order: the users' names and numbers must not
    # depend on the process's hash seed (pytest-xdist's workers each have their own).
    for role in Role:
        if role in Role.agency_roles():
            user = make_user(full_name=f"{label} other {role.label}".strip())
            grant(user, collaborative, role, [other])
            tenant.other_agency_users[role] = user
        elif role in Role.assigned_roles():
            user = make_user(full_name=f"{label} elsewhere {role.label}".strip())
            grant(user, collaborative, role, [other])
            tenant.elsewhere_users[role] = user
    return tenant

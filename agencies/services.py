"""Writes of the agencies app. HTML views and API views both call these."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from agencies.models import (
    Agency,
    Collaborative,
    ImplementationArea,
    ImplementationPlan,
    ImplementationStep,
    Invitation,
    InvitationAgency,
    Membership,
    MembershipAgency,
    Region,
    Role,
)
from ipsportal import access
from ipsportal.models import User

INVITATION_LIFETIME = timedelta(days=14)

AGENCY_FIELDS = (
    "name",
    "region",
    "street",
    "city",
    "state",
    "postal_code",
    "phone",
    "vr_vendor_status",
    "carf_accredited",
    "ccbhc",
    "pros_program",
    "implementation_phase",
    "implementation_start_date",
    "partner_employment_agency",
    "is_active",
)


def _unique_slug(collaborative: Collaborative, name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:70] or "agency"
    slug, n = base, 2
    taken = Agency.objects.filter(collaborative=collaborative)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_region(collaborative: Collaborative, region: Region | None) -> None:
    if region is not None and region.collaborative_id != collaborative.pk:
        raise ValidationError({"region": "Choose a region of this collaborative."})


def agency_create(*, user: User, collaborative: Collaborative, data: dict[str, Any]) -> Agency:
    """Create an agency in a collaborative. The caller holds CREATE_AGENCY there."""
    access.require(user, access.Action.CREATE_AGENCY, collaborative=collaborative)
    fields = {k: v for k, v in data.items() if k in AGENCY_FIELDS}
    _check_region(collaborative, fields.get("region"))
    with transaction.atomic():
        agency = Agency(collaborative=collaborative, **fields)
        agency.slug = _unique_slug(collaborative, agency.name or "")
        agency.full_clean()
        agency.save()
    return agency


def agency_update(*, user: User, agency: Agency, data: dict[str, Any]) -> Agency:
    """Change an agency's profile. The caller fetched it with ``access_agency(write=True)``."""
    access.require(user, access.Action.EDIT_AGENCY, agency=agency)
    fields = {k: v for k, v in data.items() if k in AGENCY_FIELDS}
    _check_region(agency.collaborative, fields.get("region", agency.region))
    with transaction.atomic():
        for key, value in fields.items():
            setattr(agency, key, value)
        agency.full_clean()
        agency.save()
    return agency


def region_save(
    *, user: User, collaborative: Collaborative, data: dict[str, Any], region: Region | None = None
) -> Region:
    """Create (``region=None``) or change a region of a collaborative."""
    access.require(user, access.Action.MANAGE_REGIONS, collaborative=collaborative)
    with transaction.atomic():
        region = region or Region(collaborative=collaborative)
        for key in ("name", "liaison_name", "liaison_email"):
            if key in data:
                setattr(region, key, data[key])
        region.full_clean()
        region.save()
    return region


# --------------------------------------------------------------------------------------------
# Invitations and memberships
# --------------------------------------------------------------------------------------------


def invitable_agencies(user: User, collaborative: Collaborative) -> QuerySet[Agency]:
    """Agencies the user may invite people into: every agency of the collaborative for state
    admins, the agencies they supervise for IPS supervisors. An agency the user reaches
    through another role (say, also as a trainer) does not count."""
    managers = access.PERMISSIONS[access.Action.MANAGE_USERS].keys()
    return access.agencies_with_roles(user, managers, collaborative)


def _validate_role_agencies(
    *, user: User, collaborative: Collaborative, role: str, agencies: Iterable[Agency]
) -> list[Agency]:
    agencies = list(agencies)
    if role not in access.invitable_roles(user, collaborative):
        raise PermissionDenied("You may not invite people into this role.")
    scope_ids = set(invitable_agencies(user, collaborative).values_list("pk", flat=True))
    for agency in agencies:
        if agency.collaborative_id != collaborative.pk or agency.pk not in scope_ids:
            raise ValidationError({"agencies": "Choose agencies of this collaborative."})
    if role in Role.agency_roles() and len(agencies) != 1:
        raise ValidationError(
            {"agencies": "Agency staff belong to exactly one agency: choose one."}
        )
    if role in Role.assigned_roles() and not agencies:
        raise ValidationError({"agencies": "Assign at least one agency to this role."})
    if role == Role.STATE_ADMIN and agencies:
        raise ValidationError(
            {"agencies": "State admins see every agency of the collaborative: choose none."}
        )
    return agencies


def invitation_create(
    *,
    invited_by: User,
    collaborative: Collaborative,
    email: str,
    role: str,
    agencies: Iterable[Agency] = (),
    full_name: str = "",
) -> tuple[Invitation, str]:
    """Invite someone into a role and email them a one-time link.

    Returns the invitation and the raw token (only its hash is stored). Earlier pending
    invitations of the same person into the same role are revoked.
    """
    agencies = _validate_role_agencies(
        user=invited_by, collaborative=collaborative, role=role, agencies=agencies
    )
    return _invitation_issue(
        collaborative=collaborative,
        email=email,
        role=role,
        agencies=agencies,
        full_name=full_name,
        invited_by=invited_by,
    )


def _invitation_issue(
    *,
    collaborative: Collaborative,
    email: str,
    role: str,
    agencies: list[Agency],
    full_name: str,
    invited_by: User | None,
) -> tuple[Invitation, str]:
    """Record an invitation whose role and agencies were already checked, and email it."""
    email = User.objects.normalize_email(email).lower()
    if Membership.objects.filter(
        collaborative=collaborative, user__email__iexact=email, role=role, is_active=True
    ).exists():
        raise ValidationError({"email": "This person already has this role here."})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            collaborative=collaborative,
            email__iexact=email,
            role=role,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation(
            collaborative=collaborative,
            email=email,
            full_name=full_name,
            role=role,
            invited_by=invited_by,
            token_hash=Invitation.hash_token(token),
            expires_at=now + INVITATION_LIFETIME,
        )
        invitation.full_clean()
        invitation.save()
        InvitationAgency.objects.bulk_create(
            InvitationAgency(collaborative=collaborative, invitation=invitation, agency=a)
            for a in agencies
        )
        link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "invitation_accept", kwargs={"token": token}
        )
        context = {"invitation": invitation, "link": link, "agencies": agencies}
        transaction.on_commit(
            lambda: send_mail(
                subject=f"You are invited to IPS Portal ({collaborative.name})",
                message=render_to_string("emails/invitation.txt", context),
                from_email=None,
                recipient_list=[email],
            )
        )
    return invitation, token


def collaborative_bootstrap(
    *,
    name: str,
    slug: str,
    state: str,
    admin_email: str,
    time_zone: str = "America/Chicago",
    billing_scheme: str = "none",
) -> tuple[Collaborative, Invitation, str]:
    """Create a collaborative and invite its first state admin (for operators setting up a
    state; everyone else is then invited from the portal). Returns the collaborative, the
    invitation and the raw token of its link."""
    with transaction.atomic():
        collaborative = Collaborative(
            name=name,
            slug=slug,
            state=state,
            time_zone=time_zone,
            billing_scheme=billing_scheme,
        )
        collaborative.full_clean()
        collaborative.save()
        invitation, token = _invitation_issue(
            collaborative=collaborative,
            email=admin_email,
            role=Role.STATE_ADMIN,
            agencies=[],
            full_name="",
            invited_by=None,
        )
    return collaborative, invitation, token


def invitation_find(token: str) -> Invitation | None:
    """The pending invitation behind a token, or None (unknown, used, revoked or expired).

    Looked up by the token's hash: the token itself is the credential, as for a password
    reset link, so no user scope applies.
    """
    invitation = (
        Invitation.objects.select_related("collaborative")
        .filter(token_hash=Invitation.hash_token(token or ""))
        .first()
    )
    if invitation is None or invitation.status != "pending":
        return None
    return invitation


def invitation_account_exists(invitation: Invitation) -> bool:
    """True when the invited email already has an account with a password: that person
    accepts by logging in (:func:`invitation_accept_as`), not by choosing a new password."""
    user = User.objects.filter(email__iexact=invitation.email).first()
    return user is not None and user.has_usable_password()


def _lock_pending_invitation(token: str) -> Invitation:
    # Locked so that two submissions of one link cannot both succeed.
    invitation = invitation_find(token)
    if invitation is None:
        raise ValidationError("This invitation link is no longer valid.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ValidationError("This invitation link is no longer valid.")
    return invitation


def invitation_accept(*, token: str, password: str, full_name: str) -> User:
    """Accept an invitation as a newcomer: create the account (or complete one that has no
    password yet), set the password, and grant the membership. The link works once.

    An account that already has a password is refused here: the link would otherwise let
    whoever holds it replace that password. Such a person logs in and accepts with
    :func:`invitation_accept_as`.
    """
    with transaction.atomic():
        invitation = _lock_pending_invitation(token)
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            user = User(email=invitation.email)
        elif user.has_usable_password():
            raise ValidationError(
                "You already have an account with this email address: log in to accept."
            )
        user.full_name = full_name or user.full_name or invitation.full_name
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
        _invitation_grant(invitation, user)
    access.forget_memberships(user)
    return user


def invitation_accept_as(*, token: str, user: User) -> User:
    """Accept an invitation with the account the person is logged in with; the invitation
    must have been sent to that account's email address. Their password stays as it is."""
    with transaction.atomic():
        invitation = _lock_pending_invitation(token)
        if user.email.lower() != invitation.email.lower():
            raise PermissionDenied("This invitation was sent to another email address.")
        _invitation_grant(invitation, user)
    access.forget_memberships(user)
    return user


def _invitation_grant(invitation: Invitation, user: User) -> None:
    # Inside the caller's transaction: the membership and the used link change together.
    membership, _ = Membership.objects.get_or_create(
        collaborative=invitation.collaborative,
        user=user,
        role=invitation.role,
        defaults={"is_active": True},
    )
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    agency_ids = InvitationAgency.objects.filter(invitation=invitation).values_list(
        "agency_id", flat=True
    )
    for agency_id in agency_ids:
        MembershipAgency.objects.get_or_create(
            collaborative=invitation.collaborative,
            membership=membership,
            agency_id=agency_id,
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])


def membership_grant(
    *, user: User, collaborative: Collaborative, role: str, agencies: Iterable[Agency] = ()
) -> Membership:
    """Give a user a role (used by the demo data and operators; people normally get roles by
    accepting an invitation)."""
    agencies = list(agencies)
    for agency in agencies:
        if agency.collaborative_id != collaborative.pk:
            raise ValidationError({"agencies": "Choose agencies of this collaborative."})
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(
            collaborative=collaborative, user=user, role=role
        )
        for agency in agencies:
            MembershipAgency.objects.get_or_create(
                collaborative=collaborative, membership=membership, agency=agency
            )
    access.forget_memberships(user)
    return membership


def invitation_revoke(*, user: User, invitation: Invitation) -> bool:
    """Withdraw a pending invitation (fetched with ``access_invitation``). False if it was no
    longer pending."""
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    return bool(updated)


# --------------------------------------------------------------------------------------------
# Implementation plans
# --------------------------------------------------------------------------------------------


def implementation_plan_create(*, user: User, agency: Agency) -> ImplementationPlan:
    """Start an agency's implementation plan (or return the one it has)."""
    access.require(user, access.Action.EDIT_AGENCY, agency=agency)
    with transaction.atomic():
        plan, _ = ImplementationPlan.objects.get_or_create(
            collaborative=agency.collaborative, agency=agency, defaults={"created_by": user}
        )
    return plan


def implementation_steps_add(
    *, user: User, plan: ImplementationPlan, steps: Iterable[dict[str, Any]]
) -> list[ImplementationStep]:
    """Add action steps to a plan, all or nothing.

    Each step is a dict with ``area``, ``action``, ``responsible``, ``target_date`` and
    optionally ``source_id`` / ``source_label`` (the record it came from). A step whose source
    is already in the plan is skipped, so converting the same steps twice adds nothing.
    Returns the steps created.
    """
    access.require(user, access.Action.EDIT_AGENCY, agency=plan.agency)
    created: list[ImplementationStep] = []
    with transaction.atomic():
        existing = set(
            ImplementationStep.objects.filter(plan=plan, source_id__isnull=False).values_list(
                "source_id", flat=True
            )
        )
        for data in steps:
            source_id = data.get("source_id")
            if source_id is not None and source_id in existing:
                continue
            step = ImplementationStep(
                collaborative=plan.collaborative,
                agency=plan.agency,
                plan=plan,
                area=data.get("area") or ImplementationArea.OTHER,
                action=data.get("action", ""),
                responsible=data.get("responsible", ""),
                target_date=data.get("target_date"),
                source_id=source_id,
                source_label=data.get("source_label", "")[:200],
                created_by=user,
            )
            step.full_clean()
            step.save()
            created.append(step)
            if source_id is not None:
                existing.add(source_id)
    return created


def implementation_step_set_status(
    *, user: User, step: ImplementationStep, status: str
) -> ImplementationStep:
    """Mark a plan step open or done."""
    access.require(user, access.Action.EDIT_AGENCY, agency=step.agency)
    with transaction.atomic():
        step.status = status
        step.full_clean()
        step.save(update_fields=["status"])
    return step

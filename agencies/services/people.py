"""Writes of people: invitations, memberships, and setting up a collaborative."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import (
    Agency,
    Collaborative,
    Invitation,
    InvitationAgency,
    Membership,
    MembershipAgency,
    Role,
)
from ipsportal import access
from ipsportal.models import User

INVITATION_LIFETIME = timedelta(days=14)


def invitable_agencies(user: User, collaborative: Collaborative) -> QuerySet[Agency]:
    """Agencies the user may invite people into: every agency of the collaborative for state
    admins, the agencies they supervise for IPS supervisors. An agency the user reaches
    through another role (say, also as a trainer) does not count."""
    managers = access.PERMISSIONS[access.Action.USERS_MANAGE].keys()
    return access.agencies_with_roles(user, managers, collaborative)


def _validate_role_agencies(
    *, user: User, collaborative: Collaborative, role: str, agencies: Iterable[Agency]
) -> list[Agency]:
    agencies = list(agencies)
    if role not in access.invitable_roles(user, collaborative):
        raise PermissionDenied(
            "Your role does not let you invite people into this role. If your work needs "
            "it, ask a state admin of your collaborative."
        )
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
) -> Invitation:
    """Invite someone into a role. The invitation is saved and its email queued in the
    outbox (a worker sends it with a one-time link, also when the mail server is down now:
    it retries). Earlier pending invitations of the same person into the same role are
    revoked. Checks that the inviter may invite into this role and these agencies."""
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
    send: bool = True,
) -> Invitation:
    """Record an invitation whose role and agencies were already checked, and queue its
    email (unless ``send`` is off: an operator then hands the link over himself)."""
    from ipsportal.notifications.services import delivery_enqueue

    email = User.objects.normalize_email(email).lower()
    if Membership.objects.filter(
        collaborative=collaborative, user__email__iexact=email, role=role, is_active=True
    ).exists():
        raise ValidationError({"email": "This person already has this role here."})
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
            # Nobody knows this token: the link's token is made when the email is sent.
            token_hash=Invitation.hash_token(secrets.token_urlsafe(32)),
            expires_at=now + INVITATION_LIFETIME,
        )
        invitation.full_clean()
        invitation.save()
        InvitationAgency.objects.bulk_create(
            InvitationAgency(collaborative=collaborative, invitation=invitation, agency=a)
            for a in agencies
        )
        if send:
            delivery_enqueue(
                collaborative=collaborative,
                agency=agencies[0] if len(agencies) == 1 else None,
                kind="invitation",
                subject_id=invitation.pk,
                subject_label=f"Invitation as {invitation.get_role_display()}",
                recipient_email=email,
                recipient_name=full_name,
                dedupe_key=f"invitation:{invitation.pk}",
                created_by=invited_by,
            )
    return invitation


def invitation_link_renew(invitation: Invitation) -> str:
    """Give a pending invitation a new one-time link and return it; the previous link stops
    working. Only the token's hash is stored: the link exists in the email (or on the
    operator's screen) only."""
    token = secrets.token_urlsafe(32)
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(token_hash=Invitation.hash_token(token))
    if not updated:
        raise ValidationError("This invitation is no longer pending.")
    return token


def collaborative_bootstrap(
    *,
    name: str,
    slug: str,
    state: str,
    admin_email: str,
    time_zone: str = "America/Chicago",
    billing_scheme: str = "none",
    send: bool = True,
) -> tuple[Collaborative, Invitation]:
    """Create a collaborative and invite its first state admin (for operators setting up a
    state; everyone else is then invited from the portal). With ``send`` off the invitation
    is not emailed: the operator gives the link (:func:`invitation_link_renew`) himself."""
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
        invitation = _invitation_issue(
            collaborative=collaborative,
            email=admin_email,
            role=Role.STATE_ADMIN,
            agencies=[],
            full_name="",
            invited_by=None,
            send=send,
        )
    return collaborative, invitation


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
            raise PermissionDenied(
                "This invitation was sent to another email address: sign in with that "
                "address to accept it, or ask the person who invited you for a new "
                "invitation to this one."
            )
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
    longer pending. Checks that the user may manage this invitation."""
    if not access.invitations_in_scope(user).filter(pk=invitation.pk).exists():
        raise PermissionDenied(access.Action.USERS_MANAGE.refusal())
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    return bool(updated)

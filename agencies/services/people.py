"""Writes of people: invitations, memberships, and setting up a collaborative."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

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
        # A new version, so an API client's ETag of the deactivated membership is stale.
        membership.version += 1
        membership.updated_at = timezone.now()
        membership.save(update_fields=["is_active", "version", "updated_at"])
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


# --------------------------------------------------------------------------------------------
# Changing, deactivating and reactivating memberships
# --------------------------------------------------------------------------------------------


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


#: A field of the membership the caller leaves as it is.
UNCHANGED: Any = _Unchanged()


class MembershipConflict(ValidationError):
    """The change was based on an older version of the membership than the stored one:
    someone else changed it in between, and nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "Someone changed this membership after you opened it, and nothing was saved. "
            "Look at it again, then make your change.",
            code="stale",
        )


def _role_label(role: str) -> str:
    return Role(role).label


def _check_change(
    *,
    user: User,
    membership: Membership,
    role: str,
    agencies: list[Agency],
    is_active: bool,
) -> None:
    """Refuse, naming the field, what the acting user may not do to this membership."""
    collaborative = membership.collaborative
    errors: dict[str, str] = {}
    allowed_roles = access.invitable_roles(user, collaborative)
    if role not in Role.values:
        errors["role"] = "Choose one of the portal's roles."
    elif role != membership.role and role not in allowed_roles:
        errors["role"] = (
            "You manage your agency's staff only: choose an agency role ("
            + ", ".join(_role_label(r) for r in sorted(Role.agency_roles()))
            + ")."
        )
    scope_ids = set(invitable_agencies(user, collaborative).values_list("pk", flat=True))
    outside = [a.name for a in agencies if a.pk not in scope_ids]
    if outside:
        errors["agencies"] = (
            "You cannot give agencies you do not manage: " + ", ".join(sorted(outside)) + "."
        )
    elif "role" not in errors:
        if role in Role.agency_roles() and len(agencies) != 1:
            errors["agencies"] = "Agency staff belong to exactly one agency: choose one."
        elif role in Role.assigned_roles() and not agencies:
            errors["agencies"] = "Assign at least one agency to this role."
        elif role == Role.STATE_ADMIN and agencies:
            errors["agencies"] = "State admins see every agency of the collaborative: choose none."
    losing_admin = (
        membership.role == Role.STATE_ADMIN
        and membership.is_active
        and (role != Role.STATE_ADMIN or not is_active)
    )
    if losing_admin:
        others = (
            Membership.objects.filter(
                collaborative=collaborative, role=Role.STATE_ADMIN, is_active=True
            )
            .exclude(pk=membership.pk)
            .exists()
        )
        if not others:
            field = "role" if role != Role.STATE_ADMIN else "is_active"
            errors[field] = (
                f"{membership.user.display_name} is the last active state admin of "
                f"{collaborative.name}: make someone else a state admin first."
            )
    if membership.user_id == user.pk:
        if role != membership.role:
            errors.setdefault("role", "You cannot change your own role: ask another state admin.")
        if membership.is_active and not is_active:
            errors.setdefault(
                "is_active", "You cannot deactivate yourself: ask another state admin."
            )
    if "role" not in errors and role != membership.role:
        taken = (
            Membership.objects.filter(collaborative=collaborative, user_id=membership.user_id)
            .filter(role=role)
            .exclude(pk=membership.pk)
            .first()
        )
        if taken is not None:
            errors["role"] = (
                f"{membership.user.display_name} already has the role {_role_label(role)} "
                "here" + ("." if taken.is_active else " (deactivated): reactivate that one.")
            )
    if errors:
        raise ValidationError(errors)


def _set_agencies(membership: Membership, agencies: list[Agency], user: User) -> bool:
    # One row per link, saved and deleted one by one, so the history names each agency
    # given or taken away, and who did it.
    wanted = {a.pk: a for a in agencies}
    current = list(MembershipAgency.objects.filter(membership=membership))
    changed = False
    for link in current:
        if link.agency_id not in wanted:
            link._history_user = user
            link.delete()
            changed = True
    have = {link.agency_id for link in current}
    for pk, agency in wanted.items():
        if pk not in have:
            link = MembershipAgency(
                collaborative=membership.collaborative, membership=membership, agency=agency
            )
            link._history_user = user
            link.save()
            changed = True
    return changed


def _end_sign_ins(person: User) -> None:
    """Log the person out everywhere and void their API tokens (inside the caller's
    transaction)."""
    from rest_framework.authtoken.models import Token

    User.objects.filter(pk=person.pk).update(sessions_ended_at=timezone.now())
    Token.objects.filter(user_id=person.pk).delete()


def membership_update(
    *,
    user: User,
    membership: Membership,
    role: str = UNCHANGED,
    agencies: Iterable[Agency] = UNCHANGED,
    is_active: bool = UNCHANGED,
    expected_version: int | None = None,
) -> Membership:
    """Change a membership's role, its agencies and whether it is active, all at once or
    nothing (fetch it with ``access_membership``).

    State admins manage every membership of the collaborative; IPS supervisors, as the
    matrix's "agency staff only" grant of ``users_manage`` says, the agency roles of the
    agencies they supervise, and they give only those roles and agencies. Nobody changes
    their own role or deactivates themselves; the last active state admin of a collaborative
    stays one. Each refusal names its field and saves nothing.

    Changes of one collaborative's memberships run one at a time (the collaborative's row is
    locked), so two admins demoting each other cannot both succeed; with
    ``expected_version`` a change based on an older version raises
    :class:`MembershipConflict`. The history records who changed what.

    Deactivating a person's last active membership (in any collaborative) ends their
    sessions and API tokens. A person who keeps another active membership keeps them: their
    rights are read from their active memberships on every request, so the deactivated one
    grants nothing from the next request on, and an admin of one collaborative does not
    sign people out of their work in another.
    """
    with transaction.atomic():
        Collaborative.objects.select_for_update().filter(pk=membership.collaborative_id).first()
        access.forget_memberships(user)
        if (
            not access.memberships_in_scope(user, membership.collaborative)
            .filter(pk=membership.pk)
            .exists()
        ):
            raise PermissionDenied(access.Action.USERS_MANAGE.refusal())
        locked = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "collaborative")
            .get(pk=membership.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise MembershipConflict()
        current_agencies = list(Agency.objects.filter(memberships=locked).order_by("name"))
        new_role = locked.role if role is UNCHANGED else role
        new_agencies = current_agencies if agencies is UNCHANGED else list(dict.fromkeys(agencies))
        new_active = locked.is_active if is_active is UNCHANGED else bool(is_active)
        _check_change(
            user=user,
            membership=locked,
            role=new_role,
            agencies=new_agencies,
            is_active=new_active,
        )
        deactivated = locked.is_active and not new_active
        changed = new_role != locked.role or new_active != locked.is_active
        locked.role = new_role
        locked.is_active = new_active
        links_changed = _set_agencies(locked, new_agencies, user)
        if changed or links_changed:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.full_clean()
            locked._history_user = user
            locked.save()
        if deactivated:
            keeps_another = (
                Membership.objects.filter(user_id=locked.user_id, is_active=True)
                .exclude(pk=locked.pk)
                .exists()
            )
            if not keeps_another:
                _end_sign_ins(locked.user)
    access.forget_memberships(locked.user)
    return locked


def membership_deactivate(
    *, user: User, membership: Membership, expected_version: int | None = None
) -> Membership:
    """Deactivate a membership (see :func:`membership_update` for who may, and for the end
    of the person's sessions and API tokens)."""
    return membership_update(
        user=user, membership=membership, is_active=False, expected_version=expected_version
    )


def membership_reactivate(
    *, user: User, membership: Membership, expected_version: int | None = None
) -> Membership:
    """Make a deactivated membership active again; the person logs in again to use it."""
    return membership_update(
        user=user, membership=membership, is_active=True, expected_version=expected_version
    )

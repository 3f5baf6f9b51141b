"""Who belongs where: roles, memberships (and the agencies each covers), invitations."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models.tenancy import Agency, Collaborative, TenantOwned


class Role(models.TextChoices):
    STATE_ADMIN = "state_admin", "State admin"
    STATE_TRAINER = "state_trainer", "State trainer"
    FIDELITY_REVIEWER = "fidelity_reviewer", "Fidelity reviewer"
    VR_LIAISON = "vr_liaison", "VR liaison"
    IPS_SUPERVISOR = "ips_supervisor", "IPS supervisor"
    AGENCY_LEADER = "agency_leader", "Agency leader"
    EMPLOYMENT_SPECIALIST = "employment_specialist", "Employment specialist"

    @classmethod
    def agency_roles(cls) -> frozenset["Role"]:
        """Roles held by staff of an agency (they see their own agency only)."""
        return frozenset({cls.IPS_SUPERVISOR, cls.AGENCY_LEADER, cls.EMPLOYMENT_SPECIALIST})

    @classmethod
    def assigned_roles(cls) -> frozenset["Role"]:
        """State-side roles that see the agencies they are assigned to."""
        return frozenset({cls.STATE_TRAINER, cls.FIDELITY_REVIEWER, cls.VR_LIAISON})


class Membership(TenantOwned):
    """A user's role in a collaborative, and for assigned/agency roles the agencies it covers."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.PROTECT, related_name="memberships", editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    agencies = models.ManyToManyField(
        Agency, through="MembershipAgency", related_name="memberships", blank=True
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # Raised by every change of the role, the agencies or the active flag: a change based on
    # an older version is refused instead of overwriting the other person's (API ETag "v3").
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["collaborative__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "user", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} ({self.collaborative})"


class MembershipAgency(TenantOwned):
    """An agency a membership covers (assigned for state roles, own for agency roles)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")

    # Who was given which agency, and when, matters most for access.
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "membership", "agency"],
                name="membership_agency_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} covers {self.agency_id}"


class Invitation(TenantOwned):
    """An invitation into a role. The emailed link carries a token; only its hash is stored."""

    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=30, choices=Role.choices)
    agencies = models.ManyToManyField(
        Agency, through="InvitationAgency", related_name="+", blank=True
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Empty for the first state admin of a collaborative, invited by an operator.
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} as {self.get_role_display()}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def status(self) -> str:
        from django.utils import timezone

        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class InvitationAgency(TenantOwned):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "invitation", "agency"], name="invitation_agency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} for {self.agency_id}"

"""Collaboratives (the tenants), regions, agencies and who belongs where.

Every tenant-owned table carries ``collaborative`` directly, and ``agency`` where the row
belongs to one agency; a test walks the models and enforces it.
"""

import hashlib
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

TIME_ZONE_CHOICES = [
    (tz, tz)
    for tz in (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Puerto_Rico",
    )
]

US_STATE_CHOICES = [
    (code, code)
    for code in [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "PR",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
]


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


class BillingScheme(models.TextChoices):
    NONE = "none", "No billing rules configured"
    MISSOURI = "missouri", "VR milestones + Medicaid Community Support (Missouri style)"
    WISCONSIN = "wisconsin", "DVR milestone services (Wisconsin style)"
    NEW_YORK_PROS = "ny_pros", "PROS IR/ORS (New York style)"


class Collaborative(models.Model):
    """A state's IPS learning collaborative: the tenant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    state = models.CharField(max_length=2, choices=US_STATE_CHOICES)
    time_zone = models.CharField(
        max_length=64, choices=TIME_ZONE_CHOICES, default="America/Chicago"
    )
    billing_scheme = models.CharField(
        max_length=20, choices=BillingScheme.choices, default=BillingScheme.NONE
    )
    outcomes_deadline_days = models.PositiveSmallIntegerField(
        "quarterly outcomes due (days after quarter end)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    baseline_review_after_months = models.PositiveSmallIntegerField(
        "baseline fidelity review after (months of implementation)",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "fidelity review every (months) until good fidelity",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    review_interval_good_months = models.PositiveSmallIntegerField(
        "fidelity review every (months) once good fidelity is reached",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class TenantOwned(models.Model):
    """Base of every tenant-owned table: a UUID key (no guessable ids) and the collaborative."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        abstract = True


class Region(TenantOwned):
    """A part of the state, often with its own DMH employment liaison."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.PROTECT, related_name="regions", editable=False
    )
    name = models.CharField(max_length=120)
    liaison_name = models.CharField("DMH employment liaison", max_length=150, blank=True)
    liaison_email = models.EmailField("liaison email", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "name"], name="region_name_unique_per_collaborative"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImplementationPhase(models.TextChoices):
    EXPLORING = "exploring", "Exploring / readiness"
    PRE = "pre", "Pre-implementation"
    EARLY = "early", "Early implementation"
    MID = "mid", "Mid-implementation"
    SUSTAINING = "sustaining", "Sustaining"


class VRVendorStatus(models.TextChoices):
    NOT_VENDOR = "not_vendor", "Not a VR vendor"
    APPLIED = "applied", "Application in progress"
    VENDOR = "vendor", "Approved VR vendor"


class Agency(TenantOwned):
    """A community mental health agency implementing IPS."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.PROTECT, related_name="agencies", editable=False
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="agencies"
    )
    street = models.CharField("street address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=US_STATE_CHOICES, blank=True)
    postal_code = models.CharField("ZIP code", max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    vr_vendor_status = models.CharField(
        "VR vendor status",
        max_length=20,
        choices=VRVendorStatus.choices,
        default=VRVendorStatus.NOT_VENDOR,
    )
    carf_accredited = models.BooleanField("CARF accredited", default=False)
    ccbhc = models.BooleanField(
        "Certified Community Behavioral Health Clinic (CCBHC)", default=False
    )
    pros_program = models.BooleanField("PROS program", default=False)
    implementation_phase = models.CharField(
        max_length=20, choices=ImplementationPhase.choices, default=ImplementationPhase.EXPLORING
    )
    implementation_start_date = models.DateField(null=True, blank=True)
    partner_employment_agency = models.CharField(
        "partner employment agency",
        max_length=200,
        blank=True,
        help_text="When a separate employment agency runs IPS together with this agency.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "slug"], name="agency_slug_unique_per_collaborative"
            ),
            models.UniqueConstraint(
                fields=["collaborative", "name"], name="agency_name_unique_per_collaborative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agencies:detail", kwargs={"agency_id": self.pk})

    def clean(self) -> None:
        super().clean()
        if (
            self.region_id
            and self.collaborative_id
            and self.region.collaborative_id != self.collaborative_id
        ):
            raise ValidationError({"region": "Choose a region of this collaborative."})

    @property
    def address_line(self) -> str:
        city_line = " ".join(
            p for p in [self.city + ("," if self.city else ""), self.state, self.postal_code] if p
        )
        return ", ".join(p for p in [self.street, city_line.strip(",")] if p)


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


class ImplementationArea(models.TextChoices):
    """The areas of an agency's IPS implementation plan."""

    FUNDING = "funding", "Funding"
    SUPERVISION = "supervision", "IPS program supervision"
    ES_POSITIONS = "es_positions", "Employment specialist positions"
    TRAINING = "training", "IPS training"
    MH_INTEGRATION = "mh_integration", "Integration of IPS and mental health services"
    VR_COLLABORATION = "vr_collaboration", "Collaboration with VR"
    STEERING_COMMITTEE = "steering_committee", "IPS steering committee"
    FIDELITY = "fidelity", "IPS supported employment fidelity"
    BENEFITS = "benefits", "Benefits planning"
    OTHER = "other", "Other"


class ImplementationPlan(TenantOwned):
    """An agency's implementation plan: action steps by area, each with an owner and a date."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "agency"], name="one_implementation_plan_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"Implementation plan of {self.agency}"

    def get_absolute_url(self) -> str:
        return reverse("agencies:plan", kwargs={"agency_id": self.agency_id})


class ImplementationStep(TenantOwned):
    """One action step of an implementation plan."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="steps")
    area = models.CharField(max_length=30, choices=ImplementationArea.choices)
    action = models.TextField("action step", max_length=2000)
    responsible = models.CharField("responsible person(s)", max_length=200, blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    source_id = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="The record this step came from (e.g. a readiness visit's action step).",
    )
    source_label = models.CharField(max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "target_date", "created_at"]
        constraints = [
            # A source (e.g. a readiness action step) becomes a plan step at most once.
            models.UniqueConstraint(
                fields=["collaborative", "plan", "source_id"], name="plan_step_source_once"
            )
        ]

    def __str__(self) -> str:
        return self.action[:80]

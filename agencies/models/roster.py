"""The staff roster of an agency's IPS program: the people on it (supervisors and employment
specialists, who need not have portal accounts), the agency's mental health treatment teams
and the VR counselors who work with the program."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from agencies.models.tenancy import DUPLICATE_NAME, Agency, NamedInCollaborative, TenantOwned

#: The largest FTE an entry may have: one full-time post plus a part-time one at most.
MAX_FTE = Decimal("1.5")
MIN_FTE = Decimal("0.05")


def _percent_validators() -> list:
    return [MinValueValidator(0), MaxValueValidator(100)]


class TreatmentTeam(NamedInCollaborative, TenantOwned):
    """A mental health treatment team of the agency that employment specialists join."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    notes = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "collaborative",
                "agency",
                Lower("name"),
                name="treatment_team_name_ci_unique_per_agency",
                violation_error_code=DUPLICATE_NAME,
                violation_error_message="This agency already has a team with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class VRCounselor(TenantOwned):
    """A VR counselor who works with the agency's IPS program."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=150)
    vr_office = models.CharField("VR office", max_length=150, blank=True)
    email = models.EmailField("contact email", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "VR counselor"

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    IPS_SUPERVISOR = "ips_supervisor", "IPS supervisor"
    EMPLOYMENT_SPECIALIST = "employment_specialist", "Employment specialist"


class StaffMember(TenantOwned):
    """A person on the agency's IPS program: an IPS supervisor or an employment specialist.

    An entry whose ``end_date`` has passed is former staff: it stays (with its history) but
    no longer counts in the structure checks. Unknown figures stay empty, so that a check
    says "not enough data" rather than guess.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=30, choices=StaffRole.choices)
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(MIN_FTE), MaxValueValidator(MAX_FTE)],
        help_text="1.00 is full time; from 0.05 to 1.50.",
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(
        null=True, blank=True, help_text="Leave empty while the person is on the program."
    )
    employment_services_only = models.BooleanField(
        "employment services only",
        null=True,
        blank=True,
        help_text="Does this person provide employment services only (no other duties)?",
    )
    employment_services_percent = models.PositiveSmallIntegerField(
        "share of time on employment services (%)",
        null=True,
        blank=True,
        validators=_percent_validators(),
        help_text="When the answer above is not a plain yes or no.",
    )
    supervises_ips_only = models.BooleanField(
        "supervises IPS only",
        null=True,
        blank=True,
        help_text="Supervisors: no duties besides supervising the IPS team.",
    )
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
        help_text="The IPS supervisor of this agency who supervises this person.",
    )
    caseload = models.PositiveSmallIntegerField(
        "caseload size", null=True, blank=True, validators=[MaxValueValidator(500)]
    )
    community_time_percent = models.PositiveSmallIntegerField(
        "share of time in the community (%)",
        null=True,
        blank=True,
        validators=_percent_validators(),
    )
    treatment_teams = models.ManyToManyField(
        TreatmentTeam,
        through="StaffTeamAssignment",
        related_name="staff_members",
        blank=True,
        verbose_name="mental health treatment teams",
    )
    referrals_from_teams_percent = models.PositiveSmallIntegerField(
        "share of referrals from these teams (%)",
        null=True,
        blank=True,
        validators=_percent_validators(),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="portal account",
        help_text="Optional: the person's own portal account at this agency.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "staff member"
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gte=MIN_FTE, fte__lte=MAX_FTE), name="staff_fte_in_range"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="staff_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(community_time_percent__isnull=True)
                | Q(community_time_percent__lte=100),
                name="staff_community_time_percent",
            ),
            models.CheckConstraint(
                condition=Q(referrals_from_teams_percent__isnull=True)
                | Q(referrals_from_teams_percent__lte=100),
                name="staff_referrals_percent",
            ),
            models.CheckConstraint(
                condition=Q(employment_services_percent__isnull=True)
                | Q(employment_services_percent__lte=100),
                name="staff_employment_services_percent",
            ),
        ]
        indexes = [models.Index(fields=["agency", "end_date"], name="staff_agency_end_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_supervisor(self) -> bool:
        return self.role == StaffRole.IPS_SUPERVISOR

    def is_current(self, today) -> bool:
        """On the program on ``today`` (the collaborative's day): no end date, or not past."""
        return self.end_date is None or self.end_date >= today

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if self.supervisor_id is not None:
            supervisor = self.supervisor
            if supervisor.pk == self.pk:
                errors["supervisor"] = "A person cannot be their own supervisor."
            elif supervisor.agency_id != self.agency_id:
                errors["supervisor"] = "Choose a supervisor of this agency."
            elif supervisor.role != StaffRole.IPS_SUPERVISOR:
                errors["supervisor"] = (
                    f"{supervisor.name} is not an IPS supervisor on the roster: choose a "
                    "supervisor entry."
                )
        if errors:
            raise ValidationError(errors)


class StaffTeamAssignment(TenantOwned):
    """A staff member's place on one of the agency's treatment teams."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    staff_member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(TreatmentTeam, on_delete=models.CASCADE, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "staff_member", "team"], name="staff_team_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} on {self.team_id}"

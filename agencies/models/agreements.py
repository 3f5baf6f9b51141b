"""The training and technical assistance (TA) agreement of an agency, its signatures, and the
log of TA activities the state trainer delivers under it.

An agreement is kept in versions: a version with all its signatures is read-only; a change
to the commitments is a new version that needs signing again. Which person may sign which
line, and the month-by-month compliance of the log with the agreement, are rules of
services and pure functions; the models hold the facts they read.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.models.tenancy import Agency, TenantOwned

#: How many months of monthly trainer attendance the agreement commits to by default.
DEFAULT_MONTHLY_MONTHS = 6


class EmployerVisitFrequency(models.TextChoices):
    """How often the trainer joins the employment specialists on employer visits."""

    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class SignerRole(models.TextChoices):
    """The three signature lines of an agreement."""

    EXECUTIVE_DIRECTOR = "executive_director", "Agency executive director"
    STATE_MH = "state_mh", "State mental health representative"
    STATE_VR = "state_vr", "State vocational rehabilitation representative"


class TAAgreement(TenantOwned):
    """One version of an agency's training and TA agreement. Versions of an agency are
    numbered 1, 2, ...; the highest is the current one."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    start_date = models.DateField(
        "start of implementation",
        help_text="The first month of the agreement; the six months of monthly visits count "
        "from here.",
    )
    es_training_days = models.DecimalField(
        "training days for employment specialists and the IPS supervisor (year one)",
        max_digits=4,
        decimal_places=1,
        default=Decimal("3.5"),
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )
    mh_training_days = models.DecimalField(
        "training days for mental health practitioners and supervisors (year one)",
        max_digits=4,
        decimal_places=1,
        default=Decimal("0.5"),
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )
    unit_meeting_months = models.PositiveSmallIntegerField(
        "months of monthly IPS unit meetings with the trainer",
        default=DEFAULT_MONTHLY_MONTHS,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    team_meeting_months = models.PositiveSmallIntegerField(
        "months of monthly MH treatment team meetings with the trainer",
        default=DEFAULT_MONTHLY_MONTHS,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    employer_visits = models.CharField(
        "employer visits with the trainer",
        max_length=20,
        choices=EmployerVisitFrequency.choices,
        default=EmployerVisitFrequency.MONTHLY,
    )
    steering_committee_quarterly = models.BooleanField(
        "the trainer takes part in quarterly steering committee meetings", default=True
    )
    outcome_reviews = models.BooleanField(
        "the trainer reviews outcomes with the IPS supervisor and agency leaders", default=True
    )
    notes = models.TextField("other arrangements", max_length=4000, blank=True)
    #: Set when the last of the three signatures is recorded; from then on read-only.
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "-version"]
        verbose_name = "training and TA agreement"
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "agency", "version"], name="ta_agreement_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"Training and TA agreement of {self.agency}, version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("agencies:agreement", kwargs={"agreement_id": self.pk})

    @property
    def is_signed(self) -> bool:
        """All three lines are signed: the version is read-only."""
        return self.signed_at is not None


class TASignature(TenantOwned):
    """A signature on one line of an agreement version: who signed, in which role, when, and
    who recorded it (the signer, or a state admin on their behalf with a reason)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(TAAgreement, on_delete=models.CASCADE, related_name="signatures")
    signer_role = models.CharField(max_length=30, choices=SignerRole.choices)
    signer_name = models.CharField(max_length=150)
    signed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on_behalf = models.BooleanField(
        "recorded on the signer's behalf", default=False, editable=False
    )
    on_behalf_reason = models.TextField(
        "reason for recording on the signer's behalf", max_length=1000, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "signer_role"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "agreement", "signer_role"],
                name="ta_signature_one_per_line",
            ),
            models.CheckConstraint(condition=~Q(signer_name=""), name="ta_signature_has_a_name"),
            models.CheckConstraint(
                condition=Q(on_behalf=False) | ~Q(on_behalf_reason=""),
                name="ta_signature_on_behalf_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.get_signer_role_display()})"


class TAActivityKind(models.TextChoices):
    """What a logged TA activity was."""

    UNIT_MEETING = "unit_meeting", "IPS unit meeting"
    TEAM_MEETING = "team_meeting", "MH treatment team meeting"
    EMPLOYER_VISIT = "employer_visit", "Employer visit / field mentoring"
    STEERING_COMMITTEE = "steering_committee", "Steering committee"
    OUTCOME_REVIEW = "outcome_review", "Outcome review"
    TRAINING_SESSION = "training_session", "Training session"
    OTHER = "other", "Other"


class TAActivity(TenantOwned):
    """Training or technical assistance a trainer gave an agency on a day."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    date = models.DateField("activity date")
    kind = models.CharField(max_length=30, choices=TAActivityKind.choices)
    duration_minutes = models.PositiveIntegerField(
        "duration (minutes)", validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    notes = models.TextField(max_length=4000, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The person who logged the activity.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = "TA activity"
        verbose_name_plural = "TA activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%B %-d, %Y}"

    def get_absolute_url(self) -> str:
        return reverse("agencies:ta_activity", kwargs={"activity_id": self.pk})

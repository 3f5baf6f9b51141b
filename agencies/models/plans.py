"""Implementation plans: an agency's action steps by area."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.models.tenancy import Agency, ImplementationPhase, TenantOwned


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
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="steps")
    area = models.CharField(max_length=30, choices=ImplementationArea.choices)
    action = models.TextField("action step", max_length=2000)
    responsible = models.CharField("responsible person(s)", max_length=200, blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    notes = models.TextField(max_length=4000, blank=True)
    position = models.PositiveIntegerField(
        default=0, help_text="The step's place within its area (smallest first)."
    )
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
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
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "position", "created_at"]
        constraints = [
            # A source (e.g. a readiness action step) becomes a plan step at most once.
            models.UniqueConstraint(
                fields=["collaborative", "plan", "source_id"], name="plan_step_source_once"
            )
        ]

    def __str__(self) -> str:
        return self.action[:80]

    def is_overdue_on(self, today: datetime.date) -> bool:
        """Neither done nor not applicable, and its target date is before ``today`` (the
        collaborative's today)."""
        return (
            self.status not in (self.Status.DONE, self.Status.NOT_APPLICABLE)
            and self.target_date is not None
            and self.target_date < today
        )


class PhaseChange(TenantOwned):
    """An agency moving from one implementation phase to another: who, when, and why."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    from_phase = models.CharField(max_length=20, choices=ImplementationPhase.choices)
    to_phase = models.CharField(max_length=20, choices=ImplementationPhase.choices)
    note = models.TextField(max_length=2000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_phase=models.F("to_phase")),
                name="phase_change_changes_the_phase",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_from_phase_display()} to {self.get_to_phase_display()}"

    @property
    def is_back(self) -> bool:
        """Whether the agency went back to an earlier phase."""
        from agencies.phases import is_move_back

        return is_move_back(self.from_phase, self.to_phase)

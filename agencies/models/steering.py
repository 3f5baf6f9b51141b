"""Steering committees: an agency's IPS steering committee, its members, meetings and the
action items they agree on.

The composition and cadence rules are pure functions of :mod:`agencies.steering`; the
models hold the facts they read.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.models.tenancy import Agency, TenantOwned


class SteeringCategory(models.TextChoices):
    """The kind of seat a member holds on a steering committee."""

    FAMILY_MEMBER = "family_member", "Family member"
    CLIENT = "client", "Client"
    IPS_SUPERVISOR = "ips_supervisor", "IPS supervisor"
    CLINICAL_DIRECTOR = "clinical_director", "Clinical director"
    VR = "vr", "VR counselor or supervisor"
    SENIOR_LEADER = "senior_leader", "Agency senior leader"
    STATE_IPS_TEAM = "state_ips_team", "State IPS team member"
    DMH_LIAISON = "dmh_liaison", "DMH liaison"
    PARTNER_AGENCY = "partner_agency", "Partner agency"


class SteeringCommittee(TenantOwned):
    """An agency's IPS steering committee (at most one per agency)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "agency"], name="one_steering_committee_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"Steering committee of {self.agency}"

    def get_absolute_url(self) -> str:
        return reverse("agencies:steering", kwargs={"agency_id": self.agency_id})


class SteeringMember(TenantOwned):
    """A person with a seat on a steering committee (not necessarily a portal user)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey(
        SteeringCommittee, on_delete=models.CASCADE, related_name="members"
    )
    category = models.CharField(max_length=30, choices=SteeringCategory.choices)
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_active", "category", "name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="steering_member_has_a_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_category_display()})"


class SteeringMeeting(TenantOwned):
    """A meeting of a steering committee. One dated after the collaborative's today is a
    planned meeting: it may have an agenda, but no attendees, minutes or decisions yet."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey(
        SteeringCommittee, on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField("meeting date")
    attendees = models.ManyToManyField(
        SteeringMember, through="SteeringAttendance", related_name="meetings", blank=True
    )
    guests = models.TextField(
        blank=True, max_length=2000, help_text="People present who are not members, one a line."
    )
    agenda = models.TextField(blank=True, max_length=5000)
    minutes = models.TextField(blank=True, max_length=20000)
    decisions = models.TextField(blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-created_at"]

    def __str__(self) -> str:
        return f"Steering committee meeting of {self.date:%B %-d, %Y}"

    def get_absolute_url(self) -> str:
        return reverse("agencies:steering_meeting", kwargs={"meeting_id": self.pk})

    @property
    def guest_names(self) -> list[str]:
        return [line.strip() for line in self.guests.splitlines() if line.strip()]


class SteeringAttendance(TenantOwned):
    """A member present at a meeting."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(SteeringMeeting, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(SteeringMember, on_delete=models.CASCADE, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "meeting", "member"], name="steering_attendance_once"
            )
        ]


class SteeringActionItem(TenantOwned):
    """Something a meeting agreed someone would do, by a date."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        SteeringMeeting, on_delete=models.CASCADE, related_name="action_items"
    )
    text = models.TextField("action item", max_length=2000)
    owner = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]

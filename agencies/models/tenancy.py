"""The tenants and their places: collaboratives (the tenants), regions and agencies.

Every tenant-owned table carries ``collaborative`` directly, and ``agency`` where the row
belongs to one agency; a test walks the models and enforces it.
"""

import datetime
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from simple_history.models import HistoricalRecords

from agencies.models.validators import USPhoneValidator, USZipValidator, too_long_message

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
    min_group_size = models.PositiveSmallIntegerField(
        "smallest group shown in collaborative figures",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="A figure of the whole collaborative (such as a median) made of fewer "
        "agencies than this is not shown, so that no agency can be singled out.",
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

    def local(self, value: datetime.datetime) -> datetime.datetime:
        """A moment in the collaborative's time zone."""
        return value.astimezone(self.zoneinfo)

    def local_now(self) -> datetime.datetime:
        """Now, in the collaborative's time zone."""
        return self.local(timezone.now())

    def today(self) -> datetime.date:
        """The collaborative's own day: anything "daily" or "in the future" means this day."""
        return self.local_now().date()

    def local_time_text(self, value: datetime.datetime | None) -> str:
        """A moment as people of the collaborative read it, e.g. "10:42 AM on Nov 23" (with
        the year when it is not this year); empty for None. Pages, messages and JSON answers
        show it as it is."""
        if value is None:
            return ""
        local = self.local(value)
        pattern = (
            "g:i A \\o\\n M j" if local.year == self.local_now().year else "g:i A \\o\\n M j, Y"
        )
        return date_format(local, pattern)


#: The code of a name that another row of the collaborative already has (in any letter case).
DUPLICATE_NAME = "duplicate_name"


class NamedInCollaborative(models.Model):
    """A row whose name is unique in its collaborative whatever the letter case: the database
    holds the rule (a constraint on the lower-cased name), and its refusal is reported on the
    ``name`` field, for the page and the API alike."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None) -> None:
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            raise name_error_on_field(exc) from None


def name_error_on_field(exc: ValidationError) -> ValidationError:
    """The same errors, with a duplicate-name refusal moved onto the ``name`` field."""
    errors: dict[str, list] = {}
    for field, items in exc.update_error_dict({}).items():
        for item in items:
            target = "name" if getattr(item, "code", None) == DUPLICATE_NAME else field
            errors.setdefault(target, []).append(item)
    return ValidationError(errors)


class TenantOwned(models.Model):
    """Base of every tenant-owned table: a UUID key (no guessable ids) and the collaborative."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        """Also refuse text past a field's limit, in words that name the field and the
        limit (a TextField's limit is otherwise only checked by forms)."""
        exclude = set(exclude or ())
        errors: dict[str, list] = {}
        for f in self._meta.concrete_fields:
            if f.name in exclude or not isinstance(f, models.CharField | models.TextField):
                continue
            value = getattr(self, f.attname)
            if f.max_length is not None and isinstance(value, str) and len(value) > f.max_length:
                message = too_long_message(str(f.verbose_name), f.max_length, len(value))
                errors[f.name] = [ValidationError(message, code="max_length")]
        try:
            super().clean_fields(exclude=exclude | set(errors))
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class Region(NamedInCollaborative, TenantOwned):
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
                "collaborative",
                Lower("name"),
                name="region_name_ci_unique_per_collaborative",
                violation_error_code=DUPLICATE_NAME,
                violation_error_message="A region with this name already exists here.",
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


class Agency(NamedInCollaborative, TenantOwned):
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
    postal_code = models.CharField(
        "ZIP code", max_length=10, blank=True, validators=[USZipValidator()]
    )
    phone = models.CharField(
        max_length=30,
        blank=True,
        validators=[USPhoneValidator()],
        help_text="10 digits, such as (573) 555-0142; add “ext. 12” for an extension.",
    )
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
                "collaborative",
                Lower("name"),
                name="agency_name_ci_unique_per_collaborative",
                violation_error_code=DUPLICATE_NAME,
                violation_error_message="An agency with this name already exists here.",
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

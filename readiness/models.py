"""Readiness visits: the checklist (versioned data) and the visits trainers log with it.

A visit keeps the checklist version it was made with: checklist versions are never edited once
installed, a changed checklist is a new version (a collaborative's adaptation or a new
standard version).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Collaborative, TenantOwned


class Rating(models.TextChoices):
    READY = "ready", "Ready"
    WORK_NEEDED = "work_needed", "Work is needed"


class VisitStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


# --------------------------------------------------------------------------------------------
# The checklist
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistArea:
    key: str
    title: str
    questions: tuple[str, ...]
    plan_area: str
    part_key: str
    number: int  # 1-based across the whole checklist, for "area 3 of 10"


@dataclass(frozen=True)
class ChecklistPart:
    key: str
    title: str
    intro: str
    not_applicable_label: str  # empty: the part always applies
    areas: tuple[ChecklistArea, ...] = field(default_factory=tuple)

    @property
    def can_be_not_applicable(self) -> bool:
        return bool(self.not_applicable_label)


class ChecklistVersion(models.Model):
    """One version of the readiness checklist, stored as data (parts, areas, questions).

    GLOBAL OR TENANT: ``collaborative`` is NULL for the standard checklist every collaborative
    starts with (reference data, holds no tenant data), or a collaborative for its own
    adaptation. Rows are immutable once installed: a change is a new version, so visits keep
    exactly the checklist they were made with.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = models.ForeignKey(
        Collaborative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the standard checklist; a collaborative for its adaptation.",
    )
    slug = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    definition = models.JSONField(help_text="Parts, areas and guiding questions.")
    is_active = models.BooleanField(
        default=True, help_text="Offered for new visits (the newest active version is used)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "slug", "version"],
                condition=Q(collaborative__isnull=False),
                name="readiness_checklist_version_unique_per_collaborative",
            ),
            models.UniqueConstraint(
                fields=["slug", "version"],
                condition=Q(collaborative__isnull=True),
                name="readiness_checklist_version_unique_standard",
            ),
        ]

    def __str__(self) -> str:
        owner = self.collaborative.name if self.collaborative_id else "standard"
        return f"{self.title} v{self.version} ({owner})"

    @property
    def parts(self) -> tuple[ChecklistPart, ...]:
        cached = self.__dict__.get("_parts")
        if cached is None:
            cached = parse_definition(self.definition)
            self.__dict__["_parts"] = cached
        return cached

    @property
    def areas(self) -> tuple[ChecklistArea, ...]:
        return tuple(area for part in self.parts for area in part.areas)

    def area(self, key: str) -> ChecklistArea | None:
        return next((a for a in self.areas if a.key == key), None)

    def part(self, key: str) -> ChecklistPart | None:
        return next((p for p in self.parts if p.key == key), None)

    def applicable_areas(self, not_applicable_parts) -> tuple[ChecklistArea, ...]:
        skipped = {
            p.key for p in self.parts if p.can_be_not_applicable and p.key in not_applicable_parts
        }
        return tuple(a for a in self.areas if a.part_key not in skipped)


def parse_definition(definition: dict) -> tuple[ChecklistPart, ...]:
    """Read a checklist definition into parts and areas; raise ValidationError when malformed."""
    from agencies.models import ImplementationArea

    errors: list[str] = []
    if not isinstance(definition, dict) or not isinstance(definition.get("parts"), list):
        raise ValidationError("A checklist needs a list of parts.")
    parts: list[ChecklistPart] = []
    seen: set[str] = set()
    number = 0
    for p_index, raw_part in enumerate(definition["parts"], start=1):
        if not isinstance(raw_part, dict):
            errors.append(f"Part {p_index} is not an object.")
            continue
        p_key, p_title = str(raw_part.get("key", "")), str(raw_part.get("title", ""))
        if not p_key or not p_title:
            errors.append(f"Part {p_index} needs a key and a title.")
        if p_key in seen:
            errors.append(f"The key {p_key!r} is used twice.")
        seen.add(p_key)
        areas: list[ChecklistArea] = []
        for a_index, raw in enumerate(raw_part.get("areas") or [], start=1):
            number += 1
            key, title = str(raw.get("key", "")), str(raw.get("title", ""))
            if not key or not title:
                errors.append(f"Area {a_index} of part {p_key!r} needs a key and a title.")
            if key in seen:
                errors.append(f"The key {key!r} is used twice.")
            seen.add(key)
            plan_area = raw.get("plan_area") or ImplementationArea.OTHER
            if plan_area not in ImplementationArea.values:
                errors.append(f"Area {key!r} names an unknown plan area {plan_area!r}.")
            questions = raw.get("questions") or []
            if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
                errors.append(f"The questions of area {key!r} must be a list of texts.")
                questions = []
            areas.append(ChecklistArea(key, title, tuple(questions), plan_area, p_key, number))
        if not areas:
            errors.append(f"Part {p_key!r} has no areas.")
        parts.append(
            ChecklistPart(
                key=p_key,
                title=p_title,
                intro=str(raw_part.get("intro", "")),
                not_applicable_label=str(raw_part.get("not_applicable_label", "")),
                areas=tuple(areas),
            )
        )
    if not parts:
        errors.append("A checklist needs at least one part.")
    if errors:
        raise ValidationError(errors)
    return tuple(parts)


# --------------------------------------------------------------------------------------------
# Visits
# --------------------------------------------------------------------------------------------


class ReadinessVisit(TenantOwned):
    """A readiness visit to an agency: who came, what they did, the ratings, and the summary.

    ``version`` is the optimistic lock: every save sends the version it was based on, and a
    save based on an older version is refused rather than silently overwriting someone else.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    checklist = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default="draft")
    visit_date = models.DateField("date of the visit")
    met_leadership = models.BooleanField("Met with agency leadership", default=False)
    met_employment_staff = models.BooleanField(
        "Observed an employment meeting or met the employment staff", default=False
    )
    met_clients = models.BooleanField("Met with a group of clients", default=False)
    activity_notes = models.TextField("other activities or remarks", blank=True, max_length=2000)
    not_applicable_parts = models.JSONField(
        default=list, blank=True, help_text="Keys of checklist parts marked not applicable."
    )
    barriers = models.TextField(blank=True, max_length=5000)
    facilitators = models.TextField(blank=True, max_length=5000)
    version = models.PositiveIntegerField(default=1)
    # Counts kept with the ratings, so lists and the overview need no per-visit queries.
    ready_count = models.PositiveSmallIntegerField(default=0)
    rated_count = models.PositiveSmallIntegerField(default=0)
    applicable_count = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    finalized_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-visit_date", "-created_at"]
        indexes = [models.Index(fields=["collaborative", "agency", "visit_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "final"]), name="readiness_visit_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(finalized_at__isnull=False),
                name="readiness_visit_final_has_date",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="readiness_visit_version"),
        ]

    def __str__(self) -> str:
        return f"Readiness visit to {self.agency} on {self.visit_date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("readiness:visit_detail", kwargs={"visit_id": self.pk})

    def clean(self) -> None:
        super().clean()
        if self.checklist_id and self.checklist.collaborative_id not in (
            None,
            self.collaborative_id,
        ):
            raise ValidationError({"checklist": "Choose a checklist of this collaborative."})
        if self.agency_id and self.agency.collaborative_id != self.collaborative_id:
            raise ValidationError({"agency": "Choose an agency of this collaborative."})

    @property
    def is_final(self) -> bool:
        return self.status == VisitStatus.FINAL

    @property
    def work_needed_count(self) -> int:
        return self.rated_count - self.ready_count


class VisitAreaRating(TenantOwned):
    """The rating and notes of one checklist area on one visit."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(ReadinessVisit, on_delete=models.CASCADE, related_name="ratings")
    area_key = models.CharField(max_length=60)
    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    notes = models.TextField(blank=True, max_length=5000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "visit", "area_key"], name="readiness_rating_once"
            ),
            models.CheckConstraint(
                condition=Q(rating__in=["", "ready", "work_needed"]),
                name="readiness_rating_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_key}: {self.rating or 'not rated'}"


class VisitLeader(TenantOwned):
    """A leader of the agency who took part in the leadership meeting."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(ReadinessVisit, on_delete=models.CASCADE, related_name="leaders")
    name = models.CharField(max_length=150)
    title = models.CharField(max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


class VisitVisitor(TenantOwned):
    """Someone who made the visit: a portal user (trainer, state staff) or a named guest."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(ReadinessVisit, on_delete=models.CASCADE, related_name="visitors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150)
    affiliation = models.CharField(max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


class VisitActionStep(TenantOwned):
    """An action step agreed at the visit; it can become a step of the implementation plan."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(ReadinessVisit, on_delete=models.CASCADE, related_name="action_steps")
    text = models.TextField("action step", max_length=2000)
    owner = models.CharField("owner", max_length=200, blank=True)
    target_date = models.DateField(null=True, blank=True)
    area_key = models.CharField("related checklist area", max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text[:80]


class VisitRecipient(TenantOwned):
    """Someone who receives the visit report by email (asked at the visit)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(ReadinessVisit, on_delete=models.CASCADE, related_name="recipients")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    role = models.CharField(max_length=150, blank=True)
    vr_copy = models.BooleanField(
        "VR copy", default=False, help_text="A VR counselor or supervisor who gets a copy."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class VisitAmendment(TenantOwned):
    """A correction of a finalized visit: who, when, why, and what changed."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(ReadinessVisit, on_delete=models.CASCADE, related_name="amendments")
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    amended_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(max_length=2000)
    changes = models.JSONField(default=list, help_text="[{field, before, after}, ...]")
    report_resent = models.BooleanField(default=False)

    class Meta:
        ordering = ["-amended_at"]

    def __str__(self) -> str:
        return f"Amendment of {self.visit_id} at {self.amended_at:%Y-%m-%d %H:%M}"

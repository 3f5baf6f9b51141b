"""Fidelity scales as versioned data: a scale, its sections, its items with what each rating
means (anchors), and the bands its totals fall into.

GLOBAL OR TENANT: ``collaborative`` is NULL for a standard scale every collaborative may use
(reference data, no tenant data), or a collaborative for its own adapted scale. The rows of
a scale copy its collaborative, so every row is scoped by one column. Items and anchors are
rows, not one JSON document, so that item trends and medians across agencies are plain SQL.
A scale is immutable once installed: a changed scale is a new version, and a review keeps
the version it was scored on.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Collaborative, TenantOwned


def _collaborative_field() -> models.ForeignKey:
    return models.ForeignKey(
        Collaborative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for a standard scale; a collaborative for its adapted scale.",
    )


def _unique_in_scale(fields: list[str], name: str, **options) -> list[models.UniqueConstraint]:
    """``fields`` unique within one scale, written as the tenancy rule wants: with the
    collaborative for an adapted scale's rows, alone for a standard scale's."""
    return [
        models.UniqueConstraint(
            fields=["collaborative", *fields],
            condition=Q(collaborative__isnull=False),
            name=f"{name}_per_collaborative",
            **options,
        ),
        models.UniqueConstraint(
            fields=fields,
            condition=Q(collaborative__isnull=True),
            name=f"{name}_standard",
            **options,
        ),
    ]


class FidelityScale(models.Model):
    """One version of a fidelity scale."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = _collaborative_field()
    slug = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=40)
    edition = models.CharField(max_length=200, blank=True)
    rating_min = models.PositiveSmallIntegerField(default=1)
    rating_max = models.PositiveSmallIntegerField(default=5)
    good_fidelity_from = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The total from which an agency has reached good fidelity (reviews then "
        "become yearly); empty where the scale does not say.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Offered for new reviews (older versions stay for old reviews)."
    )
    installed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            *_unique_in_scale(["slug", "version"], "fidelity_scale_version"),
            models.CheckConstraint(
                condition=Q(rating_min__lt=models.F("rating_max")),
                name="fidelity_scale_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def get_absolute_url(self) -> str:
        return reverse("fidelity:scale", kwargs={"scale_id": self.pk})

    @property
    def ratings(self) -> range:
        return range(self.rating_min, self.rating_max + 1)

    def band_for(self, total: int | None, bands=None) -> ScoreBand | None:
        """The scale-wide band ``total`` falls into (None for no total). ``bands`` may be
        given already fetched, else the scale's own are read (prefetch them on lists)."""
        if total is None:
            return None
        for band in bands if bands is not None else self.bands.all():
            if band.section_id is None and band.min_total <= total <= band.max_total:
                return band
        return None


class ScaleSection(models.Model):
    """A section of a scale (Staffing, Organization, Services) or a subscale with its own
    total (the employment and education subscales of the IPS-Y)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = _collaborative_field()
    scale = models.ForeignKey(FidelityScale, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    is_subscale = models.BooleanField(
        default=False, help_text="Its total is reported and banded on its own."
    )

    class Meta:
        ordering = ["scale", "position"]
        constraints = [*_unique_in_scale(["scale", "key"], "scale_section_key")]

    def __str__(self) -> str:
        return self.name


class ScaleItem(models.Model):
    """An item of a scale, rated from the scale's lowest to its highest rating."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = _collaborative_field()
    scale = models.ForeignKey(FidelityScale, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ScaleSection, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(
        max_length=60, help_text="Stable within the scale's versions: trends follow it."
    )
    number = models.PositiveSmallIntegerField(help_text="Its place in the whole scale, from 1.")
    number_in_section = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=2000)
    allows_not_rated = models.BooleanField(
        default=False,
        help_text="The scale has a code for 'not enough information to rate' on this item.",
    )

    class Meta:
        ordering = ["scale", "number"]
        constraints = [
            *_unique_in_scale(["scale", "key"], "scale_item_key"),
            *_unique_in_scale(["scale", "number"], "scale_item_number"),
        ]

    def __str__(self) -> str:
        return f"{self.section.name} {self.number_in_section}. {self.name}"

    @property
    def label(self) -> str:
        """The item as reviewers name it, e.g. "Staffing 1. Caseload size"."""
        return str(self)


class ItemAnchor(models.Model):
    """What one rating of an item means."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = _collaborative_field()
    item = models.ForeignKey(ScaleItem, on_delete=models.CASCADE, related_name="anchors")
    rating = models.PositiveSmallIntegerField()
    description = models.TextField(max_length=1000)

    class Meta:
        ordering = ["item", "rating"]
        constraints = [*_unique_in_scale(["item", "rating"], "item_anchor_rating")]

    def __str__(self) -> str:
        return f"{self.rating}: {self.description}"


class ScoreBand(models.Model):
    """A band of totals with its name ("Good fidelity": 100-114): of the whole scale, or of
    one subscale (``section``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = _collaborative_field()
    scale = models.ForeignKey(FidelityScale, on_delete=models.CASCADE, related_name="bands")
    section = models.ForeignKey(
        ScaleSection, on_delete=models.CASCADE, null=True, blank=True, related_name="bands"
    )
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=100)
    min_total = models.PositiveIntegerField()
    max_total = models.PositiveIntegerField()

    class Meta:
        ordering = ["scale", "section", "-min_total"]
        constraints = [
            # One band of a key per scale and subscale (the scale-wide bands have no section).
            *_unique_in_scale(["scale", "section", "key"], "score_band_key", nulls_distinct=False),
            models.CheckConstraint(
                condition=Q(min_total__lte=models.F("max_total")), name="score_band_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.min_total}-{self.max_total})"


# --------------------------------------------------------------------------------------------
# Reviews (tenant data: every row carries its collaborative and its agency)
# --------------------------------------------------------------------------------------------


class ReviewKind(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    FOLLOW_UP = "follow_up", "Follow-up"
    ANNUAL = "annual", "Annual"
    SELF_ASSESSMENT = "self_assessment", "Agency self-assessment"


class ReviewStatus(models.TextChoices):
    """A review's life: planned, then reviewers rate independently (in progress), then the
    consensus is recorded (reconciling), then the report is written (draft report), then it
    is final (read-only; amendments recorded)."""

    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    RECONCILING = "reconciling", "Reconciling"
    DRAFT_REPORT = "draft_report", "Draft report"
    FINAL = "final", "Final"


#: Statuses in which every reviewer has submitted (or none rates alone): the reviewers'
#: own ratings may be read by the others from here on.
SUBMITTED_STATUSES = (ReviewStatus.RECONCILING, ReviewStatus.DRAFT_REPORT, ReviewStatus.FINAL)


class FidelityReview(TenantOwned):
    """A fidelity review of an agency on one version of a scale.

    ``version`` is the optimistic lock of the review's own fields and of its consensus:
    every save sends the version it read. ``total``, ``band`` and ``section_totals`` are
    kept by the consensus service, so lists and exports need no per-review queries."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    scale = models.ForeignKey(FidelityScale, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    visit_start = models.DateField("first day of the visit")
    visit_end = models.DateField("last day of the visit")
    summary = models.TextField("overall summary", blank=True, max_length=10000)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    section_totals = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
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
        ordering = ["-visit_start", "-created_at"]
        indexes = [models.Index(fields=["collaborative", "agency", "status", "visit_start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_end__gte=models.F("visit_start")),
                name="fidelity_review_visit_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(status="final") | Q(finalized_at__isnull=False),
                name="fidelity_review_final_has_date",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="fidelity_review_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} fidelity review of {self.agency} ({self.visit_start})"

    def get_absolute_url(self) -> str:
        return reverse("fidelity:review", kwargs={"review_id": self.pk})

    @property
    def is_final(self) -> bool:
        return self.status == ReviewStatus.FINAL

    @property
    def band_label(self) -> str:
        """The band's name ("Good fidelity"); prefetch ``scale__bands`` on lists."""
        if not self.band:
            return ""
        for band in self.scale.bands.all():
            if band.section_id is None and band.key == self.band:
                return band.label
        return self.band

    @property
    def rates_alone(self) -> bool:
        """A self-assessment: no independent scoring, straight to consensus (as a review
        with a single reviewer)."""
        return self.kind == ReviewKind.SELF_ASSESSMENT


class ReviewReviewer(TenantOwned):
    """A reviewer of a review, with their own rating sheet. ``version`` is the sheet's
    optimistic lock; ``submitted_at`` is set once, when they hand in their ratings."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "review", "user"], name="fidelity_reviewer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.review}"


class ReviewerRating(TenantOwned):
    """One reviewer's own rating of one item, with the evidence. Hidden from everyone but
    its reviewer until every reviewer of the review has submitted (an access condition)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(ReviewReviewer, on_delete=models.CASCADE, related_name="ratings")
    item = models.ForeignKey(ScaleItem, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True, max_length=4000)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reviewer", "item__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "reviewer", "item"], name="fidelity_rating_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.key}: {self.rating}"


class ConsensusRating(TenantOwned):
    """The review's agreed rating of one item, why, and the report's words on the item."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="consensus")
    item = models.ForeignKey(ScaleItem, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField()
    rationale = models.TextField(blank=True, max_length=4000)
    strengths = models.TextField(blank=True, max_length=4000)
    recommendations = models.TextField(blank=True, max_length=4000)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "item__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "review", "item"], name="fidelity_consensus_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.key}: {self.rating}"

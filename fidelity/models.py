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

from django.db import models
from django.db.models import Q
from django.urls import reverse

from agencies.models import Collaborative


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

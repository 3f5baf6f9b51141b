"""The scores of a fidelity review, as pure functions of plain data: no database, no clock, no
model imported at runtime.

A scale's structure comes in as a :class:`ScaleShape` (sections with their item keys, the
rating range, the bands); a review's consensus ratings as a mapping of item key to rating
(``None`` for an item not rated yet). From them:

- the total, which exists only once every item of the scale has a rating;
- each section's subtotal, likewise only once all of its items are rated, with how many are;
- the band a total falls into: the scale-wide bands for the total, a subscale's own bands
  for its subtotal (the IPS-Y's employment and education subscales);
- an item-by-item comparison with the agency's previous final review;
- the median of a list of ratings (where the collaborative's agencies stand on an item: the
  numbers come in, never the other agencies' rows).

:func:`shape_from_scale` reads a :class:`~fidelity.models.FidelityScale` with its sections,
items and bands prefetched; :meth:`ScaleShape.from_definition` reads a scale definition (the
JSON documents of ``fidelity/scales/``).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fidelity.models import FidelityScale

Ratings = Mapping[str, int | None]


@dataclass(frozen=True)
class SectionShape:
    """A section of a scale, or a subscale with a total of its own."""

    key: str
    name: str
    item_keys: tuple[str, ...]
    is_subscale: bool = False


@dataclass(frozen=True)
class BandShape:
    """A band of totals: of the whole scale (``section_key`` None) or of one subscale."""

    key: str
    label: str
    min_total: int
    max_total: int
    section_key: str | None = None

    def holds(self, total: int) -> bool:
        return self.min_total <= total <= self.max_total


@dataclass(frozen=True)
class ScaleShape:
    """What the scores need to know of a scale."""

    sections: tuple[SectionShape, ...]
    bands: tuple[BandShape, ...] = ()
    rating_min: int = 1
    rating_max: int = 5
    good_fidelity_from: int | None = None
    slug: str = ""
    version: int = 0

    def __post_init__(self) -> None:
        keys = self.item_keys
        if len(set(keys)) != len(keys):
            raise ValueError("An item key appears twice in the scale.")
        if self.rating_min >= self.rating_max:
            raise ValueError("The lowest rating must be below the highest.")

    @property
    def item_keys(self) -> tuple[str, ...]:
        """Every item key, in the scale's order."""
        return tuple(key for section in self.sections for key in section.item_keys)

    @classmethod
    def build(
        cls,
        sections: Iterable[tuple[str, Sequence[str]] | SectionShape],
        bands: Iterable[tuple[str, str, int, int, str | None] | BandShape] = (),
        **options,
    ) -> ScaleShape:
        """A shape from plain values: sections as ``(key, item_keys)`` pairs (a section's key
        doubles as its name) and bands as ``(key, label, min_total, max_total, section_key)``.
        A section with bands of its own counts as a subscale."""
        bands = tuple(b if isinstance(b, BandShape) else BandShape(*b) for b in bands)
        banded = {b.section_key for b in bands if b.section_key is not None}
        shaped = tuple(
            s
            if isinstance(s, SectionShape)
            else SectionShape(s[0], s[0], tuple(s[1]), is_subscale=s[0] in banded)
            for s in sections
        )
        return cls(sections=shaped, bands=bands, **options)

    @classmethod
    def from_definition(cls, definition: Mapping) -> ScaleShape:
        """The shape of a scale definition, as ``fidelity.scale_install`` reads them."""
        return cls(
            sections=tuple(
                SectionShape(
                    key=s["key"],
                    name=s["name"],
                    item_keys=tuple(i["key"] for i in s["items"]),
                    is_subscale=bool(s.get("subscale", False)),
                )
                for s in definition["sections"]
            ),
            bands=tuple(
                BandShape(
                    key=b["key"],
                    label=b["label"],
                    min_total=b["min_total"],
                    max_total=b["max_total"],
                    section_key=b.get("section"),
                )
                for b in definition.get("bands", ())
            ),
            rating_min=definition.get("rating_min", 1),
            rating_max=definition.get("rating_max", 5),
            good_fidelity_from=definition.get("good_fidelity_from"),
            slug=definition.get("slug", ""),
            version=definition.get("version", 0),
        )


def shape_from_scale(scale: FidelityScale) -> ScaleShape:
    """The shape of an installed scale. Prefetch ``sections__items`` and ``bands`` to read it
    without further queries."""
    sections = sorted(scale.sections.all(), key=lambda s: s.position)
    section_keys = {s.pk: s.key for s in sections}
    return ScaleShape(
        sections=tuple(
            SectionShape(
                key=s.key,
                name=s.name,
                item_keys=tuple(i.key for i in sorted(s.items.all(), key=lambda i: i.number)),
                is_subscale=s.is_subscale,
            )
            for s in sections
        ),
        bands=tuple(
            BandShape(
                key=b.key,
                label=b.label,
                min_total=b.min_total,
                max_total=b.max_total,
                section_key=section_keys.get(b.section_id),
            )
            for b in sorted(scale.bands.all(), key=lambda b: -b.min_total)
        ),
        rating_min=scale.rating_min,
        rating_max=scale.rating_max,
        good_fidelity_from=scale.good_fidelity_from,
        slug=scale.slug,
        version=scale.version,
    )


def _checked(shape: ScaleShape, ratings: Ratings) -> Ratings:
    """``ratings``, refused (ValueError naming the item) for an item the scale lacks or a
    rating outside its range."""
    known = set(shape.item_keys)
    for key, rating in ratings.items():
        if key not in known:
            raise ValueError(f"{key}: not an item of this scale")
        if rating is not None and not shape.rating_min <= rating <= shape.rating_max:
            raise ValueError(
                f"{key}: a rating is from {shape.rating_min} to {shape.rating_max}, not {rating}"
            )
    return ratings


def _sum_if_complete(keys: Sequence[str], ratings: Ratings) -> int | None:
    values = [ratings.get(key) for key in keys]
    if not values or any(v is None for v in values):
        return None
    return sum(values)


def total(shape: ScaleShape, ratings: Ratings) -> int | None:
    """The review's total: the sum of every item's rating, or None while any is missing."""
    return _sum_if_complete(shape.item_keys, _checked(shape, ratings))


def band_for(
    shape: ScaleShape, total: int | None, *, section_key: str | None = None
) -> BandShape | None:
    """The band ``total`` falls into: a scale-wide band, or with ``section_key`` one of that
    subscale's own bands. None for no total, or a total no band holds."""
    if total is None:
        return None
    for band in shape.bands:
        if band.section_key == section_key and band.holds(total):
            return band
    return None


@dataclass(frozen=True)
class SectionScore:
    key: str
    name: str
    #: The sum of the section's ratings, or None while any of its items is not rated.
    subtotal: int | None
    rated: int
    item_count: int
    #: The subscale's own band, for a section that has bands.
    band: BandShape | None = None

    @property
    def complete(self) -> bool:
        return self.rated == self.item_count


def section_scores(shape: ScaleShape, ratings: Ratings) -> list[SectionScore]:
    """Each section's subtotal and how many of its items are rated, in the scale's order."""
    _checked(shape, ratings)
    scores = []
    for section in shape.sections:
        subtotal = _sum_if_complete(section.item_keys, ratings)
        scores.append(
            SectionScore(
                key=section.key,
                name=section.name,
                subtotal=subtotal,
                rated=sum(1 for key in section.item_keys if ratings.get(key) is not None),
                item_count=len(section.item_keys),
                band=band_for(shape, subtotal, section_key=section.key),
            )
        )
    return scores


@dataclass(frozen=True)
class Score:
    """A review's scores at a glance."""

    total: int | None
    band: BandShape | None
    sections: tuple[SectionScore, ...]
    rated: int
    item_count: int

    @property
    def complete(self) -> bool:
        return self.total is not None


def score(shape: ScaleShape, ratings: Ratings) -> Score:
    """The total, its band and the section subtotals of a review's consensus ratings."""
    sections = tuple(section_scores(shape, ratings))
    the_total = total(shape, ratings)
    return Score(
        total=the_total,
        band=band_for(shape, the_total),
        sections=sections,
        rated=sum(s.rated for s in sections),
        item_count=len(shape.item_keys),
    )


class Change:
    UP = "up"
    DOWN = "down"
    SAME = "same"
    #: Rated now, not rated in the previous review (or no previous review of the item).
    NEW = "new"
    #: Not rated (yet) in this review.
    NOT_RATED = "not_rated"


@dataclass(frozen=True)
class ItemChange:
    item_key: str
    rating: int | None
    previous: int | None
    change: str

    @property
    def difference(self) -> int | None:
        """This rating minus the previous one (None unless both exist)."""
        if self.rating is None or self.previous is None:
            return None
        return self.rating - self.previous


def compare(shape: ScaleShape, ratings: Ratings, previous: Ratings | None) -> list[ItemChange]:
    """Each item of the scale against the previous final review's rating, in the scale's
    order. Items of the previous review that this scale lacks (another version) are left
    out; ``previous`` None means no previous review, so every rated item is new."""
    _checked(shape, ratings)
    before = previous or {}
    changes = []
    for key in shape.item_keys:
        now, then = ratings.get(key), before.get(key)
        if now is None:
            change = Change.NOT_RATED
        elif then is None:
            change = Change.NEW
        elif now > then:
            change = Change.UP
        elif now < then:
            change = Change.DOWN
        else:
            change = Change.SAME
        changes.append(ItemChange(key, now, then, change))
    return changes


def median(values: Iterable[int | float | None]) -> float | None:
    """The median of the given ratings (or totals), ignoring missing ones; None for none. An
    even count gives the mean of the middle two (3 and 4: 3.5)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return float(statistics.median(known))

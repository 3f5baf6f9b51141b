"""Reads of fidelity reviews for the pages: lists, a reviewer's sheet, the reconciliation
side by side, the report. Everything starts from the access package; a reviewer's own
ratings are read only through :func:`ipsportal.access.visible_ratings`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from agencies import selectors_roster
from fidelity import scoring, suggestions
from fidelity.models import FidelityReview, FidelityScale, ReviewReviewer, ReviewStatus
from fidelity.selectors import scale_prefetch
from ipsportal import access
from ipsportal.charts import PairedBarChart, PairedRow

if TYPE_CHECKING:
    from agencies.models import Agency, Collaborative
    from fidelity.models import ConsensusRating, ReviewerRating, ScaleItem
    from ipsportal.access import ReviewAccess
    from ipsportal.models import User


def review_list(
    user: User,
    collaborative: Collaborative | None,
    *,
    agency: Agency | None = None,
    status: str = "",
) -> QuerySet[FidelityReview]:
    """The reviews the user may read (optionally of one agency or status), newest visit
    first, with what a list row shows (no query per row)."""
    reviews = access.reviews_in_scope(user, collaborative)
    if agency is not None:
        reviews = reviews.filter(agency=agency)
    if status:
        reviews = reviews.filter(status=status)
    return (
        reviews.select_related("agency", "scale")
        .prefetch_related(
            "scale__bands",
            Prefetch(
                "reviewers",
                queryset=ReviewReviewer.objects.select_related("user").order_by(
                    "user__full_name", "user__email"
                ),
            ),
        )
        .order_by("-visit_start", "-created_at")
    )


def scale_with_items(review: FidelityReview) -> FidelityScale:
    """The review's scale with its sections, items and anchors (a fixed number of queries)."""
    return FidelityScale.objects.prefetch_related(*scale_prefetch()).get(pk=review.scale_id)


def _items(scale: FidelityScale) -> list[ScaleItem]:
    return [item for section in scale.sections.all() for item in section.items.all()]


@dataclass
class SheetRow:
    """One item on a reviewer's own sheet."""

    item: ScaleItem
    rating: int | None = None
    evidence: str = ""
    suggestion: suggestions.Suggestion | None = None


def _suggestions(user: User, review: FidelityReview, scale: FidelityScale) -> dict:
    entries = selectors_roster.roster_entries(user, review.agency)
    return suggestions.suggestions_for_scale(
        scale.slug,
        scale.version,
        [i.key for i in _items(scale)],
        entries,
        as_of=review.collaborative.today(),
    )


def my_sheet(user: User, found: ReviewAccess) -> tuple[FidelityScale, list[SheetRow]]:
    """The user's own ratings of the review, item by item, with the roster's suggestion
    beside the items the portal can compute."""
    scale = scale_with_items(found.review)
    own = {}
    if found.sheet is not None:
        own = {
            r.item_id: r
            for r in access.visible_ratings(user, found.review).filter(reviewer=found.sheet)
        }
    suggested = _suggestions(user, found.review, scale)
    rows = []
    for item in _items(scale):
        mine = own.get(item.pk)
        rows.append(
            SheetRow(
                item=item,
                rating=mine.rating if mine else None,
                evidence=mine.evidence if mine else "",
                suggestion=suggested.get(item.key),
            )
        )
    return scale, rows


@dataclass
class ReconcileRow:
    """One item of the reconciliation: every reviewer's rating the user may read, and the
    consensus so far."""

    item: ScaleItem
    ratings: list[tuple[ReviewReviewer, ReviewerRating | None]] = field(default_factory=list)
    consensus: ConsensusRating | None = None
    suggestion: suggestions.Suggestion | None = None

    @property
    def differs(self) -> bool:
        given = {r.rating for _, r in self.ratings if r is not None and r.rating is not None}
        return len(given) > 1

    @property
    def proposed(self) -> int | None:
        """The rating to start the consensus from: the consensus, else the reviewers' shared
        rating when they agree."""
        if self.consensus is not None:
            return self.consensus.rating
        given = {r.rating for _, r in self.ratings if r is not None}
        return given.pop() if len(given) == 1 else None


def reconciliation(user: User, found: ReviewAccess) -> tuple[FidelityScale, list[ReconcileRow]]:
    """The items side by side: each reviewer's rating and evidence (only those the user may
    read: before every reviewer has submitted, none but their own) and the consensus."""
    review = found.review
    scale = scale_with_items(review)
    reviewers = list(access.review_reviewers(user, review))
    ratings = {(r.reviewer_id, r.item_id): r for r in access.visible_ratings(user, review)}
    consensus = {c.item_id: c for c in access.review_consensus(user, review)}
    suggested = _suggestions(user, review, scale)
    rows = []
    for item in _items(scale):
        rows.append(
            ReconcileRow(
                item=item,
                ratings=[(sheet, ratings.get((sheet.pk, item.pk))) for sheet in reviewers],
                consensus=consensus.get(item.pk),
                suggestion=suggested.get(item.key),
            )
        )
    return scale, rows


@dataclass(frozen=True)
class ReportItem:
    item: ScaleItem
    consensus: ConsensusRating | None
    change: scoring.ItemChange | None
    median: float | None


@dataclass(frozen=True)
class Report:
    """What the review page and the report show of a review's consensus."""

    scale: FidelityScale
    score: scoring.Score
    items: list[ReportItem]
    previous: FidelityReview | None


def previous_final(user: User, review: FidelityReview) -> FidelityReview | None:
    """The agency's final review on the same scale before this one, that the user may read."""
    return (
        access.reviews_in_scope(user)
        .filter(
            agency=review.agency,
            status=ReviewStatus.FINAL,
            scale__slug=review.scale.slug,
            visit_start__lt=review.visit_start,
        )
        .exclude(pk=review.pk)
        .order_by("-visit_start")
        .first()
    )


def item_medians(user: User, review: FidelityReview) -> dict[str, float | None]:
    """Where the collaborative's agencies stand on each item: the median of the latest
    final consensus rating of each agency on this scale (numbers only, no other agency's
    rows leave the function)."""
    from fidelity.models import ConsensusRating

    latest: dict = {}
    for agency_id, review_id in (
        FidelityReview.objects.filter(
            collaborative_id=review.collaborative_id,
            status=ReviewStatus.FINAL,
            scale__slug=review.scale.slug,
        )
        .order_by("agency_id", "-visit_start")
        .values_list("agency_id", "pk")
    ):
        latest.setdefault(agency_id, review_id)
    by_item: dict[str, list[int]] = {}
    for key, rating in ConsensusRating.objects.filter(
        collaborative_id=review.collaborative_id, review_id__in=list(latest.values())
    ).values_list("item__key", "rating"):
        by_item.setdefault(key, []).append(rating)
    return {key: scoring.median(values) for key, values in by_item.items()}


def review_report(user: User, found: ReviewAccess) -> Report:
    """The consensus item by item with the change since the agency's previous final review
    and the collaborative's median, and the scores."""
    review = found.review
    scale = scale_with_items(review)
    shape = scoring.shape_from_scale(
        FidelityScale.objects.prefetch_related("sections__items", "bands").get(pk=scale.pk)
    )
    consensus = {c.item_id: c for c in access.review_consensus(user, review)}
    ratings = {i.key: consensus[i.pk].rating for i in _items(scale) if i.pk in consensus}
    previous = previous_final(user, review)
    before = None
    if previous is not None:
        before = dict(access.review_consensus(user, previous).values_list("item__key", "rating"))
    changes = {c.item_key: c for c in scoring.compare(shape, ratings, before)} if before else {}
    medians = item_medians(user, review)
    return Report(
        scale=scale,
        score=scoring.score(shape, ratings),
        items=[
            ReportItem(
                item=i,
                consensus=consensus.get(i.pk),
                change=changes.get(i.key),
                median=medians.get(i.key),
            )
            for i in _items(scale)
        ],
        previous=previous,
    )


def agency_fidelity(user: User, agency: Agency) -> dict:
    """The agency page's fidelity section: the latest final review the user may read and
    the next review's due date."""
    from fidelity.selectors import next_review_due

    latest = (
        access.reviews_in_scope(user)
        .filter(agency=agency, status=ReviewStatus.FINAL)
        .order_by("-visit_start")
        .first()
    )
    upcoming = (
        access.reviews_in_scope(user)
        .filter(agency=agency)
        .exclude(status=ReviewStatus.FINAL)
        .order_by("visit_start")
        .first()
    )
    return {"latest": latest, "upcoming": upcoming, "due": next_review_due(agency)}


def visit_days(review: FidelityReview) -> str:
    """ "May 12-13, 2026", "May 12, 2026", "May 31 to June 1, 2026"."""
    start, end = review.visit_start, review.visit_end
    if start == end:
        return f"{start:%B} {start.day}, {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%B} {start.day}-{end.day}, {end.year}"
    if start.year == end.year:
        return f"{start:%B} {start.day} to {end:%B} {end.day}, {end.year}"
    return f"{start:%B} {start.day}, {start.year} to {end:%B} {end.day}, {end.year}"


def report_content(review: FidelityReview) -> dict:
    """What the fidelity report PDF shows of a final review, read from the published record
    (the document pipeline opened it: whoever may read the review reads the same report):
    scores, the item table with the consensus and the change since the agency's previous
    final review, and the chart of item ratings against that review."""
    from fidelity.models import ConsensusRating

    scale = scale_with_items(review)
    items = _items(scale)
    shape = scoring.shape_from_scale(
        FidelityScale.objects.prefetch_related("sections__items", "bands").get(pk=scale.pk)
    )
    consensus = {
        c.item_id: c
        for c in ConsensusRating.objects.filter(
            collaborative_id=review.collaborative_id, review=review
        )
    }
    ratings = {i.key: consensus[i.pk].rating for i in items if i.pk in consensus}
    previous = (
        FidelityReview.objects.filter(
            collaborative_id=review.collaborative_id,
            agency_id=review.agency_id,
            status=ReviewStatus.FINAL,
            scale__slug=scale.slug,
            visit_start__lt=review.visit_start,
        )
        .order_by("-visit_start")
        .first()
    )
    before = (
        dict(
            ConsensusRating.objects.filter(
                collaborative_id=review.collaborative_id, review=previous
            ).values_list("item__key", "rating")
        )
        if previous
        else None
    )
    changes = {c.item_key: c for c in scoring.compare(shape, ratings, before)} if before else {}
    short = {s.pk: s.name for s in scale.sections.all()}
    chart = PairedBarChart(
        title=f"Item ratings of the review of {visit_days(review)}"
        + (f" against the review of {visit_days(previous)}" if previous else ""),
        description=(
            "One row per item: this review's consensus rating (blue bar) and, where there is "
            "one, the previous final review's (grey bar), on a scale of "
            f"{scale.rating_min} to {scale.rating_max}. The table gives the same figures."
        ),
        rows=tuple(
            PairedRow(
                label=f"{short[i.section_id][:1]}{i.number_in_section} {i.name}",
                value=ratings.get(i.key),
                previous=(before or {}).get(i.key),
            )
            for i in items
        ),
        maximum=scale.rating_max,
        value_heading="This review",
        previous_heading="Previous review",
        label_heading="Item",
        chart_id=f"fidelity-chart-{review.pk.hex[:8]}",
    )
    return {
        "review": review,
        "agency": review.agency,
        "scale": scale,
        "score": scoring.score(shape, ratings),
        "rows": [
            ReportItem(
                item=i, consensus=consensus.get(i.pk), change=changes.get(i.key), median=None
            )
            for i in items
        ],
        "previous": previous,
        "chart": chart,
        "reviewers": list(
            ReviewReviewer.objects.filter(collaborative_id=review.collaborative_id, review=review)
            .select_related("user")
            .order_by("user__full_name")
        ),
        "strengths": [
            (i, consensus[i.pk].strengths)
            for i in items
            if i.pk in consensus and consensus[i.pk].strengths
        ],
        "recommendations": [
            (i, consensus[i.pk].recommendations)
            for i in items
            if i.pk in consensus and consensus[i.pk].recommendations
        ],
        "visit_days": visit_days(review),
    }

"""Reads of the fidelity app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet

from fidelity import cadence
from fidelity.models import (
    FidelityReview,
    ItemAnchor,
    ReviewKind,
    ReviewStatus,
    ScaleItem,
    ScaleSection,
    ScoreBand,
)
from ipsportal import access

if TYPE_CHECKING:
    from agencies.models import Agency
    from fidelity.models import FidelityScale
    from ipsportal.models import User


def scale_list(user: User) -> QuerySet[FidelityScale]:
    """The fidelity scale versions the user may read, each with its number of items, the
    standard ones first, newest version first."""
    return (
        access.fidelity_scales_in_scope(user)
        .select_related("collaborative")
        .annotate(item_count=Count("items"))
        .order_by("collaborative__name", "slug", "-version")
    )


def scale_prefetch() -> list[Prefetch]:
    """What a scale's page or API representation reads: sections with their items and each
    item's anchors, and the bands (a fixed number of queries whatever the scale's size)."""
    return [
        Prefetch(
            "sections",
            queryset=ScaleSection.objects.order_by("position").prefetch_related(
                Prefetch(
                    "items",
                    queryset=ScaleItem.objects.order_by("number").prefetch_related(
                        Prefetch("anchors", queryset=ItemAnchor.objects.order_by("rating"))
                    ),
                )
            ),
        ),
        Prefetch("bands", queryset=ScoreBand.objects.select_related("section")),
    ]


def scale_detail(user: User, scale_id) -> FidelityScale:
    """One scale version the user may read (else 404), with everything its page shows."""
    scale = access.access_fidelity_scale(user, scale_id)
    return (
        access.fidelity_scales_in_scope(user)
        .select_related("collaborative")
        .prefetch_related(*scale_prefetch())
        .get(pk=scale.pk)
    )


# --------------------------------------------------------------------------------------------
# Cadence: facts about an agency's final reviews
# --------------------------------------------------------------------------------------------


def final_reviews_for_cadence(agency: Agency) -> list[cadence.FinalReview]:
    """The agency's final reviews by state reviewers (self-assessments do not count), newest
    visit first, as the cadence rules read them. A fact about the agency for its own pages
    (the steering committee's cadence, the next review's due date): no review's content."""
    rows = (
        FidelityReview.objects.filter(
            collaborative_id=agency.collaborative_id,
            agency=agency,
            status=ReviewStatus.FINAL,
        )
        .exclude(kind=ReviewKind.SELF_ASSESSMENT)
        .order_by("-visit_end", "-finalized_at")
        .values_list("visit_end", "total", "scale__good_fidelity_from")
    )
    return [cadence.FinalReview(*row) for row in rows]


def good_fidelity_reached(agency: Agency) -> bool:
    """Whether the agency's latest final review reached good fidelity on its scale."""
    return cadence.good_fidelity_reached(final_reviews_for_cadence(agency))


def next_review_due(agency: Agency) -> cadence.Due:
    """When the agency's next fidelity review is due, by the default cadence rules."""
    return cadence.next_review_due(
        agency.implementation_start_date,
        final_reviews_for_cadence(agency),
        today=agency.collaborative.today(),
        rules=cadence.CadenceRules(),
    )


def next_reviews_due(agencies: list[Agency]) -> dict:
    """When each agency's next fidelity review is due (by agency id), by the default cadence
    rules, as :func:`next_review_due` says it for one: the final reviews of every agency in
    one query (and their collaboratives in one more where they are not loaded), for lists."""
    from collections import defaultdict

    from agencies.models import Agency, Collaborative

    if not agencies:
        return {}
    finals: dict = defaultdict(list)
    rows = (
        FidelityReview.objects.filter(
            collaborative_id__in={a.collaborative_id for a in agencies},
            agency_id__in=[a.pk for a in agencies],
            status=ReviewStatus.FINAL,
        )
        .exclude(kind=ReviewKind.SELF_ASSESSMENT)
        .order_by("agency_id", "-visit_end", "-finalized_at")
        .values_list("agency_id", "visit_end", "total", "scale__good_fidelity_from")
    )
    for agency_id, *review in rows:
        finals[agency_id].append(cadence.FinalReview(*review))
    collaboratives = {
        a.collaborative_id: a.collaborative for a in agencies if Agency.collaborative.is_cached(a)
    }
    missing = {a.collaborative_id for a in agencies} - set(collaboratives)
    if missing:
        collaboratives.update(Collaborative.objects.in_bulk(missing))
    today = {pk: c.today() for pk, c in collaboratives.items()}
    rules = cadence.CadenceRules()
    return {
        a.pk: cadence.next_review_due(
            a.implementation_start_date,
            finals[a.pk],
            today=today[a.collaborative_id],
            rules=rules,
        )
        for a in agencies
    }


def agencies_with_good_fidelity(agency_ids) -> set:
    """Of these agencies, those whose latest final review reached good fidelity (one query
    for all of them: lists of committees ask it for a page at once)."""
    latest: dict = {}
    rows = (
        FidelityReview.objects.filter(agency_id__in=list(agency_ids), status=ReviewStatus.FINAL)
        .exclude(kind=ReviewKind.SELF_ASSESSMENT)
        .order_by("agency_id", "-visit_end", "-finalized_at")
        .values_list("agency_id", "visit_end", "total", "scale__good_fidelity_from")
    )
    for agency_id, *review in rows:
        latest.setdefault(agency_id, cadence.FinalReview(*review))
    return {a for a, review in latest.items() if cadence.good_fidelity_reached([review])}

"""Reads of the fidelity app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet

from fidelity.models import ItemAnchor, ScaleItem, ScaleSection, ScoreBand
from ipsportal import access

if TYPE_CHECKING:
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

"""Demo data of the fidelity app: the standard scales (installed by the migrations; installed
again here where the database was emptied since), and reviews of the demo agencies: final
ones with their consensus and report, and one review under way for the reviewers to score."""

from __future__ import annotations

import datetime

from agencies.models import Agency, Collaborative
from fidelity import services
from fidelity.models import FidelityReview, FidelityScale
from fidelity.scale_install import install_standard_scales
from ipsportal.models import User

#: Final reviews of the demo: (collaborative slug, agency name, visit start, total).
FINAL_REVIEWS = [
    ("show-me-ips", "Riverbend Behavioral Health", datetime.date(2024, 10, 15), 96),
    ("show-me-ips", "Riverbend Behavioral Health", datetime.date(2025, 10, 14), 108),
    ("show-me-ips", "Prairie Lane Community Services", datetime.date(2026, 6, 9), 88),
    ("show-me-ips", "Mississippi Bluffs Counseling", datetime.date(2025, 9, 16), 79),
    ("badger-ips", "Northwoods Human Services", datetime.date(2026, 3, 10), 112),
]
#: Reviews under way: (collaborative slug, agency name, days before today the visit began).
OPEN_REVIEWS = [("show-me-ips", "Riverbend Behavioral Health", 6)]

#: Items a demo agency does less well on (rated one lower while the total allows).
_WEAKER = (
    "work_incentives_planning",
    "disclosure",
    "employer_contact_frequency",
    "vr_collaboration",
)


def _ratings(keys: list[str], total: int) -> dict[str, int]:
    """Ratings of ``keys`` adding up to ``total``: mostly the same, the weaker items lower."""
    base, extra = divmod(total, len(keys))
    ordered = sorted(keys, key=lambda k: (k in _WEAKER, keys.index(k)))
    return {k: min(5, base + (1 if i < extra else 0)) for i, k in enumerate(ordered)}


def _people(collaborative: Collaborative) -> tuple[User, list[User]] | None:
    prefix = {"show-me-ips": "mo", "badger-ips": "wi"}.get(collaborative.slug)
    users = {u.email: u for u in User.objects.filter(email__startswith=f"{prefix}.")}
    admin = users.get(f"{prefix}.admin@example.org")
    reviewers = [
        users.get(f"{prefix}.trainer@example.org"),
        users.get(f"{prefix}.reviewer@example.org"),
    ]
    if admin is None or None in reviewers:
        return None
    return admin, reviewers


def _plan(agency: Agency, start: datetime.date, admin: User, reviewers: list[User], kind: str):
    scale = FidelityScale.objects.get(slug="ips-se", collaborative__isnull=True, version=1)
    return services.review_create(
        user=admin,
        agency=agency,
        scale=scale,
        kind=kind,
        visit_start=start,
        visit_end=start + datetime.timedelta(days=1),
        reviewers=reviewers,
    )


def _final(agency: Agency, start: datetime.date, total: int, admin, reviewers, kind) -> None:
    review = _plan(agency, start, admin, reviewers, kind)
    keys = list(review.scale.items.order_by("number").values_list("key", flat=True))
    agreed = _ratings(keys, total)
    for n, reviewer in enumerate(reviewers):
        own = {
            k: {"rating": max(1, r - (n if k in _WEAKER else 0)), "evidence": "Seen on the visit."}
            for k, r in agreed.items()
        }
        services.my_ratings_save(user=reviewer, review=review, ratings=own, version=None)
        services.my_ratings_submit(user=reviewer, review=review)
    review.refresh_from_db()
    consensus = {
        k: {
            "rating": r,
            "rationale": "Agreed on the evidence of both reviewers.",
            "strengths": "Steady practice the team can describe." if r >= 4 else "",
            "recommendations": "" if r >= 4 else "Work on this item with the trainer this year.",
        }
        for k, r in agreed.items()
    }
    review = services.consensus_save(user=admin, review=review, ratings=consensus, version=None)
    review = services.consensus_complete(user=admin, review=review)
    services.review_finalize(
        user=admin,
        review=review,
        summary=(
            f"{agency.name} reached a total of {total}. The team works well with the mental "
            "health teams; benefits counseling and employer contacts are the next steps."
        ),
        version=None,
        send_email=False,  # the demo's past reviews were sent long ago
    )
    # Demo reviews were finalized two weeks after their visit, not when the demo loads.
    moment = datetime.datetime.combine(
        start + datetime.timedelta(days=14), datetime.time(16, 0), agency.collaborative.zoneinfo
    )
    FidelityReview.objects.filter(pk=review.pk).update(finalized_at=moment, updated_at=moment)


def load() -> None:
    """Install the scales, then the demo's reviews where they are missing (idempotent)."""
    install_standard_scales()
    for slug, name, start, total in FINAL_REVIEWS:
        agency = Agency.objects.filter(collaborative__slug=slug, name=name).first()
        people = _people(agency.collaborative) if agency else None
        if (
            people is None
            or FidelityReview.objects.filter(agency=agency, visit_start=start).exists()
        ):
            continue
        earlier = FidelityReview.objects.filter(agency=agency, visit_start__lt=start).exists()
        _final(agency, start, total, *people, "follow_up" if earlier else "baseline")
    for slug, name, days_ago in OPEN_REVIEWS:
        agency = Agency.objects.filter(collaborative__slug=slug, name=name).first()
        people = _people(agency.collaborative) if agency else None
        if (
            people is None
            or FidelityReview.objects.filter(agency=agency).exclude(status="final").exists()
        ):
            continue
        admin, reviewers = people
        start = agency.collaborative.today() - datetime.timedelta(days=days_ago)
        review = _plan(agency, start, admin, reviewers, "annual")
        services.review_start(user=admin, review=review)

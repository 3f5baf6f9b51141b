"""Fidelity reviews from plan to final.

planned -> in progress (the reviewers rate independently, each on their own sheet, and
submit) -> reconciling (every sheet is in: the consensus is recorded item by item) -> draft
report (every item has a consensus rating: the total and band are known, the report is
written) -> final (read-only). A self-assessment, or a review with a single reviewer, goes
from planned straight to reconciling: nobody's ratings need hiding from anyone.

Every status change is a conditional update (``filter(status=OLD).update(status=NEW)``):
two people pressing the same button at once, one wins and the other is told. The sheets
and the consensus carry a ``version``: a save based on an older one is refused
(:class:`ReviewStale`) and nothing is overwritten.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency
from fidelity import scoring
from fidelity.models import (
    ConsensusRating,
    FidelityReview,
    FidelityScale,
    ReviewerRating,
    ReviewKind,
    ReviewReviewer,
    ReviewStatus,
    ScaleItem,
)
from ipsportal import access
from ipsportal.models import User
from ipsportal.notifications.services import delivery_enqueue
from ipsportal.services import record_document_publish

#: No fidelity review of the portal's collaboratives took place before this day.
EARLIEST_VISIT = datetime.date(2000, 1, 1)
#: A review visit lasts a few days; a longer span is a typing mistake.
MAX_VISIT_DAYS = 14
#: How far ahead a review may be planned.
MAX_PLAN_AHEAD_DAYS = 2 * 366
MAX_REVIEWERS = 4
EVIDENCE_LIMIT = 4000


class ReviewStateError(ValidationError):
    """A refusal about the review's state, not the input (rating after submitting, a
    consensus before every reviewer has submitted, finalizing twice): pages show it like
    any refusal, the API answers 409."""


class RatingsNotOnScale(ValidationError):
    """Ratings well formed but not of the review's scale (an item key it does not have, a
    rating outside its range): which keys and ratings a review takes depends on its scale,
    so no schema can say it. Pages show it like any refusal; the API answers 422."""


class ReviewStale(Exception):
    """A save was based on an older version of the sheet or the consensus than the stored
    one. Nothing was written; ``message`` says so (the API answers 412)."""

    def __init__(self, what: str, current_version: int):
        self.current_version = current_version
        self.message = (
            f"{what} changed after you opened it (it is at version {current_version} now). "
            "Nothing was saved, so nothing was overwritten: reload it, then make your change "
            "again."
        )
        super().__init__(self.message)


def _day(value: datetime.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _items(scale: FidelityScale) -> list[ScaleItem]:
    return list(scale.items.select_related("section").order_by("number"))


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


def _visit_date_errors(
    visit_start: datetime.date | None, visit_end: datetime.date | None, today: datetime.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    latest = today + datetime.timedelta(days=MAX_PLAN_AHEAD_DAYS)
    for name, value, label in (
        ("visit_start", visit_start, "first day of the visit"),
        ("visit_end", visit_end, "last day of the visit"),
    ):
        if value is None:
            errors[name] = [f"Give the {label}."]
        elif value < EARLIEST_VISIT:
            errors[name] = [f"Give a {label} in 2000 or later."]
        elif value > latest:
            errors[name] = [
                f"The {label} is more than two years ahead ({_day(value)}): plan a review "
                f"no later than {_day(latest)}."
            ]
    if not errors and visit_end < visit_start:
        errors["visit_end"] = ["The last day of the visit cannot be before its first day."]
    elif not errors and (visit_end - visit_start).days >= MAX_VISIT_DAYS:
        errors["visit_end"] = [
            f"A review visit lasts at most {MAX_VISIT_DAYS} days; this one would last "
            f"{(visit_end - visit_start).days + 1}."
        ]
    return errors


def review_create(
    *,
    user: User,
    agency: Agency,
    scale: FidelityScale | None,
    kind: str,
    visit_start: datetime.date | None,
    visit_end: datetime.date | None,
    reviewers: Sequence[User],
) -> FidelityReview:
    """Plan a fidelity review of ``agency`` (state admins). Reviewers are state trainers or
    fidelity reviewers assigned to the agency: at least one, but for a self-assessment."""
    access.require(user, access.Action.FIDELITY_SCORE, agency=agency)
    collaborative = agency.collaborative
    errors = _visit_date_errors(visit_start, visit_end, collaborative.today())
    if kind not in ReviewKind.values:
        errors["kind"] = ["Choose the kind of review."]
    usable = access.fidelity_scales_in_scope(user).filter(is_active=True)
    if scale is None or not usable.filter(pk=scale.pk).exists():
        errors["scale"] = ["Choose a fidelity scale offered for new reviews."]
    elif scale.collaborative_id not in (None, collaborative.pk):
        errors["scale"] = ["That scale belongs to another collaborative."]
    chosen = list(dict.fromkeys(reviewers))
    allowed = {m.user_id for m in access.reviewer_candidates(user, agency)}
    strangers = [r for r in chosen if r.pk not in allowed]
    if strangers:
        errors["reviewers"] = [
            "Only state trainers and fidelity reviewers assigned to "
            f"{agency.name} can review it: {', '.join(r.display_name for r in strangers)} "
            "cannot."
        ]
    elif not chosen and kind != ReviewKind.SELF_ASSESSMENT:
        errors["reviewers"] = ["Name at least one reviewer (usually two)."]
    elif len(chosen) > MAX_REVIEWERS:
        errors["reviewers"] = [f"Name at most {MAX_REVIEWERS} reviewers."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = FidelityReview(
            collaborative=collaborative,
            agency=agency,
            scale=scale,
            kind=kind,
            visit_start=visit_start,
            visit_end=visit_end,
            created_by=user,
        )
        review.full_clean()
        review.save()
        for reviewer in chosen:
            ReviewReviewer.objects.create(
                collaborative=collaborative, agency=agency, review=review, user=reviewer
            )
    return review


def _rates_alone(review: FidelityReview) -> bool:
    """A self-assessment (the model says so), or a review with a single reviewer."""
    return review.rates_alone or (
        ReviewReviewer.objects.filter(collaborative=review.collaborative, review=review).count()
        <= 1
    )


def _move(review: FidelityReview, old: str, new: str, **fields: Any) -> bool:
    """The conditional update of a status change: True when this call made it."""
    changed = FidelityReview.objects.filter(
        collaborative=review.collaborative, pk=review.pk, status=old
    ).update(status=new, version=F("version") + 1, updated_at=timezone.now(), **fields)
    if changed:
        review.refresh_from_db()
    return bool(changed)


def _require_score(user: User, review: FidelityReview) -> None:
    access.require(user, access.Action.FIDELITY_SCORE, obj=review)


def review_start(*, user: User, review: FidelityReview) -> FidelityReview:
    """Open a planned review: for independent ratings, or straight to the consensus when
    nobody's ratings need hiding (a self-assessment, a single reviewer)."""
    _require_score(user, review)
    target = ReviewStatus.RECONCILING if _rates_alone(review) else ReviewStatus.IN_PROGRESS
    if not _move(review, ReviewStatus.PLANNED, target):
        review.refresh_from_db()
        raise ReviewStateError(
            f"The review is already {review.get_status_display().lower()}: it was started."
        )
    return review


# --------------------------------------------------------------------------------------------
# Independent ratings
# --------------------------------------------------------------------------------------------


def _own_sheet(user: User, review: FidelityReview, *, lock: bool = False) -> ReviewReviewer:
    sheets = ReviewReviewer.objects.filter(
        collaborative=review.collaborative, review=review, user=user
    )
    if lock:
        sheets = sheets.select_for_update()
    sheet = sheets.first()
    if sheet is None:
        raise PermissionDenied(
            "Only the review's reviewers rate it on their own sheets. If you should be one, "
            "ask a state admin of your collaborative to add you to the review."
        )
    return sheet


def _check_ratings(
    scale: FidelityScale, items: Mapping[str, ScaleItem], entries: Mapping[str, Any], note: str
) -> None:
    """Refuse a ``{item_key: {"rating", note}}`` mapping with problems, each naming the item:
    :class:`RatingsNotOnScale` when every problem is about the review's scale (a key it lacks,
    a rating outside its range), else a ValidationError."""
    problems: list[str] = []
    of_scale = 0
    for key, entry in entries.items():
        item = items.get(key)
        if item is None:
            problems.append(f"{key}: no item of {scale.short_title} has this key.")
            of_scale += 1
            continue
        if not isinstance(entry, Mapping):
            problems.append(f"{item.label}: give a rating and {note}.")
            continue
        rating = entry.get("rating")
        if rating is not None and (
            isinstance(rating, bool)
            or not isinstance(rating, int)
            or not scale.rating_min <= rating <= scale.rating_max
        ):
            problems.append(
                f"{item.label}: the rating is a whole number from {scale.rating_min} to "
                f"{scale.rating_max}."
            )
            of_scale += isinstance(rating, int) and not isinstance(rating, bool)
        for field in (note, "strengths", "recommendations"):
            text = entry.get(field) or ""
            if not isinstance(text, str):
                problems.append(f"{item.label}: the {field} is text.")
            elif len(text) > EVIDENCE_LIMIT:
                problems.append(
                    f"{item.label}: the {field} is at most {EVIDENCE_LIMIT:,} characters "
                    f"(you entered {len(text):,})."
                )
    if problems:
        raise (RatingsNotOnScale if of_scale == len(problems) else ValidationError)(
            {"ratings": problems}
        )


def my_ratings_save(
    *,
    user: User,
    review: FidelityReview,
    ratings: Mapping[str, Mapping[str, Any]],
    version: int | None,
    replace: bool = False,
) -> ReviewReviewer:
    """Save the user's own ratings of a review: ``{item_key: {"rating": 1-5 or None,
    "evidence": "..."}}``. With ``replace`` the sheet becomes exactly that (items left out
    are cleared), else the items given are set. ``version`` is the sheet's version the
    change is based on (None: the page's own save of the latest)."""
    scale = review.scale
    items = {i.key: i for i in _items(scale)}
    _check_ratings(scale, items, ratings, "evidence")
    with transaction.atomic():
        sheet = _own_sheet(user, review, lock=True)
        if sheet.submitted_at is not None:
            raise ReviewStateError(
                "You submitted your ratings at "
                f"{review.collaborative.local_time_text(sheet.submitted_at)}: they can no "
                "longer change."
            )
        if review.status == ReviewStatus.PLANNED and not _rates_alone(review):
            _move(review, ReviewStatus.PLANNED, ReviewStatus.IN_PROGRESS)
        review.refresh_from_db()
        if review.status != ReviewStatus.IN_PROGRESS:
            raise ReviewStateError(
                f"The review is {review.get_status_display().lower()}: ratings are "
                "recorded as the consensus now."
                if review.status in (ReviewStatus.RECONCILING, ReviewStatus.DRAFT_REPORT)
                else f"The review is {review.get_status_display().lower()}: it takes no "
                "more ratings."
            )
        if version is not None and version != sheet.version:
            raise ReviewStale("Your rating sheet", sheet.version)
        existing = {r.item_id: r for r in ReviewerRating.objects.filter(reviewer=sheet)}
        given = set()
        for key, entry in ratings.items():
            item = items[key]
            given.add(item.pk)
            row = existing.get(item.pk) or ReviewerRating(
                collaborative=review.collaborative,
                agency=review.agency,
                review=review,
                reviewer=sheet,
                item=item,
            )
            rating, evidence = entry.get("rating"), (entry.get("evidence") or "").strip()
            if row._state.adding or (row.rating, row.evidence) != (rating, evidence):
                row.rating, row.evidence = rating, evidence
                row.save()
        if replace:
            for item_id, row in existing.items():
                if item_id not in given:
                    row.delete()
        ReviewReviewer.objects.filter(pk=sheet.pk).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        sheet.refresh_from_db()
    return sheet


def my_ratings_submit(*, user: User, review: FidelityReview) -> ReviewReviewer:
    """Hand in the user's own ratings (every item rated). Once every reviewer has, the
    review moves to reconciling and the reviewers read each other's ratings."""
    with transaction.atomic():
        # The review's row is the lock: two reviewers submitting at once are serialised,
        # so the last of them sees every sheet in and opens the reconciliation.
        review = FidelityReview.objects.select_for_update().get(pk=review.pk)
        sheet = _own_sheet(user, review, lock=True)
        if sheet.submitted_at is not None:
            raise ReviewStateError(
                "You already submitted your ratings at "
                f"{review.collaborative.local_time_text(sheet.submitted_at)}."
            )
        if review.status != ReviewStatus.IN_PROGRESS:
            raise ReviewStateError(
                f"The review is {review.get_status_display().lower()}: there are no "
                "independent ratings to submit."
            )
        rated = set(
            ReviewerRating.objects.filter(reviewer=sheet, rating__isnull=False).values_list(
                "item_id", flat=True
            )
        )
        missing = [i for i in _items(review.scale) if i.pk not in rated]
        if missing:
            names = ", ".join(i.label for i in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise ValidationError(
                {
                    "ratings": [
                        f"Rate every item before you submit: {len(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} not rated ({names}{more})."
                    ]
                }
            )
        now = timezone.now()
        ReviewReviewer.objects.filter(pk=sheet.pk, submitted_at__isnull=True).update(
            submitted_at=now, version=F("version") + 1, updated_at=now
        )
        sheet.refresh_from_db()
        waiting = ReviewReviewer.objects.filter(
            collaborative=review.collaborative, review=review, submitted_at__isnull=True
        ).exists()
        if not waiting:
            _move(review, ReviewStatus.IN_PROGRESS, ReviewStatus.RECONCILING)
    return sheet


# --------------------------------------------------------------------------------------------
# Consensus, scores, final
# --------------------------------------------------------------------------------------------


def _recompute_scores(review: FidelityReview) -> dict[str, Any]:
    """The review's total, band and section subtotals from its consensus (the scale's
    scoring rules in :mod:`fidelity.scoring`), as the review's columns keep them."""
    scale = FidelityScale.objects.prefetch_related("sections__items", "bands").get(
        pk=review.scale_id
    )
    ratings = dict(ConsensusRating.objects.filter(review=review).values_list("item__key", "rating"))
    found = scoring.score(scoring.shape_from_scale(scale), ratings)
    return {
        "total": found.total,
        "band": found.band.key if found.band else "",
        "section_totals": {
            s.key: {
                "name": s.name,
                "total": s.subtotal,
                "rated": s.rated,
                "items": s.item_count,
                "band": s.band.key if s.band else None,
            }
            for s in found.sections
        },
    }


def consensus_save(
    *,
    user: User,
    review: FidelityReview,
    ratings: Mapping[str, Mapping[str, Any]],
    version: int | None,
    replace: bool = False,
) -> FidelityReview:
    """Record consensus ratings: ``{item_key: {"rating": 1-5, "rationale": "...",
    "strengths": "...", "recommendations": "..."}}``. With ``replace`` the consensus becomes
    exactly that; else the items given are set. A consensus rating needs a rating. Updates
    the review's total, band and subtotals; a draft report whose consensus is no longer
    complete goes back to reconciling."""
    _require_score(user, review)
    scale = review.scale
    items = {i.key: i for i in _items(scale)}
    _check_ratings(scale, items, ratings, "rationale")
    errors: dict[str, list[str]] = {}
    unrated = [
        items[k].label
        for k, e in ratings.items()
        if k in items and isinstance(e, Mapping) and e.get("rating") is None
    ]
    if unrated:
        errors.setdefault("ratings", []).append(
            f"A consensus needs a rating: {', '.join(unrated)} has none."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FidelityReview.objects.select_for_update().get(pk=review.pk)
        if locked.status not in (ReviewStatus.RECONCILING, ReviewStatus.DRAFT_REPORT):
            raise ReviewStateError(
                "The consensus opens once every reviewer has submitted their ratings."
                if locked.status in (ReviewStatus.PLANNED, ReviewStatus.IN_PROGRESS)
                else "The review is final: its consensus can no longer change."
            )
        if version is not None and version != locked.version:
            raise ReviewStale("The review's consensus", locked.version)
        existing = {c.item_id: c for c in ConsensusRating.objects.filter(review=locked)}
        given = set()
        for key, entry in ratings.items():
            item = items[key]
            given.add(item.pk)
            row = existing.get(item.pk) or ConsensusRating(
                collaborative=locked.collaborative, agency=locked.agency, review=locked, item=item
            )
            values = (
                entry["rating"],
                (entry.get("rationale") or "").strip(),
                (entry.get("strengths") or "").strip(),
                (entry.get("recommendations") or "").strip(),
            )
            if (
                row._state.adding
                or (
                    row.rating,
                    row.rationale,
                    row.strengths,
                    row.recommendations,
                )
                != values
            ):
                row.rating, row.rationale, row.strengths, row.recommendations = values
                row.save()
        if replace:
            for item_id, row in existing.items():
                if item_id not in given:
                    row.delete()
        scores = _recompute_scores(locked)
        status = locked.status
        if status == ReviewStatus.DRAFT_REPORT and scores["total"] is None:
            status = ReviewStatus.RECONCILING
        FidelityReview.objects.filter(pk=locked.pk).update(
            version=F("version") + 1, updated_at=timezone.now(), status=status, **scores
        )
        locked.refresh_from_db()
    return locked


def consensus_complete(*, user: User, review: FidelityReview) -> FidelityReview:
    """Close the reconciliation (every item has a consensus rating): the report is next."""
    _require_score(user, review)
    if review.status == ReviewStatus.RECONCILING:
        missing = _recompute_scores(review)["total"] is None
        if missing:
            rated = set(
                ConsensusRating.objects.filter(review=review).values_list("item_id", flat=True)
            )
            left = [i.label for i in _items(review.scale) if i.pk not in rated]
            raise ValidationError(
                {
                    "ratings": [
                        f"Record a consensus rating for every item first: {len(left)} "
                        f"left ({', '.join(left[:5])}{' and more' if len(left) > 5 else ''})."
                    ]
                }
            )
    if not _move(review, ReviewStatus.RECONCILING, ReviewStatus.DRAFT_REPORT):
        review.refresh_from_db()
        raise ReviewStateError(
            f"The review is {review.get_status_display().lower()}, not reconciling."
        )
    return review


def review_finalize(
    *,
    user: User,
    review: FidelityReview,
    summary: str | None = None,
    version: int | None,
    send_email: bool = True,
) -> FidelityReview:
    """Make the report final (read-only). Needs every consensus rating and an overall
    summary; ``summary``, when given, is saved with it. One of two people finalizing at
    once wins; the other is told. The report is rendered by a worker and (with
    ``send_email``) emailed to the agency's supervisors, leaders and VR liaisons."""
    _require_score(user, review)
    with transaction.atomic():
        locked = FidelityReview.objects.select_for_update().get(pk=review.pk)
        if version is not None and version != locked.version:
            raise ReviewStale("The review", locked.version)
        text = (summary if summary is not None else locked.summary).strip()
        if locked.status == ReviewStatus.DRAFT_REPORT and not text:
            raise ValidationError({"summary": ["Write the overall summary of the report."]})
        if len(text) > 10000:
            raise ValidationError(
                {
                    "summary": [
                        f"The summary is at most 10,000 characters (you entered {len(text):,})."
                    ]
                }
            )
        now = timezone.now()
        if not _move(
            locked,
            ReviewStatus.DRAFT_REPORT,
            ReviewStatus.FINAL,
            summary=text,
            finalized_at=now,
            finalized_by=user,
        ):
            locked.refresh_from_db()
            raise ReviewStateError(
                f"{locked.finalized_by.display_name if locked.finalized_by else 'Someone'} "
                "finalized this review already."
                if locked.status == ReviewStatus.FINAL
                else f"The review is {locked.get_status_display().lower()}: finalize it once "
                "its consensus is complete."
            )
        _publish_and_send(user=user, review=locked, send_email=send_email)
    review.refresh_from_db()
    return review


def _publish_and_send(*, user: User, review: FidelityReview, send_email: bool) -> int:
    """The final report: rendered once by a worker (a record document of this version), and
    its email to the agency's supervisors, leaders and VR liaisons put in the outbox (sent
    once the PDF is ready, outside this transaction)."""
    from fidelity.deliveries import report_recipients
    from fidelity.reports import REPORT_KIND
    from fidelity.selectors_reviews import visit_days

    title = f"Fidelity report: {review.agency.name}, {visit_days(review)}"
    document = record_document_publish(
        kind=REPORT_KIND, record=review, version=review.version, title=title, user=user
    )
    count = 0
    for membership in report_recipients(review) if send_email else []:
        recipient = membership.user
        delivery_enqueue(
            collaborative=review.collaborative,
            agency=review.agency,
            kind=REPORT_KIND,
            subject_id=review.pk,
            subject_label=title,
            recipient_email=recipient.email,
            recipient_user=recipient,
            recipient_name=recipient.display_name,
            stage=f"final-v{review.version}",
            dedupe_key=f"{REPORT_KIND}:{review.pk}:v{review.version}:{recipient.email.lower()}",
            document=document,
            created_by=user,
        )
        count += 1
    return count

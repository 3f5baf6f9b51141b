"""Access to fidelity scales and reviews.

A scale is reference material, not a record about an agency: the standard scales are read
by every member of a collaborative, and a collaborative's adapted scale by its own members.

A review is a record about an agency, read through the matrix's fidelity actions. Its
reviewers' own ratings are a kind of object of their own (``fidelity_ratings_view``), so
that independent scoring holds in every query: pages, API, PDFs and exports all read them
through :func:`visible_ratings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Collaborative, Membership
from ipsportal.access.matrix import Action, Grant, roles_holding
from ipsportal.access.objects import parse_uuid
from ipsportal.access.scope import agencies_with_roles, can, collaboratives_of, may, refuse, rows

if TYPE_CHECKING:
    from fidelity.models import (
        ConsensusRating,
        FidelityReview,
        FidelityScale,
        ReviewerRating,
        ReviewReviewer,
    )
    from ipsportal.models import User


def fidelity_scales_in_scope(user: User) -> QuerySet[FidelityScale]:
    """Fidelity scale versions the user may read: the standard ones, and the adapted scales
    of the collaboratives the user belongs to (nothing for someone who belongs nowhere)."""
    from fidelity.models import FidelityScale

    own = list(collaboratives_of(user).values_list("pk", flat=True))
    if not own:
        return FidelityScale.objects.none()
    return FidelityScale.objects.filter(Q(collaborative__isnull=True) | Q(collaborative_id__in=own))


def access_fidelity_scale(user: User, scale_id) -> FidelityScale:
    """A fidelity scale version the user may read (else 404)."""
    scale = fidelity_scales_in_scope(user).filter(pk=parse_uuid(scale_id)).first()
    if scale is None:
        raise Http404("No such fidelity scale.")
    return scale


# --------------------------------------------------------------------------------------------
# Fidelity reviews
# --------------------------------------------------------------------------------------------


def fidelity_review_agencies(
    user: User, collaborative: Collaborative | None = None, *, plan: bool = False
) -> QuerySet[Agency]:
    """Agencies whose fidelity reviews the user may read in some form, or with ``plan``
    those where the user may plan reviews (state admins: the score right without condition)."""
    if plan:
        roles = roles_holding(Action.FIDELITY_SCORE, Grant.ALWAYS)
    else:
        roles = roles_holding(Action.FIDELITY_VIEW)
    return agencies_with_roles(user, roles, collaborative)


def reviews_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet:
    """Fidelity reviews the user may read, the conditions in the query: every review of
    their agencies for admins, trainers and reviewers; final reviews only for VR liaisons
    and agency staff."""
    from fidelity.models import FidelityReview

    return rows(user, Action.FIDELITY_VIEW, FidelityReview, collaborative)


@dataclass(frozen=True)
class ReviewAccess:
    """A fidelity review and what the user may do with it."""

    review: FidelityReview
    #: Reconcile, write the report, finalize: admins, and the review's own reviewers.
    can_score: bool
    #: The user's own rating sheet on the review (they are one of its reviewers), or None.
    sheet: ReviewReviewer | None

    @property
    def can_rate(self) -> bool:
        """Rate items on one's own sheet: a reviewer of the review who has not submitted,
        while the review is planned or in progress."""
        from fidelity.models import ReviewStatus

        return (
            self.sheet is not None
            and self.sheet.submitted_at is None
            and self.review.status in (ReviewStatus.PLANNED, ReviewStatus.IN_PROGRESS)
        )

    @property
    def can_reconcile(self) -> bool:
        from fidelity.models import ReviewStatus

        return self.can_score and self.review.status in (
            ReviewStatus.RECONCILING,
            ReviewStatus.DRAFT_REPORT,
        )


def access_review(user: User, review_id, *, score: bool = False) -> ReviewAccess:
    """A fidelity review the user may read, with what they may do with it (one query for
    the review and the right, one for the user's own sheet).

    Else 404, or 403 for a final review of an agency the user reaches but whose reviews
    their role may not read: reviews before final are outside the scope of final-only
    readers. With ``score``, 403 unless the user may score, reconcile and finalize it."""
    from fidelity.models import FidelityReview, ReviewReviewer

    pk = parse_uuid(review_id)
    review = (
        reviews_in_scope(user)
        .select_related("agency", "agency__collaborative", "collaborative", "scale")
        .annotate(_may_score=may(user, Action.FIDELITY_SCORE, FidelityReview))
        .filter(pk=pk)
        .first()
    )
    if review is None:
        refuse(user, Action.FIDELITY_VIEW, FidelityReview, pk)
    sheet = ReviewReviewer.objects.filter(
        collaborative_id=review.collaborative_id, review=review, user=user
    ).first()
    found = ReviewAccess(review=review, can_score=review._may_score, sheet=sheet)
    if score and not found.can_score:
        raise PermissionDenied(Action.FIDELITY_SCORE.refusal())
    return found


def review_reviewers(user: User, review: FidelityReview) -> QuerySet[ReviewReviewer]:
    """The reviewers of a review the user may read, with their accounts."""
    from fidelity.models import ReviewReviewer

    return (
        rows(user, Action.FIDELITY_VIEW, ReviewReviewer)
        .filter(review=review)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def visible_ratings(user: User, review: FidelityReview) -> QuerySet[ReviewerRating]:
    """The reviewers' own ratings of a review that the user may read: their own at any
    time; the others' only once every reviewer has submitted (never for anyone else)."""
    from fidelity.models import ReviewerRating

    return rows(user, Action.FIDELITY_RATINGS_VIEW, ReviewerRating).filter(review=review)


def review_consensus(user: User, review: FidelityReview) -> QuerySet[ConsensusRating]:
    """The consensus ratings of a review the user may read."""
    from fidelity.models import ConsensusRating

    return rows(user, Action.FIDELITY_VIEW, ConsensusRating).filter(review=review)


def reviewer_candidates(user: User, agency: Agency) -> QuerySet[Membership]:
    """Who may be named a reviewer of the agency's reviews: active state trainers and
    fidelity reviewers assigned to the agency; only for users who may plan its reviews."""
    if not can(user, Action.FIDELITY_SCORE, agency=agency):
        return Membership.objects.none()
    return (
        Membership.objects.filter(
            collaborative_id=agency.collaborative_id,
            is_active=True,
            user__is_active=True,
            role__in=sorted(roles_holding(Action.FIDELITY_SCORE, Grant.IF_ASSIGNED_REVIEWER)),
            agencies=agency,
        )
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )

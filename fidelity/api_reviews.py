"""The fidelity reviews API: ``/api/v1/fidelity-reviews/``. Planning a review, each
reviewer's own rating sheet (hidden from the others until every reviewer has submitted),
the consensus, and the final report: the same access package and services as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from fidelity import services
from fidelity.models import FidelityReview, ReviewKind, ReviewReviewer, ReviewStatus
from fidelity.services.reviews import EVIDENCE_LIMIT
from ipsportal import access
from ipsportal.access import Action
from ipsportal.api import (
    VERSION_ETAG,
    ConcurrencyMixin,
    Conflict,
    FilterSet,
    PreconditionFailed,
    Unprocessable,
)
from ipsportal.api_schema import error_responses

# --------------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------------


def _entries_schema(properties: dict, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": {"type": "object", "properties": properties},
        "example": {
            "caseload_size": {key: value.get("example") for key, value in properties.items()}
        },
    }


def _text(description: str, example: str) -> dict:
    return {
        "type": "string",
        "maxLength": EVIDENCE_LIMIT,
        "description": description,
        "example": example,
    }


SHEET_ENTRY = {
    "rating": {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "nullable": True,
        "description": "From the scale's lowest to its highest rating (1-5 on the 25-item "
        "scale); null while not rated.",
        "example": 4,
    },
    "evidence": _text("What the reviewer saw or was told.", "Caseloads of 18 to 20."),
}
CONSENSUS_ENTRY = {
    "rating": {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "description": "The agreed rating (required for every item sent).",
        "example": 4,
    },
    "rationale": _text("Why the reviewers agreed on it.", "Both saw caseloads under 20."),
    "strengths": _text("What the report praises on the item.", "Small caseloads."),
    "recommendations": _text("What the report recommends on the item.", "Keep them small."),
}


@extend_schema_field(
    _entries_schema(
        SHEET_ENTRY, "The caller's ratings by item key (the keys of the review's scale)."
    )
)
class SheetRatingsField(serializers.DictField):
    """``{item_key: {"rating", "evidence"}}``: the service checks each entry, with messages
    that name the item."""


@extend_schema_field(_entries_schema(CONSENSUS_ENTRY, "The consensus ratings by item key."))
class ConsensusRatingsField(serializers.DictField):
    """``{item_key: {"rating", "rationale", "strengths", "recommendations"}}``."""


class FidelityReviewSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    scale = serializers.UUIDField(
        source="scale_id", read_only=True, help_text="The scale version the review is scored on."
    )
    reviewers = serializers.SerializerMethodField(help_text="The reviewers' email addresses.")
    total = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The consensus total; null until every item has a consensus rating.",
    )
    band = serializers.CharField(
        read_only=True, help_text='The key of the total\'s band (e.g. "good"); empty without one.'
    )
    section_totals = serializers.JSONField(
        read_only=True,
        help_text="By section key: its name, subtotal (null until complete), items rated, "
        "number of items, and band key (subscales) or null.",
    )
    finalized_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = FidelityReview
        fields = [
            "id",
            "agency",
            "scale",
            "kind",
            "visit_start",
            "visit_end",
            "reviewers",
            "status",
            "total",
            "band",
            "section_totals",
            "summary",
            "version",
            "created_at",
            "finalized_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.EmailField()))
    def get_reviewers(self, review) -> list[str]:
        return [r.user.email for r in review.reviewers.all()]


class ReviewCreateSerializer(serializers.Serializer):
    agency = serializers.UUIDField(help_text="The agency reviewed (outside your scope: 404).")
    scale = serializers.UUIDField(help_text="A fidelity scale version offered for new reviews.")
    kind = serializers.ChoiceField(choices=ReviewKind.choices)
    visit_start = serializers.DateField(help_text="The first day of the visit.")
    visit_end = serializers.DateField(help_text="The last day of the visit.")
    reviewers = serializers.ListField(
        child=serializers.EmailField(),
        allow_empty=True,
        required=False,
        default=list,
        help_text="The reviewers' email addresses: state trainers or fidelity reviewers "
        "assigned to the agency (usually two; none for a self-assessment).",
    )


class RatingSheetSerializer(serializers.Serializer):
    """The caller's own rating sheet."""

    ratings = SheetRatingsField(child=serializers.JSONField())
    submitted_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the reviewer handed it in (then final)."
    )
    version = serializers.IntegerField(read_only=True, help_text="The sheet's version (ETag).")


class ReviewerSheetSerializer(serializers.Serializer):
    reviewer = serializers.EmailField(help_text="The reviewer's email address.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    ratings = SheetRatingsField(child=serializers.JSONField())


class ReviewConsensusSerializer(serializers.Serializer):
    ratings = ConsensusRatingsField(child=serializers.JSONField())
    version = serializers.IntegerField(read_only=True, help_text="The review's version (ETag).")


class ReviewFinalizeSerializer(serializers.Serializer):
    summary = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The report's overall summary (left out: the one already saved).",
    )


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


class FidelityReviewFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    status = filters.ChoiceFilter(choices=ReviewStatus.choices)
    kind = filters.ChoiceFilter(choices=ReviewKind.choices)
    visit_after = filters.DateFilter(
        field_name="visit_start", lookup_expr="gte", label="Visit starting on or after"
    )
    visit_before = filters.DateFilter(
        field_name="visit_start", lookup_expr="lte", label="Visit starting on or before"
    )

    class Meta:
        model = FidelityReview
        fields = ["agency", "status", "kind", "visit_after", "visit_before"]


SHEET_WRITE = (
    "Your own sheet, as a reviewer of the review (anyone else: 403). The sheet becomes "
    "exactly what you send: items left out are cleared. Send the sheet's ETag (from a read) "
    "in If-Match: if the sheet changed since (in another tab, say), the answer is 412 and "
    "nothing is written; without If-Match, 428. A submitted sheet no longer changes (409). "
    "Item keys and the rating range are the review's scale's: others answer 422."
)
CONSENSUS_WRITE = (
    "Admins and the review's reviewers, once every reviewer has submitted (before: 409). "
    "The consensus becomes exactly what you send; every item sent needs a rating. Send the "
    "review's ETag in If-Match (412 when someone changed the review since, 428 without). "
    "Item keys and the rating range are the review's scale's: others answer 422."
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    required=True,
    pattern=f"^{VERSION_ETAG}$",
    description="The version you read: send it back in If-Match to change it.",
)


def _conflict(exc: ValidationError) -> Conflict:
    return Conflict.from_validation(exc, " ".join(exc.messages))


@extend_schema_view(
    list=extend_schema(
        summary="Fidelity reviews you may read",
        description="Admins, trainers and fidelity reviewers of an agency read all its "
        "reviews; VR liaisons and agency staff read final reviews only.",
    ),
    retrieve=extend_schema(
        summary="One fidelity review (its ETag in the ETag header)",
        responses={
            200: FidelityReviewSerializer,
            **error_responses(
                e403="A final review of an agency you reach, which your role may not read"
            ),
        },
    ),
    create=extend_schema(
        summary="Plan a fidelity review (state admins)",
        request=ReviewCreateSerializer,
        responses={201: FidelityReviewSerializer},
    ),
)
class FidelityReviewViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FidelityReviewSerializer
    filterset_class = FidelityReviewFilter
    lookup_value_converter = "uuid"
    etag_pattern = VERSION_ETAG
    if_match_actions = ("my_ratings_replace", "consensus_replace", "finalize")

    def get_queryset(self):
        return (
            access.reviews_in_scope(self.request.user)
            .prefetch_related(
                Prefetch(
                    "reviewers",
                    queryset=ReviewReviewer.objects.select_related("user").order_by("user__email"),
                )
            )
            .order_by("-visit_start", "-created_at", "id")
        )

    def get_serializer_class(self):
        return {
            "create": ReviewCreateSerializer,
            "my_ratings": RatingSheetSerializer,
            "my_ratings_replace": RatingSheetSerializer,
            "ratings": ReviewerSheetSerializer,
            "consensus": ReviewConsensusSerializer,
            "consensus_replace": ReviewConsensusSerializer,
            "finalize": ReviewFinalizeSerializer,
        }.get(self.action, FidelityReviewSerializer)

    def _found(self, *, score: bool = False) -> access.ReviewAccess:
        return access.access_review(self.request.user, self.kwargs["pk"], score=score)

    def get_object(self):
        return self.get_queryset().get(pk=self._found().review.pk)

    def _read(self, review, code=status.HTTP_200_OK) -> Response:
        found = self.get_queryset().get(pk=review.pk)
        self.tag_response(found)
        return Response(FidelityReviewSerializer(found).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        agency = access.access_agency(user, data["agency"]).agency
        if not access.fidelity_review_agencies(user, plan=True).filter(pk=agency.pk).exists():
            raise exceptions.PermissionDenied(Action.FIDELITY_SCORE.refusal())
        scale = access.fidelity_scales_in_scope(user).filter(pk=data["scale"]).first()
        candidates = {
            m.user.email.lower(): m.user for m in access.reviewer_candidates(user, agency)
        }
        unknown = [e for e in data["reviewers"] if e.lower() not in candidates]
        if unknown:
            raise serializers.ValidationError(
                {
                    "reviewers": [
                        f"No state trainer or fidelity reviewer assigned to {agency.name} has "
                        f"the address {', '.join(unknown)}."
                    ]
                }
            )
        review = services.review_create(
            user=user,
            agency=agency,
            scale=scale,
            kind=data["kind"],
            visit_start=data["visit_start"],
            visit_end=data["visit_end"],
            reviewers=[candidates[e.lower()] for e in data["reviewers"]],
        )
        return self._read(review, status.HTTP_201_CREATED)

    # A review changes through its actions below, never as a whole: no PUT on it (the
    # router maps no method to a missing action, so Allow does not offer one either).
    update = None

    # -- the review's life --------------------------------------------------------------------

    @extend_schema(
        summary="Start a planned review",
        description="Opens the independent ratings, or the consensus straight away for a "
        "self-assessment or a single reviewer. Admins and the review's reviewers; a review "
        "that is no longer planned answers 409.",
        request=None,
        parameters=[ETAG_HEADER],
        responses={200: FidelityReviewSerializer, **error_responses(409)},
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        review = self._found(score=True).review
        try:
            review = services.review_start(user=request.user, review=review)
        except services.ReviewStateError as exc:
            raise _conflict(exc) from None
        return self._read(review)

    @extend_schema(
        summary="Finalize the report: read-only from now on",
        description="Admins and the review's reviewers, once the consensus is complete and "
        "with an overall summary. Send the review's ETag in If-Match. Of two people "
        "finalizing at once one wins; the other is answered 409.",
        request=ReviewFinalizeSerializer,
        responses={200: FidelityReviewSerializer, **error_responses(409)},
    )
    @action(detail=True, methods=["post"])
    def finalize(self, request, pk=None):
        review = self._found(score=True).review
        expected = self.expected_version()
        serializer = ReviewFinalizeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if review.is_final:
            raise Conflict("This review is final already.")
        try:
            review = services.review_finalize(
                user=request.user,
                review=review,
                summary=serializer.validated_data.get("summary"),
                version=expected,
            )
        except services.ReviewStale as exc:
            review.refresh_from_db()
            if review.is_final:
                raise Conflict("Someone finalized this review a moment ago.") from None
            raise PreconditionFailed(exc.message) from None
        except services.ReviewStateError as exc:
            raise _conflict(exc) from None
        return self._read(review)

    # -- the caller's own sheet ---------------------------------------------------------------

    def _own_sheet(self, *, review_access=None) -> tuple[FidelityReview, ReviewReviewer]:
        found = review_access or self._found()
        if found.sheet is None:
            raise exceptions.PermissionDenied(
                "Only the review's reviewers rate it on their own sheets. If you should be "
                "one, ask a state admin of your collaborative to add you to the review."
            )
        return found.review, found.sheet

    def _sheet_read(self, review, sheet) -> Response:
        rows = (
            access.visible_ratings(self.request.user, review)
            .filter(reviewer=sheet)
            .select_related("item")
            .order_by("item__number")
        )
        self.tag_response(sheet)
        body = {
            "ratings": {r.item.key: {"rating": r.rating, "evidence": r.evidence} for r in rows},
            "submitted_at": sheet.submitted_at,
            "version": sheet.version,
        }
        return Response(RatingSheetSerializer(body).data)

    @extend_schema(
        summary="Your own rating sheet of the review (its ETag in the ETag header)",
        description="Only the review's reviewers have one (anyone else: 403).",
        parameters=[ETAG_HEADER],
        responses={
            200: RatingSheetSerializer,
            **error_responses(e403="You are not a reviewer of this review"),
        },
    )
    @action(detail=True, methods=["get"], url_path="my-ratings", url_name="my-ratings")
    def my_ratings(self, request, pk=None):
        review, sheet = self._own_sheet()
        return self._sheet_read(review, sheet)

    @extend_schema(
        summary="Replace your own rating sheet",
        description=SHEET_WRITE,
        request=RatingSheetSerializer,
        responses={
            200: RatingSheetSerializer,
            **error_responses(
                409, e422="An item key the review's scale lacks, or a rating outside its range"
            ),
        },
    )
    @my_ratings.mapping.put
    def my_ratings_replace(self, request, pk=None):
        review, sheet = self._own_sheet()
        expected = self.expected_version()
        serializer = RatingSheetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            sheet = services.my_ratings_save(
                user=request.user,
                review=review,
                ratings=serializer.validated_data["ratings"],
                version=expected,
                replace=True,
            )
        except services.ReviewStale as exc:
            raise PreconditionFailed(exc.message) from None
        except services.ReviewStateError as exc:
            raise _conflict(exc) from None
        except services.RatingsNotOnScale as exc:
            raise Unprocessable.from_validation(exc, " ".join(exc.messages)) from None
        return self._sheet_read(review, sheet)

    @extend_schema(
        summary="Hand in your own ratings (every item rated)",
        description="Once every reviewer has, the review moves to reconciling and the "
        "reviewers read each other's ratings. Unrated items answer 400 (named); a sheet "
        "already handed in, 409.",
        request=None,
        parameters=[ETAG_HEADER],
        responses={
            200: RatingSheetSerializer,
            **error_responses(409, e400="Items left unrated (named in `fields`)"),
        },
    )
    @action(
        detail=True, methods=["post"], url_path="my-ratings/submit", url_name="my-ratings-submit"
    )
    def my_ratings_submit(self, request, pk=None):
        review, sheet = self._own_sheet()
        try:
            sheet = services.my_ratings_submit(user=request.user, review=review)
        except services.ReviewStateError as exc:
            raise _conflict(exc) from None
        return self._sheet_read(review, sheet)

    @extend_schema(
        summary="The reviewers' own ratings that you may read",
        description="Until every reviewer has submitted, a reviewer reads only their own "
        "sheet and nobody else reads any; from then on, every sheet.",
        responses={200: ReviewerSheetSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def ratings(self, request, pk=None):
        review = self._found().review
        rows = (
            access.visible_ratings(request.user, review)
            .select_related("reviewer__user", "item")
            .order_by("reviewer__user__email", "item__number")
        )
        sheets: dict = {}
        for row in rows:
            sheet = sheets.setdefault(
                row.reviewer_id,
                {
                    "reviewer": row.reviewer.user.email,
                    "submitted_at": row.reviewer.submitted_at,
                    "ratings": {},
                },
            )
            sheet["ratings"][row.item.key] = {"rating": row.rating, "evidence": row.evidence}
        return Response(ReviewerSheetSerializer(list(sheets.values()), many=True).data)

    # -- the consensus ------------------------------------------------------------------------

    def _consensus_read(self, review) -> Response:
        rows = (
            access.review_consensus(self.request.user, review)
            .select_related("item")
            .order_by("item__number")
        )
        self.tag_response(review)
        return Response(
            ReviewConsensusSerializer(
                {
                    "ratings": {
                        r.item.key: {
                            "rating": r.rating,
                            "rationale": r.rationale,
                            "strengths": r.strengths,
                            "recommendations": r.recommendations,
                        }
                        for r in rows
                    },
                    "version": review.version,
                }
            ).data
        )

    @extend_schema(
        summary="The review's consensus (the review's ETag in the ETag header)",
        parameters=[ETAG_HEADER],
        responses={200: ReviewConsensusSerializer},
    )
    @action(detail=True, methods=["get"])
    def consensus(self, request, pk=None):
        return self._consensus_read(self._found().review)

    @extend_schema(
        summary="Replace the review's consensus",
        description=CONSENSUS_WRITE,
        request=ReviewConsensusSerializer,
        responses={
            200: ReviewConsensusSerializer,
            **error_responses(
                409, e422="An item key the review's scale lacks, or a rating outside its range"
            ),
        },
    )
    @consensus.mapping.put
    def consensus_replace(self, request, pk=None):
        review = self._found(score=True).review
        expected = self.expected_version()
        serializer = ReviewConsensusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            review = services.consensus_save(
                user=request.user,
                review=review,
                ratings=serializer.validated_data["ratings"],
                version=expected,
                replace=True,
            )
        except services.ReviewStale as exc:
            raise PreconditionFailed(exc.message) from None
        except services.ReviewStateError as exc:
            raise _conflict(exc) from None
        except services.RatingsNotOnScale as exc:
            raise Unprocessable.from_validation(exc, " ".join(exc.messages)) from None
        return self._consensus_read(review)

    @extend_schema(
        summary="Close the reconciliation: the report is next",
        description="Every item needs a consensus rating (else 400 naming what is left); a "
        "review that is not reconciling answers 409.",
        request=None,
        parameters=[ETAG_HEADER],
        responses={
            200: FidelityReviewSerializer,
            **error_responses(409, e400="Items without a consensus rating (in `fields`)"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="consensus/complete",
        url_name="consensus-complete",
    )
    def consensus_complete(self, request, pk=None):
        review = self._found(score=True).review
        try:
            review = services.consensus_complete(user=request.user, review=review)
        except services.ReviewStateError as exc:
            raise _conflict(exc) from None
        return self._read(review)


def register(router) -> None:
    router.register("fidelity-reviews", FidelityReviewViewSet, basename="fidelity-review")

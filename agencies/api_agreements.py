"""The training and TA agreement API: an agency's agreement versions with their signatures,
drafting a version (the first, or the next after a signed one), changing a version without
signatures, and signing a line. The same access package and services as the pages."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agencies import services
from agencies.agreements import MAX_MONTHS, MAX_TRAINING_DAYS
from agencies.models import EmployerVisitFrequency, SignerRole, TAAgreement, TASignature
from agencies.selectors_agreements import AgreementState
from ipsportal import access
from ipsportal.api import (
    ConcurrencyMixin,
    Conflict,
    FilterSet,
    PreconditionFailed,
    Unprocessable,
)
from ipsportal.api_schema import error_responses

WRITE_DESCRIPTION = (
    "Only a version without any signature can be changed (else 409: make a new version by "
    "POSTing to the list). Send the ETag of your last read in If-Match: if someone changed "
    "it since, the answer is 412 and nothing is written; without If-Match, 428."
)
STATUSES = [
    (AgreementState.DRAFT, "Draft: no signature yet"),
    (AgreementState.AWAITING, "Awaiting signatures"),
    (AgreementState.SIGNED, "Signed by all three lines"),
    (AgreementState.SUPERSEDED, "Superseded by a later version"),
]


def agreement_etag(agreement: TAAgreement) -> str:
    """The ETag of a version: its key and its last change (a signature changes it too).
    Its ``version`` field numbers the agreement's versions and does not change with edits,
    so it is not the ETag here."""
    changed = agreement.updated_at.isoformat() if agreement.updated_at else ""
    return f'"{hashlib.sha256(f"{agreement.pk}|{changed}".encode()).hexdigest()[:20]}"'


class TASignatureSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = TASignature
        fields = [
            "signer_role",
            "signer_name",
            "signed_at",
            "recorded_by",
            "on_behalf",
            "on_behalf_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recorded_by(self, signature) -> str | None:
        """The name of the person who recorded the signature."""
        user = signature.recorded_by
        return user.display_name if user is not None else None


@extend_schema_field(
    {
        "type": "number",
        "minimum": 0,
        "maximum": float(MAX_TRAINING_DAYS),
        "multipleOf": 0.5,
        "description": "Days in the first year, in half days (0 to 30).",
    }
)
class HalfDaysField(serializers.DecimalField):
    """A number of training days: 0 to 30 in half days, as the service accepts."""


def _days(**kwargs) -> serializers.DecimalField:
    return HalfDaysField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=MAX_TRAINING_DAYS,
        coerce_to_string=False,
        help_text="Days in the first year, in half days (0 to 30).",
        **kwargs,
    )


def _months(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0, max_value=MAX_MONTHS, help_text="Months from the start (0 to 24).", **kwargs
    )


class TAAgreementSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    start_date = serializers.DateField(help_text="The first month of the agreement.")
    es_training_days = _days()
    mh_training_days = _days()
    unit_meeting_months = _months()
    team_meeting_months = _months()
    employer_visits = serializers.ChoiceField(choices=EmployerVisitFrequency.choices)
    notes = serializers.CharField(max_length=4000, allow_blank=True)
    status = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField()
    signatures = TASignatureSerializer(many=True, read_only=True)

    class Meta:
        model = TAAgreement
        fields = [
            "id",
            "agency",
            "version",
            "start_date",
            "es_training_days",
            "mh_training_days",
            "unit_meeting_months",
            "team_meeting_months",
            "employer_visits",
            "steering_committee_quarterly",
            "outcome_reviews",
            "notes",
            "status",
            "is_current",
            "signed_at",
            "signatures",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "signed_at", "created_at", "updated_at"]

    @extend_schema_field(serializers.ChoiceField(choices=STATUSES))
    def get_status(self, agreement) -> str:
        if agreement._has_newer:
            return AgreementState.SUPERSEDED
        if agreement.signed_at is not None:
            return AgreementState.SIGNED
        return AgreementState.AWAITING if agreement._signed_count else AgreementState.DRAFT

    @extend_schema_field(serializers.BooleanField())
    def get_is_current(self, agreement) -> bool:
        return not agreement._has_newer


class TAAgreementCreateSerializer(TAAgreementSerializer):
    agency = serializers.UUIDField(
        help_text="The agency: its first version, or the next one after a version with "
        "signatures (prefilled from it; what you send replaces the prefill)."
    )
    start_date = serializers.DateField(required=False)
    es_training_days = _days(required=False)
    mh_training_days = _days(required=False)
    unit_meeting_months = _months(required=False)
    team_meeting_months = _months(required=False)
    employer_visits = serializers.ChoiceField(
        choices=EmployerVisitFrequency.choices, required=False
    )
    steering_committee_quarterly = serializers.BooleanField(required=False)
    outcome_reviews = serializers.BooleanField(required=False)
    notes = serializers.CharField(max_length=4000, allow_blank=True, required=False)


class TASignRequestSerializer(serializers.Serializer):
    signer_role = serializers.ChoiceField(choices=SignerRole.choices)
    signer_name = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text="Who signs; your own name when you sign as yourself and leave it empty.",
    )
    on_behalf_reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="State admins recording a line on the signer's behalf: why (required then).",
    )


class TAAgreementFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    status = filters.ChoiceFilter(choices=STATUSES, method="with_status")
    start_date_after = filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_date_before = filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = TAAgreement
        fields = ["agency", "status", "start_date_after", "start_date_before"]

    def with_status(self, queryset, name, value):
        if value == AgreementState.SUPERSEDED:
            return queryset.filter(_has_newer=True)
        current = queryset.filter(_has_newer=False)
        if value == AgreementState.SIGNED:
            return current.filter(signed_at__isnull=False)
        if value == AgreementState.AWAITING:
            return current.filter(signed_at__isnull=True, _signed_count__gt=0)
        return current.filter(_signed_count=0)


def _commitments(data: dict) -> dict:
    return {n: data[n] for n in services.COMMITMENT_FIELDS if n in data}


def _conflict(exc: ValidationError) -> Conflict:
    return Conflict.from_validation(exc, " ".join(exc.messages))


@extend_schema_view(
    list=extend_schema(summary="Training and TA agreement versions you may see"),
    retrieve=extend_schema(summary="One agreement version (its ETag in the ETag header)"),
    create=extend_schema(
        summary="Draft an agreement: version 1, or the next version after a signed one",
        request=TAAgreementCreateSerializer,
        responses={201: TAAgreementSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a version without signatures", description=WRITE_DESCRIPTION
    ),
    update=extend_schema(
        summary="Replace a version without signatures", description=WRITE_DESCRIPTION
    ),
)
class TAAgreementViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TAAgreementSerializer
    filterset_class = TAAgreementFilter
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        newer = TAAgreement.objects.filter(
            collaborative_id=OuterRef("collaborative_id"),
            agency_id=OuterRef("agency_id"),
            version__gt=OuterRef("version"),
        )
        return (
            access.agreements_in_scope(self.request.user)
            .annotate(
                _has_newer=Exists(newer),
                _signed_count=Count("signatures", distinct=True),
            )
            .prefetch_related(
                Prefetch(
                    "signatures",
                    queryset=TASignature.objects.select_related("recorded_by").order_by(
                        "signer_role"
                    ),
                )
            )
            .order_by("agency_id", "-version")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return TAAgreementCreateSerializer
        if self.action == "sign":
            return TASignRequestSerializer
        return TAAgreementSerializer

    def get_object(self):
        write = self.action in ("update", "partial_update")
        found = access.access_agreement(self.request.user, self.kwargs["pk"], write=write)
        return self.get_queryset().get(pk=found.agreement.pk)

    # The ETag of a version follows its last change (see agreement_etag).
    def precondition(self, obj, tag: str) -> None:
        if agreement_etag(obj) != tag:
            raise PreconditionFailed()

    def not_modified(self, obj):
        tag = agreement_etag(obj)
        sent = [
            t.strip().removeprefix("W/")
            for t in self.request.headers.get("If-None-Match", "").split(",")
        ]
        if tag in sent:
            return Response(status=304, headers={"ETag": tag})
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "_etag_object", None)
        if obj is not None and 200 <= response.status_code < 300:
            response["ETag"] = agreement_etag(obj)
        return response

    def _read(self, agreement, code=status.HTTP_200_OK) -> Response:
        found = self.get_queryset().get(pk=agreement.pk)
        self.tag_response(found)
        return Response(
            TAAgreementSerializer(found, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = TAAgreementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        found = access.access_agency_agreement(request.user, data.pop("agency"), write=True)
        try:
            agreement = services.agreement_create(
                user=request.user, agency=found.agency, **_commitments(data)
            )
        except services.AgreementStateError as exc:
            raise _conflict(exc) from None
        return self._read(agreement, status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        agreement = serializer.instance
        try:
            services.agreement_update(
                user=self.request.user,
                agreement=agreement,
                **_commitments(serializer.validated_data),
            )
        except services.AgreementStateError as exc:
            raise _conflict(exc) from None
        serializer.instance = self.get_queryset().get(pk=agreement.pk)

    @extend_schema(
        summary="Sign a line of the current version",
        description=(
            "An agency leader signs the executive director's line, a state admin the state "
            "MH line, a VR liaison assigned to the agency the state VR line; a state admin "
            "may record any line on the signer's behalf with a reason. A line signs once "
            "(409 when it is already signed); the third signature makes the version signed. "
            "A signature recorded on the signer's behalf needs signer_name and "
            "on_behalf_reason: which lines a caller records on someone's behalf depends on "
            "the caller's role, so a missing one answers 422 naming the field."
        ),
        request=TASignRequestSerializer,
        responses={201: TAAgreementSerializer, **error_responses(409, 422)},
    )
    @action(detail=True, methods=["post"], url_path="signatures", url_name="signatures")
    def sign(self, request, pk=None):
        serializer = TASignRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = access.access_agreement(request.user, pk, sign=True)
        try:
            services.agreement_sign(
                user=request.user, agreement=found.agreement, **serializer.validated_data
            )
        except services.AgreementStateError as exc:
            raise _conflict(exc) from None
        except services.SignatureDetailsError as exc:
            raise Unprocessable.from_validation(exc, " ".join(exc.messages)) from None
        return self._read(found.agreement, status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("ta-agreements", TAAgreementViewSet, basename="ta-agreement")

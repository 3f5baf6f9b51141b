"""The TA activity log API: logged activities (CRUD, ETag/If-Match on every write) and an
agency's compliance with its current training and TA agreement. The same access package and
services as the pages."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from agencies import selectors_ta, services, ta_compliance
from agencies.models import TAActivity, TAActivityKind
from agencies.services.ta_activities import MAX_DURATION, MIN_DURATION
from ipsportal import access
from ipsportal.api import ConcurrencyMixin, FilterSet, IdFilter
from ipsportal.api_schema import error_responses

WRITE_DESCRIPTION = (
    "Send the ETag of your last read in If-Match: if someone changed the activity since, the "
    "answer is 412 and nothing is written; without If-Match, 428."
)


class TAActivitySerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(
        source="agency_id", help_text="The agency the activity was for (required when logging)."
    )
    date = serializers.DateField(
        help_text="The collaborative's today or earlier, and in 2000 or later."
    )
    kind = serializers.ChoiceField(choices=TAActivityKind.choices)
    duration_minutes = serializers.IntegerField(
        min_value=MIN_DURATION, max_value=MAX_DURATION, help_text="From 1 minute to 24 hours."
    )
    notes = serializers.CharField(max_length=4000, allow_blank=True, required=False)
    trainer = serializers.IntegerField(
        source="trainer_id",
        read_only=True,
        allow_null=True,
        help_text="The person who logged the activity (the `user.id` of a membership).",
    )

    class Meta:
        model = TAActivity
        fields = [
            "id",
            "agency",
            "date",
            "kind",
            "duration_minutes",
            "notes",
            "trainer",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class TAActivityUpdateSerializer(TAActivitySerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)


class TAActivityFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    kind = filters.ChoiceFilter(choices=TAActivityKind.choices)
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte")
    trainer = IdFilter(field_name="trainer_id", label="The user id of the trainer")

    class Meta:
        model = TAActivity
        fields = ["agency", "kind", "date_after", "date_before", "trainer"]


_FIELDS = ("date", "kind", "duration_minutes", "notes")


def _fields(data: dict, activity: TAActivity | None = None) -> dict:
    current = {n: getattr(activity, n) for n in _FIELDS} if activity else {"notes": ""}
    return {**current, **{n: data[n] for n in _FIELDS if n in data}}


@extend_schema_view(
    list=extend_schema(summary="Logged TA activities you may see, newest first"),
    retrieve=extend_schema(summary="One TA activity (its ETag in the ETag header)"),
    create=extend_schema(
        summary="Log a TA activity (state admins and trainers)",
        description="An agency outside your scope answers 404.",
    ),
    partial_update=extend_schema(summary="Change a TA activity", description=WRITE_DESCRIPTION),
    update=extend_schema(summary="Replace a TA activity", description=WRITE_DESCRIPTION),
    destroy=extend_schema(
        summary="Remove a TA activity from the log (its history keeps a record)",
        description=WRITE_DESCRIPTION,
    ),
)
class TAActivityViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TAActivitySerializer
    filterset_class = TAActivityFilter
    lookup_value_converter = "uuid"
    if_match_actions = ("destroy",)

    def get_queryset(self):
        return access.ta_activities_in_scope(self.request.user).order_by("-date", "-created_at")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return TAActivityUpdateSerializer
        return TAActivitySerializer

    def get_object(self):
        write = self.action in ("update", "partial_update", "destroy")
        return access.access_ta_activity(self.request.user, self.kwargs["pk"], write=write).activity

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            agency = access.access_ta_log(self.request.user, data.pop("agency_id"), write=True)
        except Http404:
            raise NotFound("No such agency.") from None
        serializer.instance = services.ta_activity_log(
            user=self.request.user, agency=agency.agency, **_fields(data)
        )
        self.tag_response(serializer.instance)

    def perform_update(self, serializer):
        activity = serializer.instance
        serializer.instance = services.ta_activity_update(
            user=self.request.user,
            activity=activity,
            **_fields(serializer.validated_data, activity),
        )

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            activity = self.get_object()
            tag = self.if_match()
            self.precondition(TAActivity.objects.select_for_update().get(pk=activity.pk), tag)
            services.ta_activity_remove(user=request.user, activity=activity)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------------------
# Compliance
# --------------------------------------------------------------------------------------------


class ComplianceCheckSerializer(serializers.Serializer):
    commitment = serializers.ChoiceField(
        choices=[ta_compliance.UNIT_MEETING, ta_compliance.TEAM_MEETING]
        + [ta_compliance.EMPLOYER_VISIT, ta_compliance.STEERING_COMMITTEE]
    )
    state = serializers.ChoiceField(
        choices=ta_compliance.STATES,
        help_text="held; missing (ended without one); in_progress; upcoming.",
    )
    dates = serializers.ListField(child=serializers.DateField(), help_text="When it was held.")
    block = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="[first, last] month numbers when judged over a block of three months.",
    )
    in_words = serializers.CharField()


class ComplianceMonthSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 is the month of the agreement's start.")
    first = serializers.DateField()
    last = serializers.DateField()
    state = serializers.ChoiceField(
        choices=[ta_compliance.ENDED, ta_compliance.IN_PROGRESS, ta_compliance.UPCOMING]
    )
    summary = serializers.CharField(help_text='E.g. "March 2026: unit meeting yes, ...".')
    checks = ComplianceCheckSerializer(many=True)


class ComplianceAgreementSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField()
    start_date = serializers.DateField()
    signed = serializers.BooleanField()
    signed_at = serializers.DateTimeField(allow_null=True)


class ComplianceSerializer(serializers.Serializer):
    agency = serializers.UUIDField()
    agreement = ComplianceAgreementSerializer(
        allow_null=True, help_text="The current (highest) version; null when there is none."
    )
    today = serializers.DateField(help_text="The collaborative's today.")
    months = ComplianceMonthSerializer(many=True)
    outcome_reviews = serializers.IntegerField(help_text="Counted over the period.")
    training_sessions = serializers.IntegerField(help_text="Counted over the period.")


def compliance_data(found: selectors_ta.AgencyCompliance) -> dict:
    """The compliance of an agency as the API shows it."""
    agreement, c = found.agreement, found.compliance
    return {
        "agency": found.agency.pk,
        "agreement": None
        if agreement is None
        else {
            "id": agreement.pk,
            "version": agreement.version,
            "start_date": agreement.start_date,
            "signed": agreement.is_signed,
            "signed_at": agreement.signed_at,
        },
        "today": found.today,
        "months": []
        if c is None
        else [
            {
                "number": m.number,
                "first": m.first,
                "last": m.last,
                "state": m.state,
                "summary": m.summary,
                "checks": [
                    {
                        "commitment": k.commitment,
                        "state": k.state,
                        "dates": list(k.dates),
                        "block": list(k.block) if k.block else None,
                        "in_words": k.in_words,
                    }
                    for k in m.checks
                ],
            }
            for m in c.months
        ],
        "outcome_reviews": c.outcome_reviews if c else 0,
        "training_sessions": c.training_sessions if c else 0,
    }


class TAComplianceViewSet(viewsets.ViewSet):
    """An agency's TA activity log compared with its current agreement, month by month."""

    serializer_class = ComplianceSerializer
    pagination_class = None
    answers_one_object = True

    @extend_schema(
        summary="An agency's TA log compared with its current agreement, month by month",
        responses={200: ComplianceSerializer, **error_responses(403, 404)},
    )
    def list(self, request, agency_id=None):
        agency = access.access_ta_log(request.user, agency_id).agency
        found = selectors_ta.agency_compliance(request.user, agency)
        return Response(ComplianceSerializer(compliance_data(found)).data)


def register(router) -> None:
    router.register("ta-activities", TAActivityViewSet, basename="ta-activity")
    router.register(
        "agencies/<uuid:agency_id>/ta-compliance", TAComplianceViewSet, basename="ta-compliance"
    )

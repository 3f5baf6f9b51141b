"""The phase changes API: an agency's moves from one implementation phase to another (list,
read, and a new move). A change is a record: it is never changed or deleted. The same access
package and service as the plan page."""

from __future__ import annotations

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound

from agencies import services
from agencies.models import ImplementationPhase, PhaseChange
from agencies.models.validators import word_text_limits
from ipsportal import access
from ipsportal.api import Conflict, FilterSet
from ipsportal.api_schema import error_responses


class PhaseChangeSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(
        source="agency_id", help_text="The agency that moves (required when moving it)."
    )
    from_phase = serializers.ChoiceField(
        choices=ImplementationPhase.choices,
        help_text="The phase the agency is in now, as you last read it (its "
        "`implementation_phase`): when someone moved it since, the answer is 409 and nothing "
        "is written.",
    )
    to_phase = serializers.ChoiceField(
        choices=ImplementationPhase.choices,
        help_text="Any other phase; an earlier one is allowed (a move back).",
    )
    note = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    back = serializers.BooleanField(
        source="is_back", read_only=True, help_text="Whether the move went to an earlier phase."
    )
    changed_by = serializers.IntegerField(
        source="changed_by_id",
        read_only=True,
        allow_null=True,
        help_text="The person who moved it (the `user.id` of a membership).",
    )
    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = PhaseChange
        fields = [
            "id",
            "agency",
            "from_phase",
            "to_phase",
            "back",
            "note",
            "changed_by",
            "changed_by_name",
            "changed_at",
        ]
        read_only_fields = ["id", "changed_at"]

    def get_fields(self):
        # Text past a field's limit is refused in words that name the field and the limit.
        fields = super().get_fields()
        word_text_limits(fields)
        return fields

    def get_changed_by_name(self, change) -> str:
        return change.changed_by.display_name if change.changed_by else ""


class PhaseChangeFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    changed_after = filters.DateFilter(
        field_name="changed_at", lookup_expr="date__gte", label="Changed on or after this day"
    )
    changed_before = filters.DateFilter(
        field_name="changed_at", lookup_expr="date__lte", label="Changed on or before this day"
    )

    class Meta:
        model = PhaseChange
        fields = ["agency", "changed_after", "changed_before"]


@extend_schema_view(
    list=extend_schema(summary="Moves between implementation phases you may see, newest first"),
    retrieve=extend_schema(summary="One move between implementation phases"),
    create=extend_schema(
        summary="Move an agency to another implementation phase (state admins, trainers, "
        "IPS supervisors)",
        description="Give the phase the agency is in now as `from_phase`: if someone moved it "
        "since, the answer is 409 (saying who moved it where and when) and nothing is "
        "written. Moving to the phase it is in is refused (400). An agency outside your "
        "scope answers 404.",
        responses={201: PhaseChangeSerializer, **error_responses(409)},
    ),
)
class PhaseChangeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PhaseChangeSerializer
    filterset_class = PhaseChangeFilter
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return (
            access.rows(self.request.user, access.Action.PLAN_VIEW, PhaseChange)
            .select_related("changed_by")
            .order_by("-changed_at")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            found = access.access_plan(self.request.user, data.pop("agency_id"), write=True)
        except Http404:
            raise NotFound("No such agency.") from None
        try:
            change = services.agency_phase_change(
                user=self.request.user,
                agency=found.agency,
                to_phase=data["to_phase"],
                note=data.get("note", ""),
                from_phase=data["from_phase"],
            )
        except services.PhaseChangeConflict as exc:
            raise Conflict.from_validation(exc, " ".join(exc.messages)) from None
        serializer.instance = self.get_queryset().get(pk=change.pk)


def register(router) -> None:
    router.register("phase-changes", PhaseChangeViewSet, basename="phase-change")

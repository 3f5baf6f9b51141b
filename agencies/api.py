"""The agencies API: the same scope and services as the pages."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from agencies import services
from agencies.models import Agency, ImplementationPhase
from agencies.models.validators import word_text_limits
from ipsportal import access
from ipsportal.access import Action
from ipsportal.api import ConcurrencyMixin, FilterSet


class AgencyListSerializer(serializers.ListSerializer):
    """A page of agencies: each one's next fidelity review due date, worked out for the whole
    page at once (one query for every agency's final reviews)."""

    def to_representation(self, data):
        from fidelity.selectors import next_reviews_due

        agencies = list(data.all() if hasattr(data, "all") else data)
        dues = next_reviews_due(agencies)
        for agency in agencies:
            agency._next_fidelity_review_due = dues[agency.pk].date
        return super().to_representation(agencies)


class AgencySerializer(serializers.ModelSerializer):
    collaborative = serializers.UUIDField(
        source="collaborative_id",
        help_text="The collaborative the agency belongs to (required when creating).",
    )
    region = serializers.UUIDField(source="region_id", allow_null=True, required=False)
    next_fidelity_review_due = serializers.SerializerMethodField(
        help_text="When the agency's next fidelity review is due by the review cadence (null "
        "without an implementation start or a final review)."
    )

    class Meta:
        model = Agency
        list_serializer_class = AgencyListSerializer
        fields = [
            "id",
            "collaborative",
            "name",
            "slug",
            "region",
            "street",
            "city",
            "state",
            "postal_code",
            "phone",
            "vr_vendor_status",
            "carf_accredited",
            "ccbhc",
            "pros_program",
            "implementation_phase",
            "implementation_start_date",
            "partner_employment_agency",
            "is_active",
            "next_fidelity_review_due",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "slug", "created_at", "updated_at"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_fidelity_review_due(self, agency):
        if hasattr(agency, "_next_fidelity_review_due"):
            return agency._next_fidelity_review_due
        from fidelity.selectors import next_review_due

        return next_review_due(agency).date

    def get_fields(self):
        # Text past a field's limit is refused in words that name the field and the limit.
        fields = super().get_fields()
        word_text_limits(fields)
        return fields

    def validate_region(self, value):
        if value is None:
            return None
        # Foreign keys from request bodies go through the access helpers too.
        return access.access_region(self.context["request"].user, value).region

    def validate(self, attrs):
        attrs = dict(attrs)
        region = attrs.pop("region_id", serializers.empty)
        if region is not serializers.empty:
            attrs["region"] = region
        return attrs


class AgencyUpdateSerializer(AgencySerializer):
    class Meta(AgencySerializer.Meta):
        # The phase is chosen when the agency is created; after that it moves through
        # /phase-changes/, which records who moved it and when.
        read_only_fields = [
            *AgencySerializer.Meta.read_only_fields,
            "collaborative",
            "implementation_phase",
        ]


class AgencyFilter(FilterSet):
    q = filters.CharFilter(method="search", label="Name or city contains")
    phase = filters.ChoiceFilter(
        field_name="implementation_phase", choices=ImplementationPhase.choices
    )
    region = filters.UUIDFilter(field_name="region_id")
    collaborative = filters.UUIDFilter(field_name="collaborative_id")

    class Meta:
        model = Agency
        fields = ["q", "phase", "region", "collaborative", "is_active"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value))


WRITE_DESCRIPTION = (
    "Send the agency's ETag (from a read) in If-Match: if someone changed the agency since, "
    "the answer is 412 and nothing is written; without If-Match, 428. The implementation "
    "phase is read-only here: POST /api/v1/phase-changes/ moves it."
)


@extend_schema_view(
    list=extend_schema(summary="Agencies in your scope"),
    retrieve=extend_schema(summary="One agency (its ETag in the ETag header)"),
    create=extend_schema(
        summary="Create an agency (state admins and trainers)",
        description="A collaborative or region outside your scope answers 404.",
    ),
    partial_update=extend_schema(
        summary="Change an agency's profile", description=WRITE_DESCRIPTION
    ),
    update=extend_schema(summary="Replace an agency's profile", description=WRITE_DESCRIPTION),
)
class AgencyViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return access.agencies_in_scope(self.request.user).order_by("name")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return AgencyUpdateSerializer
        return AgencySerializer

    def get_object(self):
        write = self.action in ("update", "partial_update")
        return access.access_agency(self.request.user, self.kwargs["pk"], write=write).agency

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        collaborative = access.access_collaborative(
            self.request.user, data.pop("collaborative_id"), action=Action.AGENCY_CREATE
        )
        serializer.instance = services.agency_create(
            user=self.request.user, collaborative=collaborative, data=data
        )
        self.tag_response(serializer.instance)

    def perform_update(self, serializer):
        serializer.instance = services.agency_update(
            user=self.request.user, agency=serializer.instance, data=serializer.validated_data
        )


def register(router) -> None:
    from agencies import api_agreements, api_phases, api_ta

    router.register("agencies", AgencyViewSet, basename="agency")
    api_agreements.register(router)
    api_ta.register(router)
    api_phases.register(router)

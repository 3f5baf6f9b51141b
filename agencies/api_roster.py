"""The staff roster API: roster entries, treatment teams, VR counselors and an agency's
structure checks, with the same scope and services as the pages.

Ids in request bodies (an agency, a supervisor, teams) go through the access helpers too; one
the user cannot see is refused on its field like one that does not exist.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from agencies import selectors_roster, services
from agencies.models import MAX_FTE, MIN_FTE, StaffMember, StaffRole, TreatmentTeam, VRCounselor
from ipsportal import access
from ipsportal.api import ConcurrencyMixin, FilterSet
from ipsportal.api_schema import error_responses
from ipsportal.models import User


def _in_scope(helper, user, pk, field: str):
    """The object behind a body id through its access helper; one out of scope answers 404
    exactly as one that does not exist, naming the field."""
    try:
        return helper(user, pk).row
    except Http404:
        raise NotFound(f"No such {field.replace('_', ' ')}: {pk}.") from None


#: FTE as the schema shows it: a decimal from 0.05 to 1.50 (the model's range).
FTE_PATTERN = r"^(?:0\.0[5-9]|0\.[1-9][0-9]?|1(?:\.[0-4][0-9]?)?|1\.50?)$"


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": FTE_PATTERN, "example": "1.00"}
)
class FTEField(serializers.DecimalField):
    """The FTE of a roster entry, from 0.05 to 1.50."""


class TeamIdsField(serializers.ListField):
    child = serializers.UUIDField()

    def to_representation(self, data):
        return [str(team.pk) for team in data.all()]


class StaffMemberSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(
        source="agency_id", help_text="The agency (required when creating; then fixed)."
    )
    supervisor = serializers.UUIDField(
        source="supervisor_id",
        allow_null=True,
        required=False,
        help_text="An IPS supervisor entry of the same agency.",
    )
    treatment_teams = TeamIdsField(
        required=False, help_text="The agency's MH treatment teams the person is on."
    )
    fte = FTEField(
        max_digits=3,
        decimal_places=2,
        min_value=MIN_FTE,
        max_value=MAX_FTE,
        help_text="1.00 is full time; from 0.05 to 1.50.",
    )
    user = serializers.IntegerField(
        source="user_id",
        allow_null=True,
        required=False,
        min_value=1,
        help_text="Optional: the person's portal account (the `user.id` of a membership), "
        "someone of this agency's staff.",
    )
    is_current = serializers.SerializerMethodField(
        help_text="On the program today: no end date, or one not past. Only current staff "
        "count in the structure checks."
    )

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "agency",
            "name",
            "role",
            "fte",
            "start_date",
            "end_date",
            "employment_services_only",
            "employment_services_percent",
            "supervises_ips_only",
            "supervisor",
            "caseload",
            "community_time_percent",
            "treatment_teams",
            "referrals_from_teams_percent",
            "user",
            "is_current",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "is_current", "created_at", "updated_at"]

    def get_is_current(self, member) -> bool:
        return member.is_current(member.collaborative.today())

    def service_arguments(self) -> dict:
        """The validated fields as the roster services take them, ids turned into objects
        through the access helpers."""
        user = self.context["request"].user
        data = dict(self.validated_data)
        data.pop("agency_id", None)
        arguments = {k: v for k, v in data.items() if k not in ("supervisor_id", "user_id")}
        if "supervisor_id" in data:
            pk = data["supervisor_id"]
            arguments["supervisor"] = (
                None
                if pk is None
                else _in_scope(access.access_staff_member, user, pk, "supervisor")
            )
        if "treatment_teams" in data:
            arguments["treatment_teams"] = [
                _in_scope(access.access_treatment_team, user, pk, "treatment_teams")
                for pk in data["treatment_teams"]
            ]
        if "user_id" in data:
            pk = data["user_id"]
            account = None if pk is None else User.objects.filter(pk=pk).first()
            if pk is not None and account is None:
                raise serializers.ValidationError(
                    {"user": "Choose a portal account of this agency's staff."}
                )
            arguments["account"] = account
        return arguments


class StaffMemberUpdateSerializer(StaffMemberSerializer):
    class Meta(StaffMemberSerializer.Meta):
        read_only_fields = [*StaffMemberSerializer.Meta.read_only_fields, "agency"]


class StaffMemberFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    role = filters.ChoiceFilter(choices=StaffRole.choices)
    current = filters.BooleanFilter(
        method="filter_current",
        label="true: current staff only; false: former staff only (end date past)",
    )
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    started_after = filters.DateFilter(field_name="start_date", lookup_expr="gte")
    ended_before = filters.DateFilter(field_name="end_date", lookup_expr="lte")

    class Meta:
        model = StaffMember
        fields = ["agency", "role", "current", "q", "started_after", "ended_before"]

    def filter_current(self, queryset, name, value):
        # "Today" is each collaborative's own day.
        current = Q(pk__in=[])
        for collaborative in access.collaboratives_of(self.request.user):
            current |= Q(collaborative=collaborative) & (
                Q(end_date__isnull=True) | Q(end_date__gte=collaborative.today())
            )
        return queryset.filter(current) if value else queryset.exclude(current)


WRITE_DESCRIPTION = (
    "Send the ETag of your last read in If-Match: if someone changed it since, the answer is "
    "412 and nothing is written; without If-Match, 428. A figure out of range, an end date "
    "before the start, a supervisor that is not a supervisor entry of the same agency or a "
    "team of another agency is refused with 400, naming the field."
)


@extend_schema_view(
    list=extend_schema(summary="Staff roster entries of the agencies in your scope"),
    retrieve=extend_schema(summary="One roster entry (its ETag in the ETag header)"),
    create=extend_schema(
        summary="Add a person to an agency's roster (supervisors, trainers, state admins)",
        description="An agency outside your scope answers 404; one whose roster your role "
        "may only read, 403.",
    ),
    partial_update=extend_schema(
        summary="Change a roster entry (set end_date to end it)", description=WRITE_DESCRIPTION
    ),
)
class StaffMemberViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = StaffMemberSerializer
    filterset_class = StaffMemberFilter
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            access.staff_members_in_scope(self.request.user)
            .select_related("collaborative")
            .prefetch_related(
                Prefetch("treatment_teams", queryset=TreatmentTeam.objects.order_by("name"))
            )
            .order_by("name", "pk")
        )

    def get_serializer_class(self):
        if self.action == "partial_update":
            return StaffMemberUpdateSerializer
        return StaffMemberSerializer

    def get_object(self):
        write = self.action == "partial_update"
        member = access.access_staff_member(self.request.user, self.kwargs["pk"], write=write)
        return member.row

    def perform_create(self, serializer):
        agency_id = serializer.validated_data["agency_id"]
        agency = access.access_roster(self.request.user, agency_id, write=True).agency
        serializer.instance = services.staff_member_create(
            user=self.request.user, agency=agency, **serializer.service_arguments()
        )
        self.tag_response(serializer.instance)

    def perform_update(self, serializer):
        serializer.instance = services.staff_member_update(
            user=self.request.user, member=serializer.instance, **serializer.service_arguments()
        )


class _RosterRowSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(
        source="agency_id", help_text="The agency (required when creating; then fixed)."
    )


class TreatmentTeamSerializer(_RosterRowSerializer):
    class Meta:
        model = TreatmentTeam
        fields = ["id", "agency", "name", "notes", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class TreatmentTeamUpdateSerializer(TreatmentTeamSerializer):
    class Meta(TreatmentTeamSerializer.Meta):
        read_only_fields = [*TreatmentTeamSerializer.Meta.read_only_fields, "agency"]


class VRCounselorSerializer(_RosterRowSerializer):
    class Meta:
        model = VRCounselor
        fields = ["id", "agency", "name", "vr_office", "email", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class VRCounselorUpdateSerializer(VRCounselorSerializer):
    class Meta(VRCounselorSerializer.Meta):
        read_only_fields = [*VRCounselorSerializer.Meta.read_only_fields, "agency"]


class RosterRowFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")


class TreatmentTeamFilter(RosterRowFilter):
    class Meta:
        model = TreatmentTeam
        fields = ["agency", "q"]


class VRCounselorFilter(RosterRowFilter):
    class Meta:
        model = VRCounselor
        fields = ["agency", "q"]


class _RosterRowViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "patch", "head", "options"]
    update_serializer_class: type[serializers.Serializer]

    def get_serializer_class(self):
        if self.action == "partial_update":
            return self.update_serializer_class
        return self.serializer_class

    def get_object(self):
        write = self.action == "partial_update"
        return self.access_row(self.request.user, self.kwargs["pk"], write=write).row

    def save(self, *, agency, instance, data):
        """The service call of each kind of row (a team, a VR counselor): every subclass
        defines it; the base class has none to make."""
        raise NotImplementedError(f"{type(self).__name__} names no service to save with")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        agency_id = data.pop("agency_id")
        agency = access.access_roster(self.request.user, agency_id, write=True).agency
        serializer.instance = self.save(agency=agency, instance=None, data=data)
        self.tag_response(serializer.instance)

    def perform_update(self, serializer):
        instance = serializer.instance
        data = {field: getattr(instance, field) for field in self.saved_fields}
        data.update(serializer.validated_data)
        serializer.instance = self.save(agency=instance.agency, instance=instance, data=data)


@extend_schema_view(
    list=extend_schema(summary="MH treatment teams of the agencies in your scope"),
    retrieve=extend_schema(summary="One treatment team (its ETag in the ETag header)"),
    create=extend_schema(summary="Add a treatment team to an agency"),
    partial_update=extend_schema(summary="Change a treatment team", description=WRITE_DESCRIPTION),
)
class TreatmentTeamViewSet(_RosterRowViewSet):
    serializer_class = TreatmentTeamSerializer
    update_serializer_class = TreatmentTeamUpdateSerializer
    filterset_class = TreatmentTeamFilter
    access_row = staticmethod(access.access_treatment_team)
    saved_fields = ("name", "notes")

    def get_queryset(self):
        return access.treatment_teams_in_scope(self.request.user).order_by("name", "pk")

    def save(self, *, agency, instance, data):
        return services.treatment_team_save(
            user=self.request.user, agency=agency, team=instance, **data
        )


@extend_schema_view(
    list=extend_schema(summary="VR counselors working with the agencies in your scope"),
    retrieve=extend_schema(summary="One VR counselor (its ETag in the ETag header)"),
    create=extend_schema(summary="Add a VR counselor to an agency's program"),
    partial_update=extend_schema(summary="Change a VR counselor", description=WRITE_DESCRIPTION),
)
class VRCounselorViewSet(_RosterRowViewSet):
    serializer_class = VRCounselorSerializer
    update_serializer_class = VRCounselorUpdateSerializer
    filterset_class = VRCounselorFilter
    access_row = staticmethod(access.access_vr_counselor)
    saved_fields = ("name", "vr_office", "email")

    def get_queryset(self):
        return access.vr_counselors_in_scope(self.request.user).order_by("name", "pk")

    def save(self, *, agency, instance, data):
        return services.vr_counselor_save(
            user=self.request.user, agency=agency, counselor=instance, **data
        )


class StructureCheckSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable code of the check, e.g. es_caseload.")
    standard = serializers.CharField(help_text="The standard, in words.")
    value = serializers.CharField(help_text="The agency's figure, in words.")
    met = serializers.BooleanField(
        allow_null=True, help_text="true: met; false: not met; null: not enough data."
    )


class StructureCheckViewSet(viewsets.ViewSet):
    """The IPS structure checks of one agency, from its current roster."""

    serializer_class = StructureCheckSerializer
    pagination_class = None

    @extend_schema(
        summary="An agency's IPS structure checks, from its current staff roster",
        responses={200: StructureCheckSerializer(many=True), **error_responses(403, 404)},
    )
    def list(self, request, agency_id=None):
        agency = access.access_roster(request.user, agency_id).agency
        checks = selectors_roster.agency_structure_checks(request.user, agency)
        return Response(StructureCheckSerializer(checks, many=True).data)


def register(router) -> None:
    router.register("staff-members", StaffMemberViewSet, basename="staffmember")
    router.register("treatment-teams", TreatmentTeamViewSet, basename="treatmentteam")
    router.register("vr-counselors", VRCounselorViewSet, basename="vrcounselor")
    router.register(
        "agencies/<uuid:agency_id>/structure-checks",
        StructureCheckViewSet,
        basename="structurecheck",
    )

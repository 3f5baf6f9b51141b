"""The memberships API: state admins manage the memberships of their collaborative, IPS
supervisors those of their agency's staff, through the same access helpers and services as
the People pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from agencies import services
from agencies.models import Agency, Membership, Role
from ipsportal import access
from ipsportal.api import VERSION_ETAG, ConcurrencyMixin, FilterSet, PreconditionFailed


class ManagedMembershipUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="The person's account.")
    name = serializers.CharField(source="display_name", read_only=True)
    email = serializers.EmailField(read_only=True)


class AgencyIdsField(serializers.ListField):
    child = serializers.UUIDField()

    def to_representation(self, data):
        return [str(agency.pk) for agency in data.all()]


class ManagedMembershipSerializer(serializers.ModelSerializer):
    user = ManagedMembershipUserSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    agencies = AgencyIdsField(
        required=False,
        help_text="Agency staff: exactly one agency; trainers, reviewers and VR liaisons: "
        "the agencies they are assigned to; state admins: none.",
    )
    is_active = serializers.BooleanField(
        required=False,
        help_text="false deactivates the membership (a person's last active one also ends "
        "their sessions and API tokens); true reactivates it.",
    )

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "agencies", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "user", "created_at", "updated_at"]

    def service_arguments(self, membership: Membership) -> dict:
        """The validated fields as :func:`agencies.services.membership_update` takes them,
        agency ids turned into agencies through the access package (one outside the user's
        scope is refused on its field, like one that does not exist)."""
        data = dict(self.validated_data)
        if "agencies" in data:
            wanted = list(dict.fromkeys(data["agencies"]))
            found = {
                a.pk: a
                for a in access.agencies_in_scope(
                    self.context["request"].user, membership.collaborative
                ).filter(pk__in=wanted)
            }
            missing = [str(pk) for pk in wanted if pk not in found]
            if missing:
                raise serializers.ValidationError(
                    {"agencies": f"No such agency: {', '.join(missing)}."}
                )
            data["agencies"] = [found[pk] for pk in wanted]
        return data


class MembershipFilter(FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)
    agency = filters.UUIDFilter(field_name="agencies", label="Covers this agency")
    is_active = filters.BooleanFilter()
    q = filters.CharFilter(method="search", label="Name or email contains")

    class Meta:
        model = Membership
        fields = ["role", "agency", "is_active", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(user__full_name__icontains=value) | Q(user__email__icontains=value)
        )


WRITE_DESCRIPTION = (
    "Send the ETag of your last read in If-Match: if someone changed the membership since, "
    "the answer is 412 and nothing is written; without If-Match, 428. Changing your own role, "
    "deactivating yourself, demoting or deactivating the collaborative's last active state "
    "admin, and (for IPS supervisors) a state role or an agency you do not supervise are "
    "refused with 400, naming the field."
)


@extend_schema_view(
    list=extend_schema(
        summary="Memberships you manage (state admins: the collaborative's; IPS "
        "supervisors: their agency's staff)"
    ),
    retrieve=extend_schema(summary="One membership (its ETag in the ETag header)"),
    partial_update=extend_schema(
        summary="Change a membership's role, agencies or active state",
        description=WRITE_DESCRIPTION,
    ),
)
class MembershipViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ManagedMembershipSerializer
    filterset_class = MembershipFilter
    lookup_value_converter = "uuid"
    etag_pattern = VERSION_ETAG
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return (
            access.memberships_in_scope(self.request.user)
            .select_related("user")
            .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name")))
            .order_by("user__full_name", "user__email", "role", "pk")
        )

    def list(self, request, *args, **kwargs):
        # Someone who manages people nowhere gets the refusal in words, not an empty list.
        user = request.user
        if not any(
            access.holds(user, access.Action.USERS_MANAGE, collaborative=c)
            for c in access.collaboratives_of(user)
        ):
            raise PermissionDenied(access.Action.USERS_MANAGE.refusal())
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return access.access_membership(self.request.user, self.kwargs["pk"]).membership

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        expected = self.expected_version()
        serializer = self.get_serializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if membership.version != expected:
            raise PreconditionFailed()
        arguments = serializer.service_arguments(membership)
        try:
            membership = services.membership_update(
                user=request.user,
                membership=membership,
                expected_version=expected,
                **arguments,
            )
        except services.MembershipConflict as exc:
            raise PreconditionFailed() from exc
        fresh = self.get_queryset().get(pk=membership.pk)
        self.tag_response(fresh)
        return Response(self.get_serializer(fresh).data)


def register(router) -> None:
    router.register("memberships", MembershipViewSet, basename="membership")

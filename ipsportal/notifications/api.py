"""The outbox API, for state admins: what was sent, to whom, what failed and why."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ipsportal import access
from ipsportal.api import FilterSet
from ipsportal.api_schema import error_responses
from ipsportal.notifications import services
from ipsportal.notifications.models import Delivery


class NotRetriable(exceptions.APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = "Only a failed or cancelled message can be sent again."


class DeliverySerializer(serializers.ModelSerializer):
    collaborative = serializers.UUIDField(source="collaborative_id", read_only=True)
    agency = serializers.UUIDField(source="agency_id", read_only=True, allow_null=True)
    document = serializers.UUIDField(source="document_id", read_only=True, allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "collaborative",
            "agency",
            "kind",
            "subject_id",
            "subject_label",
            "recipient_email",
            "recipient_name",
            "stage",
            "document",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "created_at",
            "sent_at",
            "finished_at",
        ]
        read_only_fields = fields


class DeliveryFilter(FilterSet):
    status = filters.ChoiceFilter(choices=Delivery.Status.choices)
    kind = filters.CharFilter()
    collaborative = filters.UUIDFilter(field_name="collaborative_id")

    class Meta:
        model = Delivery
        fields = ["status", "kind", "collaborative"]


@extend_schema_view(
    list=extend_schema(summary="Messages the portal sent or will send (state admins)"),
    retrieve=extend_schema(summary="One message"),
)
class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return access.deliveries_in_scope(self.request.user).order_by("-created_at")

    def get_object(self):
        return access.access_delivery(self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary="Send a failed or cancelled message again",
        request=None,
        responses={
            200: DeliverySerializer,
            **error_responses(e409="Only a failed or cancelled message can be sent again"),
        },
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        delivery = self.get_object()
        if not services.delivery_retry(user=request.user, delivery=delivery):
            raise NotRetriable()
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data)


def register(router) -> None:
    router.register("deliveries", DeliveryViewSet, basename="delivery")

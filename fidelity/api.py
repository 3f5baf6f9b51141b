"""The fidelity API: ``/api/v1/fidelity-scales/`` (read-only) and the reviews
(:mod:`fidelity.api_reviews`)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from fidelity import selectors
from fidelity.models import FidelityScale, ScaleItem, ScaleSection, ScoreBand
from ipsportal import access
from ipsportal.api import FilterSet


class ScaleItemSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="key", read_only=True)
    anchors = serializers.SerializerMethodField(
        help_text="What each rating means, keyed by the rating."
    )

    class Meta:
        model = ScaleItem
        fields = [
            "key",
            "number",
            "section",
            "number_in_section",
            "name",
            "description",
            "allows_not_rated",
            "anchors",
        ]

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string"}, "example": {"1": "..."}}
    )
    def get_anchors(self, item) -> dict[str, str]:
        return {str(a.rating): a.description for a in item.anchors.all()}


class ScaleSectionSerializer(serializers.ModelSerializer):
    items = ScaleItemSerializer(many=True, read_only=True)

    class Meta:
        model = ScaleSection
        fields = ["key", "name", "position", "is_subscale", "items"]


class ScoreBandSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text="The subscale it bands, or null.",
    )

    class Meta:
        model = ScoreBand
        fields = ["key", "label", "section", "min_total", "max_total"]


class FidelityScaleSerializer(serializers.ModelSerializer):
    collaborative = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The collaborative of an adapted scale; null for a standard one.",
    )
    sections = ScaleSectionSerializer(many=True, read_only=True)
    bands = ScoreBandSerializer(many=True, read_only=True)

    class Meta:
        model = FidelityScale
        fields = [
            "id",
            "slug",
            "version",
            "title",
            "short_title",
            "edition",
            "collaborative",
            "rating_min",
            "rating_max",
            "good_fidelity_from",
            "is_active",
            "sections",
            "bands",
        ]


class FidelityScaleFilter(FilterSet):
    slug = filters.CharFilter(help_text="The scale's slug, e.g. ips-se")
    is_active = filters.BooleanFilter(help_text="Scales offered for new reviews (or not)")

    class Meta:
        model = FidelityScale
        fields = ["slug", "is_active"]


class FidelityScaleViewSet(viewsets.ReadOnlyModelViewSet):
    """Fidelity scale versions: the standard ones and the caller's collaboratives' adapted
    ones, each with its sections, items (stable keys), anchors and bands."""

    serializer_class = FidelityScaleSerializer
    lookup_url_kwarg = "scale_id"
    lookup_value_converter = "uuid"
    filterset_class = FidelityScaleFilter

    def get_queryset(self):
        return (
            access.fidelity_scales_in_scope(self.request.user)
            .prefetch_related(*selectors.scale_prefetch())
            .order_by("slug", "-version", "id")
        )


def register(router) -> None:
    from fidelity import api_reviews

    router.register("fidelity-scales", FidelityScaleViewSet, basename="fidelity-scale")
    api_reviews.register(router)

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Membership


class MembershipSerializer(serializers.ModelSerializer):
    collaborative = serializers.UUIDField(source="collaborative_id")
    collaborative_name = serializers.CharField(source="collaborative.name")
    agencies = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Membership
        fields = ["collaborative", "collaborative_name", "role", "agencies"]


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    """Who the caller is, and their roles in each collaborative."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        memberships = (
            Membership.objects.filter(user=request.user, is_active=True)
            .select_related("collaborative")
            .prefetch_related("agencies")
        )
        data = {
            "email": request.user.email,
            "full_name": request.user.full_name,
            "memberships": memberships,
        }
        return Response(MeSerializer(data).data)

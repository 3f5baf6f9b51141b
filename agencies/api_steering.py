"""The steering committee API: committees (one per agency, with the composition and cadence
checks), their members, meetings and action items. The same access package and services
as the pages."""

from __future__ import annotations

from django.db.models import Exists, Max, OuterRef, Prefetch, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from agencies import selectors_steering, services, steering
from agencies.models import (
    SteeringActionItem,
    SteeringCategory,
    SteeringCommittee,
    SteeringMeeting,
    SteeringMember,
)
from ipsportal import access
from ipsportal.api import ConcurrencyMixin, FilterSet

WRITE_DESCRIPTION = (
    "Send the ETag of your last read in If-Match: if someone changed it since, the answer is "
    "412 and nothing is written; without If-Match, 428."
)


# --------------------------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------------------------


class SteeringMemberSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    committee = serializers.UUIDField(
        source="committee_id", help_text="The committee (required when adding a member)."
    )
    name = serializers.CharField(max_length=200, allow_blank=True)

    class Meta:
        model = SteeringMember
        fields = [
            "id",
            "agency",
            "committee",
            "category",
            "name",
            "organisation",
            "email",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"email": {"allow_blank": True}}


class SteeringMemberUpdateSerializer(SteeringMemberSerializer):
    committee = serializers.UUIDField(source="committee_id", read_only=True)


class SteeringMemberFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    committee = filters.UUIDFilter(field_name="committee_id")
    category = filters.ChoiceFilter(choices=SteeringCategory.choices)

    class Meta:
        model = SteeringMember
        fields = ["agency", "committee", "category", "is_active"]


def _member_fields(data: dict, member: SteeringMember | None = None) -> dict:
    names = ("category", "name", "organisation", "email", "is_active")
    current = {n: getattr(member, n) for n in names} if member else {}
    return {**current, **{n: data[n] for n in names if n in data}}


@extend_schema_view(
    list=extend_schema(summary="Steering committee members you may see"),
    retrieve=extend_schema(summary="One member (its ETag in the ETag header)"),
    create=extend_schema(summary="Add a member to a committee (supervisors, trainers, admins)"),
    partial_update=extend_schema(summary="Change a member", description=WRITE_DESCRIPTION),
    update=extend_schema(summary="Replace a member", description=WRITE_DESCRIPTION),
)
class SteeringMemberViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SteeringMemberSerializer
    filterset_class = SteeringMemberFilter
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return access.steering_members_in_scope(self.request.user).order_by(
            "agency_id", "-is_active", "category", "name"
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SteeringMemberUpdateSerializer
        return SteeringMemberSerializer

    def get_object(self):
        write = self.action in ("update", "partial_update")
        return access.access_steering_member(
            self.request.user, self.kwargs["pk"], write=write
        ).member

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        committee = access.access_steering_committee(
            self.request.user, data.pop("committee_id"), write=True
        ).committee
        serializer.instance = services.steering_member_save(
            user=self.request.user, committee=committee, **_member_fields(data)
        )
        self.tag_response(serializer.instance)

    def perform_update(self, serializer):
        member = serializer.instance
        serializer.instance = services.steering_member_save(
            user=self.request.user,
            committee=member.committee,
            member=member,
            **_member_fields(serializer.validated_data, member),
        )


# --------------------------------------------------------------------------------------------
# Committees
# --------------------------------------------------------------------------------------------


class SeatSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    met = serializers.BooleanField()
    count = serializers.IntegerField(help_text="Active members in this seat.")


class CompositionSerializer(serializers.Serializer):
    complete = serializers.BooleanField()
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="The seats nobody fills, by name."
    )
    seats = SeatSerializer(many=True)


class CadenceSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=steering.CADENCE_STATES)
    interval_months = serializers.IntegerField(
        help_text="3 during implementation, 6 once good fidelity is reached."
    )
    last_meeting = serializers.DateField(allow_null=True, help_text="The last meeting held.")
    due_date = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    days_overdue = serializers.IntegerField()


class SteeringCommitteeSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id")
    members = SteeringMemberSerializer(many=True, read_only=True)
    composition = serializers.SerializerMethodField()
    cadence = serializers.SerializerMethodField()
    next_due_date = serializers.SerializerMethodField()
    planned_meeting = serializers.SerializerMethodField()

    class Meta:
        model = SteeringCommittee
        fields = [
            "id",
            "agency",
            "members",
            "composition",
            "cadence",
            "next_due_date",
            "planned_meeting",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def _status(self, committee) -> selectors_steering.SteeringStatus:
        found = getattr(committee, "_status", None)
        if found is None:
            found = committee._status = selectors_steering.steering_status(
                committee.agency,
                committee,
                categories=[m.category for m in committee.members.all() if m.is_active],
                last_held=committee.last_held,
                planned=committee.planned,
                fetched=True,
                good_fidelity=getattr(committee, "good_fidelity", None),
            )
        return found

    @extend_schema_field(CompositionSerializer)
    def get_composition(self, committee) -> dict:
        check = self._status(committee).composition
        return {
            "complete": check.complete,
            "missing": check.missing,
            "seats": [
                {
                    "code": s.requirement.code,
                    "label": s.requirement.label,
                    "met": s.met,
                    "count": s.count,
                }
                for s in check.seats
            ],
        }

    @extend_schema_field(CadenceSerializer)
    def get_cadence(self, committee) -> dict:
        cadence = self._status(committee).cadence
        return {
            "state": cadence.state,
            "interval_months": cadence.interval_months,
            "last_meeting": cadence.last_meeting,
            "due_date": cadence.due_date,
            "overdue": cadence.overdue,
            "days_overdue": cadence.days_overdue,
        }

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_due_date(self, committee):
        return self._status(committee).cadence.due_date

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_planned_meeting(self, committee):
        return self._status(committee).planned


class SteeringCommitteeCreateSerializer(serializers.Serializer):
    agency = serializers.UUIDField(help_text="The agency whose committee to start.")


class SteeringCommitteeFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")

    class Meta:
        model = SteeringCommittee
        fields = ["agency"]


@extend_schema_view(
    list=extend_schema(summary="Steering committees you may see, one per agency"),
    retrieve=extend_schema(summary="One steering committee, with its checks"),
    create=extend_schema(
        summary="Start an agency's steering committee (or get the one it has)",
        request=SteeringCommitteeCreateSerializer,
        responses={201: SteeringCommitteeSerializer},
    ),
)
class SteeringCommitteeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SteeringCommitteeSerializer
    filterset_class = SteeringCommitteeFilter
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return (
            access.steering_committees_in_scope(self.request.user)
            .select_related("agency__collaborative")
            .prefetch_related(
                Prefetch("members", queryset=SteeringMember.objects.order_by("category", "name"))
            )
            .order_by("agency__name")
        )

    def _with_dates(self, committees):
        """Each committee's last meeting held and next planned one, as of its collaborative's
        own today: one query per collaborative on the page of committees."""
        committees = list(committees)
        if not committees:
            return committees
        days = {c.agency.collaborative_id: c.agency.collaborative.today() for c in committees}
        lasts = {}
        planned = {}
        for collaborative_id, today in days.items():
            ids = [c.pk for c in committees if c.agency.collaborative_id == collaborative_id]
            rows = (
                SteeringMeeting.objects.filter(committee_id__in=ids)
                .values("committee_id")
                .annotate(
                    last=Max("date", filter=Q(date__lte=today)),
                    planned=Max("date", filter=Q(date__gt=today)),
                )
            )
            for row in rows:
                lasts[row["committee_id"]] = row["last"]
                planned[row["committee_id"]] = row["planned"]
        from fidelity.selectors import agencies_with_good_fidelity

        good = agencies_with_good_fidelity({c.agency_id for c in committees})
        for c in committees:
            c.last_held, c.planned = lasts.get(c.pk), planned.get(c.pk)
            c.good_fidelity = c.agency_id in good
        return committees

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        committees = self._with_dates(page if page is not None else queryset)
        data = self.get_serializer(committees, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _read(self, committee, code=status.HTTP_200_OK) -> Response:
        (committee,) = self._with_dates(self.get_queryset().filter(pk=committee.pk))
        return Response(self.get_serializer(committee).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        found = access.access_steering_committee(request.user, kwargs["pk"])
        return self._read(found.committee)

    def create(self, request, *args, **kwargs):
        serializer = SteeringCommitteeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = access.access_steering(
            request.user, serializer.validated_data["agency"], write=True
        ).agency
        committee = services.steering_committee_create(user=request.user, agency=agency)
        return self._read(committee, status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------
# Action items
# --------------------------------------------------------------------------------------------


class SteeringActionItemSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    meeting = serializers.UUIDField(
        source="meeting_id", help_text="The meeting (required when adding an action item)."
    )
    text = serializers.CharField(max_length=2000, allow_blank=True)

    class Meta:
        model = SteeringActionItem
        fields = [
            "id",
            "agency",
            "meeting",
            "text",
            "owner",
            "due_date",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class SteeringActionItemUpdateSerializer(SteeringActionItemSerializer):
    meeting = serializers.UUIDField(source="meeting_id", read_only=True)


class SteeringActionItemFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    meeting = filters.UUIDFilter(field_name="meeting_id")
    status = filters.ChoiceFilter(choices=SteeringActionItem.Status.choices)
    due_after = filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = SteeringActionItem
        fields = ["agency", "meeting", "status", "due_after", "due_before"]


def _item_fields(data: dict, item: SteeringActionItem | None = None) -> dict:
    names = ("text", "owner", "due_date", "status")
    current = {n: getattr(item, n) for n in names} if item else {}
    return {**current, **{n: data[n] for n in names if n in data}}


@extend_schema_view(
    list=extend_schema(summary="Action items of steering committee meetings you may see"),
    retrieve=extend_schema(summary="One action item (its ETag in the ETag header)"),
    create=extend_schema(summary="Add an action item to a meeting"),
    partial_update=extend_schema(
        summary="Change an action item (mark it done or dropped)", description=WRITE_DESCRIPTION
    ),
    update=extend_schema(summary="Replace an action item", description=WRITE_DESCRIPTION),
)
class SteeringActionItemViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SteeringActionItemSerializer
    filterset_class = SteeringActionItemFilter
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return access.steering_action_items_in_scope(self.request.user).order_by(
            "due_date", "created_at"
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SteeringActionItemUpdateSerializer
        return SteeringActionItemSerializer

    def get_object(self):
        write = self.action in ("update", "partial_update")
        return access.access_steering_action_item(
            self.request.user, self.kwargs["pk"], write=write
        ).item

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        meeting = access.access_steering_meeting(
            self.request.user, data.pop("meeting_id"), write=True
        ).meeting
        serializer.instance = services.steering_action_item_save(
            user=self.request.user, meeting=meeting, **_item_fields(data)
        )
        self.tag_response(serializer.instance)

    def perform_update(self, serializer):
        item = serializer.instance
        serializer.instance = services.steering_action_item_save(
            user=self.request.user,
            meeting=item.meeting,
            item=item,
            **_item_fields(serializer.validated_data, item),
        )


# --------------------------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------------------------


class AttendeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SteeringMember
        fields = ["id", "name", "category"]


class MemberIdsField(serializers.ListField):
    """Members as their ids: read from the meeting's attendees, written as a list of ids."""

    child = serializers.UUIDField()

    def to_representation(self, data):
        return [str(m.pk) for m in data.all()]


class NamesField(serializers.ListField):
    """Names kept one a line, shown and written as a list."""

    child = serializers.CharField(max_length=200)

    def to_representation(self, data):
        return [line.strip() for line in (data or "").splitlines() if line.strip()]


class SteeringMeetingSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    committee = serializers.UUIDField(
        source="committee_id", help_text="The committee (required when recording a meeting)."
    )
    attendees = MemberIdsField(
        required=False,
        help_text="Ids of the members present (members of this committee only).",
    )
    attendee_details = AttendeeSerializer(source="attendees", many=True, read_only=True)
    guests = NamesField(
        required=False,
        help_text="Names of the people present who are not members.",
    )
    action_items = SteeringActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = SteeringMeeting
        fields = [
            "id",
            "agency",
            "committee",
            "date",
            "attendees",
            "attendee_details",
            "guests",
            "agenda",
            "minutes",
            "decisions",
            "action_items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class SteeringMeetingUpdateSerializer(SteeringMeetingSerializer):
    committee = serializers.UUIDField(source="committee_id", read_only=True)


class SteeringMeetingFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    committee = filters.UUIDFilter(field_name="committee_id")
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte")
    action_item_status = filters.ChoiceFilter(
        choices=SteeringActionItem.Status.choices,
        method="with_item_status",
        label="Meetings with at least one action item of this status",
    )

    class Meta:
        model = SteeringMeeting
        fields = ["agency", "committee", "date_after", "date_before", "action_item_status"]

    def with_item_status(self, queryset, name, value):
        items = SteeringActionItem.objects.filter(meeting=OuterRef("pk"), status=value)
        return queryset.filter(Exists(items))


def _meeting_fields(data: dict, meeting: SteeringMeeting | None = None) -> dict:
    current = {}
    if meeting is not None:
        current = {
            "date": meeting.date,
            "attendees": [m.pk for m in meeting.attendees.all()],
            "guests": meeting.guests,
            "agenda": meeting.agenda,
            "minutes": meeting.minutes,
            "decisions": meeting.decisions,
        }
    given = {
        n: data[n] for n in ("date", "attendees", "agenda", "minutes", "decisions") if n in data
    }
    if "guests" in data:
        given["guests"] = "\n".join(data["guests"])
    return {**current, **given}


@extend_schema_view(
    list=extend_schema(summary="Steering committee meetings you may see, newest first"),
    retrieve=extend_schema(summary="One meeting (its ETag in the ETag header)"),
    create=extend_schema(
        summary="Record a meeting (or plan one: a later date than today, an agenda only)"
    ),
    partial_update=extend_schema(summary="Change a meeting", description=WRITE_DESCRIPTION),
    update=extend_schema(summary="Replace a meeting", description=WRITE_DESCRIPTION),
)
class SteeringMeetingViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SteeringMeetingSerializer
    filterset_class = SteeringMeetingFilter
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors_steering.meetings_with_parts(
            access.steering_meetings_in_scope(self.request.user).order_by("-date", "-created_at")
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SteeringMeetingUpdateSerializer
        return SteeringMeetingSerializer

    def get_object(self):
        write = self.action in ("update", "partial_update")
        meeting = access.access_steering_meeting(
            self.request.user, self.kwargs["pk"], write=write
        ).meeting
        return self.get_queryset().get(pk=meeting.pk)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        committee = access.access_steering_committee(
            self.request.user, data.pop("committee_id"), write=True
        ).committee
        meeting = services.steering_meeting_save(
            user=self.request.user, committee=committee, **_meeting_fields(data)
        )
        serializer.instance = self.get_queryset().get(pk=meeting.pk)
        self.tag_response(serializer.instance)

    def perform_update(self, serializer):
        meeting = serializer.instance
        services.steering_meeting_save(
            user=self.request.user,
            committee=meeting.committee,
            meeting=meeting,
            **_meeting_fields(serializer.validated_data, meeting),
        )
        serializer.instance = self.get_queryset().get(pk=meeting.pk)


def register(router) -> None:
    router.register("steering-committees", SteeringCommitteeViewSet, basename="steering-committee")
    router.register("steering-members", SteeringMemberViewSet, basename="steering-member")
    router.register("steering-meetings", SteeringMeetingViewSet, basename="steering-meeting")
    router.register(
        "steering-action-items", SteeringActionItemViewSet, basename="steering-action-item"
    )

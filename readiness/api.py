"""The readiness API: the same scope, rules and services as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, Max, OuterRef, Prefetch, Subquery
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agencies.models.validators import field_limit, word_text_limits
from ipsportal import access
from ipsportal.access import Action
from ipsportal.api import VERSION_ETAG, ConcurrencyMixin, Conflict, FilterSet, PreconditionFailed
from ipsportal.api_schema import error_responses
from ipsportal.models import Document
from ipsportal.notifications.models import Delivery
from readiness import services
from readiness.models import (
    ChecklistVersion,
    Rating,
    ReadinessVisit,
    VisitActionStep,
    VisitAreaRating,
    VisitLeader,
    VisitRecipient,
    VisitStatus,
    VisitVisitor,
)
from readiness.selectors import REPORT_KIND
from readiness.services import VISIT_FIELDS

# --------------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": ["", *Rating.values]})
class RatingField(serializers.CharField):
    """A rating as text: the service checks it, with a message that names the area."""


class WordedLimitsSerializer(serializers.Serializer):
    """Text past a field's limit is refused in words that name the field and the limit."""

    def get_fields(self):
        fields = super().get_fields()
        word_text_limits(fields)
        return fields


class RatingSerializer(WordedLimitsSerializer):
    area_key = serializers.CharField(max_length=60)
    rating = RatingField(
        max_length=20,
        allow_blank=True,
        required=False,
        default="",
        help_text='"ready", "work_needed", or "" (not rated yet).',
    )
    # The service checks the length, with a message that names the area.
    notes = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text=f"At most {field_limit(VisitAreaRating, 'notes'):,} characters.",
    )


class LeaderSerializer(WordedLimitsSerializer):
    name = serializers.CharField(max_length=field_limit(VisitLeader, "name"))
    title = serializers.CharField(
        max_length=field_limit(VisitLeader, "title"), allow_blank=True, required=False, default=""
    )


class VisitorSerializer(WordedLimitsSerializer):
    name = serializers.CharField(
        max_length=field_limit(VisitVisitor, "name"), allow_blank=True, required=False, default=""
    )
    affiliation = serializers.CharField(
        max_length=field_limit(VisitVisitor, "affiliation"),
        allow_blank=True,
        required=False,
        default="",
    )
    user_email = serializers.EmailField(
        required=False,
        allow_null=True,
        default=None,
        write_only=True,
        help_text="A state staff member with a portal account (optional).",
    )
    is_portal_user = serializers.SerializerMethodField()

    def get_is_portal_user(self, obj) -> bool:
        return bool(getattr(obj, "user_id", None))


class ActionStepSerializer(WordedLimitsSerializer):
    id = serializers.UUIDField(required=False, allow_null=True, default=None)
    text = serializers.CharField(
        max_length=field_limit(VisitActionStep, "text"), label="Action step"
    )
    owner = serializers.CharField(
        max_length=field_limit(VisitActionStep, "owner"),
        allow_blank=True,
        required=False,
        default="",
    )
    target_date = serializers.DateField(required=False, allow_null=True, default=None)
    area_key = serializers.CharField(max_length=60, allow_blank=True, required=False, default="")


class RecipientSerializer(WordedLimitsSerializer):
    name = serializers.CharField(
        max_length=field_limit(VisitRecipient, "name"),
        allow_blank=True,
        required=False,
        default="",
    )
    email = serializers.EmailField(max_length=field_limit(VisitRecipient, "email"))
    role = serializers.CharField(
        max_length=field_limit(VisitRecipient, "role"),
        allow_blank=True,
        required=False,
        default="",
    )
    vr_copy = serializers.BooleanField(required=False, default=False)


class ChecklistRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistVersion
        fields = ["id", "slug", "version", "title"]


class ReadinessVisitSerializer(serializers.ModelSerializer):
    """A visit as it is read."""

    agency = serializers.UUIDField(source="agency_id", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    collaborative = serializers.UUIDField(source="collaborative_id", read_only=True)
    checklist = ChecklistRefSerializer(read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)
    leaders = LeaderSerializer(many=True, read_only=True)
    visitors = VisitorSerializer(many=True, read_only=True)
    action_steps = ActionStepSerializer(many=True, read_only=True)
    recipients = RecipientSerializer(many=True, read_only=True)
    report_ready = serializers.BooleanField(
        read_only=True, help_text="The report PDF of the current version is ready."
    )
    email_sent_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the report was last emailed."
    )

    class Meta:
        model = ReadinessVisit
        fields = [
            "id",
            "agency",
            "agency_name",
            "collaborative",
            "checklist",
            "status",
            "version",
            # The visit's own fields, as the services name them (one list for every caller).
            *VISIT_FIELDS,
            "not_applicable_parts",
            "ratings",
            "leaders",
            "visitors",
            "action_steps",
            "recipients",
            "ready_count",
            "rated_count",
            "applicable_count",
            "created_at",
            "updated_at",
            "finalized_at",
            "report_ready",
            "email_sent_at",
        ]
        read_only_fields = fields


class VisitWriteSerializer(WordedLimitsSerializer):
    """What a client may send to create or change a draft; fields left out are unchanged."""

    visit_date = serializers.DateField(required=False)
    met_leadership = serializers.BooleanField(required=False)
    met_employment_staff = serializers.BooleanField(required=False)
    met_clients = serializers.BooleanField(required=False)
    activity_notes = serializers.CharField(
        max_length=field_limit(ReadinessVisit, "activity_notes"),
        allow_blank=True,
        required=False,
    )
    not_applicable_parts = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False
    )
    ratings = RatingSerializer(many=True, required=False)
    leaders = LeaderSerializer(many=True, required=False)
    visitors = VisitorSerializer(many=True, required=False)
    barriers = serializers.CharField(
        max_length=field_limit(ReadinessVisit, "barriers"), allow_blank=True, required=False
    )
    facilitators = serializers.CharField(
        max_length=field_limit(ReadinessVisit, "facilitators"), allow_blank=True, required=False
    )
    action_steps = ActionStepSerializer(many=True, required=False)
    recipients = RecipientSerializer(many=True, required=False)

    def service_data(self, *, user, collaborative) -> dict:
        """The services' data dict. Portal users named as visitors go through the access
        helpers like every id from a request body."""
        attrs = dict(self.validated_data)
        attrs.pop("agency", None)
        if "ratings" in attrs:
            attrs["ratings"] = {
                r["area_key"]: {"rating": r.get("rating", ""), "notes": r.get("notes", "")}
                for r in attrs["ratings"]
            }
        if "visitors" in attrs:
            members = {
                m.user.email.lower(): m
                for m in access.visit_visitor_candidates(user, collaborative)
            }
            visitors = []
            for n, row in enumerate(attrs["visitors"], start=1):
                email = (row.get("user_email") or "").lower()
                if email:
                    membership = members.get(email)
                    if membership is None:
                        raise serializers.ValidationError(
                            {"visitors": [f"Visitor {n}: no state staff member has this email."]}
                        )
                    visitors.append(
                        {
                            "user": membership.user,
                            "name": row.get("name") or membership.user.display_name,
                            "affiliation": row.get("affiliation") or membership.get_role_display(),
                        }
                    )
                else:
                    visitors.append(
                        {"user": None, "name": row["name"], "affiliation": row["affiliation"]}
                    )
            attrs["visitors"] = visitors
        return attrs


class VisitCreateSerializer(VisitWriteSerializer):
    """What a client sends to start a draft: the agency visited, and any fields of a draft."""

    agency = serializers.UUIDField(
        error_messages={"required": "Choose the agency visited."},
        help_text="The agency visited (outside your scope: 404).",
    )


class FinalizeSerializer(serializers.Serializer):
    send_email = serializers.BooleanField(
        required=False, default=True, help_text="Email the report to the recipients."
    )


class ChecklistSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistVersion
        fields = ["id", "slug", "version", "title", "collaborative", "is_active", "definition"]


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


class VisitFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")
    status = filters.ChoiceFilter(choices=VisitStatus.choices)
    visited_after = filters.DateFilter(field_name="visit_date", lookup_expr="gte")
    visited_before = filters.DateFilter(field_name="visit_date", lookup_expr="lte")

    class Meta:
        model = ReadinessVisit
        fields = ["agency", "status", "visited_after", "visited_before"]


WRITE_DESCRIPTION = (
    "Send the visit's ETag (from a read) in If-Match. If someone saved the visit since, the "
    "answer is 412 and nothing is written; without If-Match, 428."
)


@extend_schema_view(
    list=extend_schema(
        summary="Readiness visits you may read",
        description="Drafts are listed only for roles that see drafts (admins, trainers, "
        "reviewers); VR liaisons, supervisors and leaders see finalized visits.",
    ),
    retrieve=extend_schema(
        summary="One readiness visit (its ETag in the ETag header)",
        responses={
            200: ReadinessVisitSerializer,
            **error_responses(
                e403="A finalized visit of an agency you reach, which your role may not read"
            ),
        },
    ),
    create=extend_schema(
        summary="Start a draft visit (state admins and trainers)",
        request=VisitCreateSerializer,
        responses={201: ReadinessVisitSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a draft visit",
        description=WRITE_DESCRIPTION,
        request=VisitWriteSerializer,
        responses={
            200: ReadinessVisitSerializer,
            **error_responses(e409="The visit is finalized: it is no longer a draft"),
        },
    ),
)
class ReadinessVisitViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReadinessVisitSerializer
    filterset_class = VisitFilter
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "patch", "head", "options"]
    if_match_actions = ("finalize",)
    etag_pattern = VERSION_ETAG

    def get_queryset(self):
        report = Document.objects.filter(
            collaborative_id=OuterRef("collaborative_id"),
            kind=REPORT_KIND,
            subject_id=OuterRef("pk"),
            is_current=True,
            status=Document.Status.READY,
        )
        emailed = (
            Delivery.objects.filter(
                collaborative_id=OuterRef("collaborative_id"),
                kind=REPORT_KIND,
                subject_id=OuterRef("pk"),
                status=Delivery.Status.SENT,
            )
            .order_by()
            .values("subject_id")
            .annotate(last=Max("sent_at"))
            .values("last")
        )
        return (
            access.visits_in_scope(self.request.user)
            .select_related("agency", "checklist")
            .annotate(report_ready=Exists(report), email_sent_at=Subquery(emailed[:1]))
            .prefetch_related(
                "ratings",
                "leaders",
                "visitors",
                "recipients",
                Prefetch("action_steps", queryset=VisitActionStep.objects.order_by("position")),
            )
            .order_by("-visit_date", "-created_at")
        )

    def get_object(self):
        write = self.action in ("partial_update", "finalize")
        return access.access_visit(self.request.user, self.kwargs["pk"], write=write).visit

    def _read(self, visit, status_code=status.HTTP_200_OK) -> Response:
        visit = self.get_queryset().get(pk=visit.pk)
        self.tag_response(visit)
        return Response(ReadinessVisitSerializer(visit).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        visit = self.get_object()
        return self.not_modified(visit) or self._read(visit)

    def create(self, request, *args, **kwargs):
        serializer = VisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = access.access_agency(request.user, serializer.validated_data["agency"])
        if not found.can_write_readiness:
            raise exceptions.PermissionDenied(Action.READINESS_WRITE.refusal())
        agency = found.agency
        data = serializer.service_data(user=request.user, collaborative=agency.collaborative)
        visit = services.visit_create(user=request.user, agency=agency, data=data)
        return self._read(visit, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        visit = self.get_object()
        expected = self.expected_version()
        serializer = VisitWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if visit.is_final:
            raise Conflict("This visit is finalized: it can no longer be changed as a draft.")
        if visit.version != expected:
            # Stale before anything is looked up for the body; the service checks again under
            # its lock, where it counts.
            raise PreconditionFailed(services.VisitConflict(visit).message)
        data = serializer.service_data(user=request.user, collaborative=visit.collaborative)
        try:
            visit = services.visit_save_draft(
                user=request.user, visit=visit, data=data, expected_version=expected
            )
        except services.VisitConflict as exc:
            raise PreconditionFailed(exc.message) from exc
        return self._read(visit)

    def update(self, request, *args, **kwargs):  # PUT is not offered: changes are partial
        raise exceptions.MethodNotAllowed(request.method)

    @extend_schema(
        summary="Finalize a visit: read-only from now on; the report is rendered and emailed",
        description=WRITE_DESCRIPTION,
        request=FinalizeSerializer,
        responses={
            200: ReadinessVisitSerializer,
            **error_responses(
                e409="Already finalized, or not complete (what is missing is in `fields`)"
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def finalize(self, request, *args, **kwargs):
        visit = self.get_object()
        expected = self.expected_version()
        serializer = FinalizeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            visit = services.visit_finalize(
                user=request.user,
                visit=visit,
                expected_version=expected,
                send_email=serializer.validated_data["send_email"],
            )
        except services.VisitConflict as exc:
            raise PreconditionFailed(exc.message) from exc
        except DjangoValidationError as exc:
            # What stops a finalize is the stored visit (already final, incomplete), never
            # the request: a conflict with its state, listed as fields are.
            raise Conflict.from_validation(
                exc, "This visit cannot be finalized now: " + " ".join(exc.messages)
            ) from exc
        return self._read(visit)


@extend_schema_view(
    list=extend_schema(summary="Readiness checklist versions (standard and your adaptations)"),
    retrieve=extend_schema(summary="One checklist version with its parts, areas and questions"),
)
class ReadinessChecklistViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ChecklistSerializer
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return access.checklists_in_scope(self.request.user).order_by("slug", "-version")

    def get_object(self):
        return access.access_checklist(self.request.user, self.kwargs["pk"])


def register(router) -> None:
    router.register("readiness-visits", ReadinessVisitViewSet, basename="readinessvisit")
    router.register(
        "readiness-checklists", ReadinessChecklistViewSet, basename="readinesschecklist"
    )

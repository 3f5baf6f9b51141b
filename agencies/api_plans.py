"""The implementation plan API: plans with their steps and progress (read), and the steps
(create, change with If-Match, remove), through the plan services and the access package."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from agencies import services
from agencies.models import (
    ImplementationArea,
    ImplementationPhase,
    ImplementationPlan,
    ImplementationStep,
    PhaseChange,
)
from ipsportal import access
from ipsportal.api import ConcurrencyMixin, FilterSet

WRITE_DESCRIPTION = (
    "Send the step's ETag (from your last read) in If-Match: 428 without it, 412 when the "
    "step changed since."
)


class ImplementationStepSerializer(serializers.ModelSerializer):
    plan = serializers.UUIDField(source="plan_id", help_text="The plan (required to add a step).")
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    status = serializers.ChoiceField(choices=ImplementationStep.Status.choices, required=False)
    area = serializers.ChoiceField(choices=ImplementationArea.choices)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ImplementationStep
        fields = [
            "id",
            "plan",
            "agency",
            "area",
            "position",
            "action",
            "responsible",
            "target_date",
            "status",
            "notes",
            "overdue",
            "source_label",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "position", "source_label", "created_at", "updated_at"]

    def get_overdue(self, step) -> bool:
        return step.is_overdue_on(step.agency.collaborative.today())


class ImplementationStepUpdateSerializer(ImplementationStepSerializer):
    plan = serializers.UUIDField(source="plan_id", read_only=True)
    area = serializers.ChoiceField(choices=ImplementationArea.choices, required=False)


class AreaProgressSerializer(serializers.Serializer):
    area = serializers.CharField()
    label = serializers.CharField()
    done = serializers.IntegerField()
    applicable = serializers.IntegerField()


class PlanPhaseChangeSerializer(serializers.ModelSerializer):
    """A move of the plan's agency between phases (the whole record: /phase-changes/)."""

    from_phase = serializers.ChoiceField(choices=ImplementationPhase.choices)
    to_phase = serializers.ChoiceField(choices=ImplementationPhase.choices)

    class Meta:
        model = PhaseChange
        fields = ["id", "from_phase", "to_phase", "changed_at"]
        read_only_fields = fields


class ImplementationPlanSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    phase = serializers.ChoiceField(
        source="agency.implementation_phase",
        choices=ImplementationPhase.choices,
        read_only=True,
        help_text="The agency's implementation phase (POST /phase-changes/ moves it).",
    )
    phase_changes = serializers.SerializerMethodField(
        help_text="The agency's moves between phases, newest first."
    )
    steps = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImplementationPlan
        fields = ["id", "agency", "phase", "phase_changes", "created_at", "steps", "progress"]

    @extend_schema_field(PlanPhaseChangeSerializer(many=True))
    def get_phase_changes(self, plan) -> list:
        return PlanPhaseChangeSerializer(plan.phase_changes, many=True).data

    def _live(self, plan) -> list:
        return plan.live_steps

    def get_steps(self, plan) -> list:
        return ImplementationStepSerializer(self._live(plan), many=True).data

    def get_progress(self, plan) -> dict:
        steps = self._live(plan)
        status = ImplementationStep.Status
        areas = []
        for code, label in ImplementationArea.choices:
            mine = [s for s in steps if s.area == code]
            if mine:
                areas.append(
                    {
                        "area": code,
                        "label": label,
                        "done": sum(1 for s in mine if s.status == status.DONE),
                        "applicable": sum(1 for s in mine if s.status != status.NOT_APPLICABLE),
                    }
                )
        return {
            "done": sum(1 for s in steps if s.status == status.DONE),
            "applicable": sum(1 for s in steps if s.status != status.NOT_APPLICABLE),
            "areas": areas,
        }


class ImplementationPlanFilter(FilterSet):
    agency = filters.UUIDFilter(field_name="agency_id")

    class Meta:
        model = ImplementationPlan
        fields = ["agency"]


def _steps_prefetch():
    return Prefetch(
        "steps",
        queryset=ImplementationStep.objects.filter(removed_at__isnull=True)
        .select_related("agency__collaborative")
        .order_by("area", "position", "created_at"),
        to_attr="live_steps",
    )


@extend_schema_view(
    list=extend_schema(summary="Implementation plans you may see, with their steps"),
    retrieve=extend_schema(summary="One implementation plan with its steps and progress"),
)
class ImplementationPlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ImplementationPlanSerializer
    filterset_class = ImplementationPlanFilter
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return (
            access.rows(self.request.user, access.Action.PLAN_VIEW, ImplementationPlan)
            .select_related("agency")
            .prefetch_related(_steps_prefetch())
            .order_by("created_at")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._attach_phase_changes(page)
        return page

    def get_object(self):
        plan = super().get_object()
        self._attach_phase_changes([plan])
        return plan

    def _attach_phase_changes(self, plans) -> None:
        # One query for the phase changes of every agency on the page (a phase change has
        # no relation back from its agency to prefetch through).
        changes: dict = {}
        for change in (
            access.rows(self.request.user, access.Action.PLAN_VIEW, PhaseChange)
            .filter(agency_id__in={p.agency_id for p in plans})
            .order_by("-changed_at")
        ):
            changes.setdefault(change.agency_id, []).append(change)
        for plan in plans:
            plan.phase_changes = changes.get(plan.agency_id, [])


class ImplementationStepFilter(FilterSet):
    plan = filters.UUIDFilter(field_name="plan_id")
    agency = filters.UUIDFilter(field_name="agency_id")
    status = filters.ChoiceFilter(choices=ImplementationStep.Status.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue steps (or not)")

    class Meta:
        model = ImplementationStep
        fields = ["plan", "agency", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        # A collaborative's today is within a day of the server's: compare per row's date.
        today = timezone.localdate()
        late = queryset.filter(target_date__lt=today).exclude(
            status__in=[ImplementationStep.Status.DONE, ImplementationStep.Status.NOT_APPLICABLE]
        )
        ids = [
            s.pk
            for s in late.select_related("agency__collaborative")
            if s.is_overdue_on(s.agency.collaborative.today())
        ]
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


@extend_schema_view(
    list=extend_schema(summary="Implementation plan steps you may see"),
    retrieve=extend_schema(summary="One plan step (its ETag in the ETag header)"),
    create=extend_schema(summary="Add a step to a plan"),
    partial_update=extend_schema(summary="Change a step", description=WRITE_DESCRIPTION),
    update=extend_schema(summary="Replace a step", description=WRITE_DESCRIPTION),
    destroy=extend_schema(
        summary="Remove a step (kept, marked removed; the answer is the removed step)",
        description=WRITE_DESCRIPTION,
        responses={200: ImplementationStepSerializer},
    ),
)
class ImplementationStepViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ImplementationStepSerializer
    filterset_class = ImplementationStepFilter
    lookup_value_converter = "uuid"
    if_match_actions = ("destroy",)

    def get_queryset(self):
        return (
            access.rows(self.request.user, access.Action.PLAN_VIEW, ImplementationStep)
            .filter(removed_at__isnull=True)
            .select_related("agency__collaborative")
            .order_by("agency_id", "area", "position", "created_at")
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ImplementationStepUpdateSerializer
        return ImplementationStepSerializer

    def get_object(self):
        write = self.action in ("update", "partial_update", "destroy")
        step = access.access_plan_step(self.request.user, self.kwargs["pk"], write=write).step
        live = self.get_queryset().filter(pk=step.pk).first()
        if live is None:
            raise Http404("This step was removed from the plan.")
        return live

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = (
            access.rows(self.request.user, access.Action.PLAN_VIEW, ImplementationPlan)
            .filter(pk=data.pop("plan_id"))
            .select_related("agency")
            .first()
        )
        if plan is None:
            raise NotFound("No such plan.")
        (step,) = services.implementation_steps_add(user=self.request.user, plan=plan, steps=[data])
        serializer.instance = self.get_queryset().get(pk=step.pk)
        self.tag_response(serializer.instance)

    def perform_update(self, serializer):
        step = serializer.instance
        services.implementation_step_update(
            user=self.request.user, step=step, data=dict(serializer.validated_data)
        )
        serializer.instance = self.get_queryset().get(pk=step.pk)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            step = self.get_object()
            tag = self.if_match()
            self.precondition(ImplementationStep.objects.select_for_update().get(pk=step.pk), tag)
            services.implementation_step_remove(user=request.user, step=step)
        return Response(ImplementationStepSerializer(step).data)


def register(router) -> None:
    router.register(
        "implementation-plans", ImplementationPlanViewSet, basename="implementation-plan"
    )
    router.register(
        "implementation-steps", ImplementationStepViewSet, basename="implementation-step"
    )

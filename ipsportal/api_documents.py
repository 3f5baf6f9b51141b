"""The documents API: exports requested and followed by a client, record documents read,
every file downloaded with the same rules as the pages' download view."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ipsportal import access
from ipsportal.api import AnyAccept, FilterSet
from ipsportal.api_schema import error_responses
from ipsportal.documents import DOCUMENT_KINDS
from ipsportal.models import Document
from ipsportal.services import document_request

#: What a download answers with, by the document's format.
FILE_TYPES = tuple(
    sorted({Document(format=f).content_type.split(";")[0] for f in Document.Format.values})
)


class DocumentSerializer(serializers.ModelSerializer):
    collaborative = serializers.UUIDField(source="collaborative_id", read_only=True)
    agency = serializers.UUIDField(source="agency_id", read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "purpose",
            "format",
            "title",
            "collaborative",
            "agency",
            "subject_id",
            "record_version",
            "status",
            "progress",
            "progress_note",
            "error",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        """The API's download of the file, once it is ready."""
        if not obj.is_ready:
            return None
        from django.urls import reverse

        return reverse("document-download", kwargs={"pk": obj.pk})


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[], help_text="An export kind (the record documents come with their records)."
    )
    format = serializers.ChoiceField(choices=Document.Format.choices, required=False)
    collaborative = serializers.UUIDField(help_text="The collaborative the export is about.")
    agency = serializers.UUIDField(
        required=False, allow_null=True, help_text="For exports about one agency."
    )
    params = serializers.DictField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        required=False,
        help_text="The filters of the export (e.g. q, region, status of the overview).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sorted(
            (k.name, k.label) for k in DOCUMENT_KINDS.values() if not k.is_record
        )


class DocumentFilter(FilterSet):
    kind = filters.CharFilter()
    status = filters.ChoiceFilter(choices=Document.Status.choices)
    purpose = filters.ChoiceFilter(choices=Document.Purpose.choices)
    agency = filters.UUIDFilter(field_name="agency_id")
    subject = filters.UUIDFilter(field_name="subject_id")

    class Meta:
        model = Document
        fields = ["kind", "status", "purpose", "agency", "subject"]


@extend_schema_view(
    list=extend_schema(
        summary="Documents you may read: your exports, and the record documents of records "
        "you may read"
    ),
    retrieve=extend_schema(summary="One document, with its progress"),
    create=extend_schema(
        summary="Ask for an export: a worker renders it; follow its status and progress",
        description="A collaborative or agency outside your scope answers 404.",
        request=ExportRequestSerializer,
        responses={201: DocumentSerializer},
    ),
)
class DocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return access.documents_in_scope(self.request.user).order_by("-created_at")

    def get_object(self):
        return access.access_document(self.request.user, self.kwargs["pk"]).document

    def create(self, request, *args, **kwargs):
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        collaborative = access.access_collaborative(request.user, data["collaborative"])
        kind = DOCUMENT_KINDS[data["kind"]]
        agency = None
        if kind.subject is not None:
            if not data.get("agency"):
                raise serializers.ValidationError({"agency": ["This export is about an agency."]})
            agency = access.access_agency(request.user, data["agency"]).agency
            if agency.collaborative_id != collaborative.pk:
                raise Http404("No such agency.")
        elif data.get("agency"):
            raise serializers.ValidationError(
                {"agency": ["This export is about the whole collaborative: leave it out."]}
            )
        try:
            document = document_request(
                user=request.user,
                kind=kind.name,
                collaborative=collaborative,
                subject=agency,
                title=f"{kind.label} - {agency.name if agency else collaborative.name}",
                format=data.get("format"),
                params=data.get("params") or {},
            )
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the file of a ready document",
        description="The file answers with its own content type (the Accept header is not "
        "consulted); an error is the API's JSON.",
        responses={
            (200, *FILE_TYPES): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment"
            ),
            **error_responses(e404="Not found, not ready, or outside your scope"),
        },
    )
    @action(detail=True, methods=["get"], content_negotiation_class=AnyAccept)
    def download(self, request, *args, **kwargs):
        found = access.access_document(request.user, self.kwargs["pk"])
        if not found.can_download:
            raise Http404("This document is not ready.")
        document = found.document
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.filename,
            content_type=document.content_type,
        )
        response["Cache-Control"] = "no-store"
        return response


def register(router) -> None:
    router.register("documents", DocumentViewSet, basename="document")

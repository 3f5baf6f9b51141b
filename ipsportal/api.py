"""What every API view shares: one error shape, and optimistic concurrency (ETag/If-Match)."""

import hashlib

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail) -> list[str]:
    if isinstance(detail, list):
        return [str(x) for x in detail]
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    return [str(detail)]


def exception_handler(exc, context):
    """Every 4xx answers ``{"error": {"status", "code", "message", "fields"}}``.

    ``fields`` maps a field name to its messages (validation errors only), so a client can
    show each message beside its field.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {k: _flatten(v) for k, v in detail.items()}
        message = "The request has invalid fields: " + ", ".join(sorted(fields)) + "."
        code = "invalid"
    else:
        message = " ".join(_flatten(exc.detail)) if hasattr(exc, "detail") else str(exc)
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
    response.data = {
        "error": {
            "status": response.status_code,
            "code": code,
            "message": message,
            "fields": fields,
        }
    }
    return response


class ErrorSerializer(serializers.Serializer):
    """Documents the error shape in the OpenAPI schema."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# --------------------------------------------------------------------------------------------
# Optimistic concurrency: ETag on read, If-Match on write
# --------------------------------------------------------------------------------------------


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = (
        "Send the ETag you read in an If-Match header, so that nobody's changes are "
        "overwritten without notice."
    )


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_code = "precondition_failed"
    default_detail = (
        "Someone changed this since you read it (your If-Match no longer matches its "
        "ETag). Nothing was written: read it again, then send your change."
    )


def etag_of(obj) -> str:
    """A strong ETag of a row: its ``version`` where it has one, else a hash of its key and
    its last change."""
    version = getattr(obj, "version", None)
    if version is not None:
        return f'"v{version}"'
    changed = getattr(obj, "updated_at", None)
    digest = hashlib.sha256(f"{obj.pk}|{changed.isoformat() if changed else ''}".encode())
    return f'"{digest.hexdigest()[:20]}"'


def _tags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


class ConcurrencyMixin:
    """For resources two people edit: every read of one object carries an ``ETag``; every
    write must send it back in ``If-Match`` (428 when missing, 412 when someone changed the
    object since). The check runs on the row locked for the write, inside its transaction,
    so two writers based on the same version cannot both succeed."""

    #: Actions (besides update/partial_update) that write and need If-Match.
    if_match_actions: tuple[str, ...] = ()

    def writes(self) -> bool:
        return self.action in ("update", "partial_update", *self.if_match_actions)

    def precondition(self, obj) -> None:
        """Raise 428/412 unless the request's If-Match names the object's current ETag."""
        header = self.request.headers.get("If-Match", "")
        if not header.strip():
            raise PreconditionRequired()
        if "*" not in _tags(header) and etag_of(obj) not in _tags(header):
            raise PreconditionFailed()

    def expected_version(self) -> int:
        """The ``version`` an If-Match of a versioned row names (for services that compare
        versions under their own lock); 428 when missing, 412 when it is not one of ours."""
        header = self.request.headers.get("If-Match", "")
        if not header.strip():
            raise PreconditionRequired()
        for tag in _tags(header):
            if tag.startswith('"v') and tag.endswith('"') and tag[2:-1].isdigit():
                return int(tag[2:-1])
        raise PreconditionFailed()

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            current = self.get_object()
            model = type(current)
            locked = model._default_manager.select_for_update().get(pk=current.pk)
            self.precondition(locked)
            response = super().update(request, *args, **kwargs)
        self.tag_response(model._default_manager.get(pk=current.pk))
        return response

    def not_modified(self, obj) -> Response | None:
        """304 when the client's If-None-Match already names the object's ETag."""
        tag = etag_of(obj)
        if tag in _tags(self.request.headers.get("If-None-Match", "")):
            return Response(status=304, headers={"ETag": tag})
        return None

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        unchanged = self.not_modified(obj)
        if unchanged is not None:
            return unchanged
        self.tag_response(obj)
        return Response(self.get_serializer(obj).data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "_etag_object", None)
        if obj is not None and 200 <= response.status_code < 300:
            response["ETag"] = etag_of(obj)
        return response

    def tag_response(self, obj) -> None:
        """Send ``obj``'s ETag with this response (reads and successful writes)."""
        self._etag_object = obj


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version you read (from the ETag header of a read).",
)
CONCURRENCY_RESPONSES = {
    412: OpenApiResponse(ErrorSerializer, description="Changed by someone since you read it"),
    428: OpenApiResponse(ErrorSerializer, description="If-Match header missing"),
}

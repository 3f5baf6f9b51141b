"""What every API view shares: one error shape, one way to document it, and optimistic
concurrency (ETag/If-Match)."""

import hashlib
import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, negotiation, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail) -> list[str]:
    if isinstance(detail, list):
        return [str(x) for x in detail]
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    return [str(detail)]


def _worded_refusal(exc: exceptions.PermissionDenied) -> exceptions.PermissionDenied:
    """DRF's own 403s (a session write without its CSRF token, a refusal without words) in
    the portal's words: what was refused and whom to ask."""
    from ipsportal.views import CSRF_REFUSAL, GENERIC_REFUSAL

    detail = str(exc.detail)
    if detail.startswith("CSRF Failed"):
        return exceptions.PermissionDenied(CSRF_REFUSAL)
    if detail == str(exceptions.PermissionDenied.default_detail):
        return exceptions.PermissionDenied(GENERIC_REFUSAL)
    return exc


def error_body(status: int, code: str, message: str, fields: dict | None = None) -> dict:
    """The one error shape of the API (see :class:`ErrorSerializer`)."""
    return {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}}


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
    if isinstance(exc, exceptions.PermissionDenied):
        exc = _worded_refusal(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = dict(getattr(exc, "fields", None) or {})
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {k: _flatten(v) for k, v in detail.items()}
        message = "The request has invalid fields: " + ", ".join(sorted(fields)) + "."
        code = "invalid"
    else:
        message = " ".join(_flatten(exc.detail)) if hasattr(exc, "detail") else str(exc)
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
    response.data = error_body(response.status_code, code, message, fields)
    return response


class Conflict(exceptions.APIException):
    """409: the request is well formed, but the object's state does not allow it now (a
    finalized visit edited, an incomplete one finalized). ``fields`` says what is missing,
    as a validation error would."""

    status_code = 409
    default_code = "conflict"
    default_detail = "The object's state does not allow this now."

    def __init__(self, detail=None, fields: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.fields = fields or {}

    @classmethod
    def from_validation(cls, exc: DjangoValidationError, detail: str) -> "Conflict":
        """A service's refusal about the stored object's state, as a 409."""
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            fields = {"non_field_errors": [str(m) for m in exc.messages]}
        return cls(detail, fields)


class Unprocessable(Conflict):
    """422: the request is well formed and the schema allows it, but what it must hold
    depends on who sends it (a state admin recording a signature on the signer's behalf
    names the signer and says why). ``fields`` names what is missing."""

    status_code = 422
    default_code = "unprocessable"
    default_detail = "The request is missing what it needs from you."


def handler404(request, exception=None):
    """A URL that matches no route: under ``/api/`` the API's JSON error (a path id that is
    not a UUID ends here too), elsewhere the portal's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(404, "not_found", "Not found."), status=404)
    from ipsportal.views import error_404

    return error_404(request, exception)


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(
        help_text='A stable code: "invalid", "not_found", "permission_denied", '
        '"not_authenticated", "precondition_failed", ...'
    )
    message = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Validation errors only: each field's messages, by field name "
        '("non_field_errors" for the request as a whole). Empty otherwise.',
    )


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API, for every 4xx answer."""

    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "Error"


# --------------------------------------------------------------------------------------------
# Pages of lists, files
# --------------------------------------------------------------------------------------------


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, as the schema says them: an integer from 1 (a page that does not
    exist, or a ``page`` that is not such a number, answers 404)."""

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not re.fullmatch(r"[0-9]{1,12}", raw) or int(raw) < 1:
            raise exceptions.NotFound("Invalid page: give a page number from 1.")
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet, strict about blanks: a typed filter (a UUID, a date, a
    choice, yes/no) sent empty is refused with 400 rather than ignored, so that the API takes
    what the schema says (a UUID, a date...). Text filters may be empty."""

    def get_form_class(self):
        form_class = super().get_form_class()
        typed = [name for name, f in self.filters.items() if type(f) is not filters.CharFilter]
        yes_no = {name for name, f in self.filters.items() if isinstance(f, filters.BooleanFilter)}

        class StrictForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for name in typed:
                    if name not in self.data:
                        continue
                    value = str(self.data.get(name)).strip()
                    if not value:
                        self.add_error(name, "Leave this filter out, or give it a value.")
                    elif name in yes_no and value not in ("true", "false"):
                        # The form field would take "1", "no"... and ignore anything else.
                        self.add_error(name, "Use true or false.")
                return cleaned

        return StrictForm


#: The largest id a row may have (PostgreSQL's bigint).
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A filter on a numeric id (a user's): a whole number from 1 to the largest id a row
    may have, so that a number no row can have is refused with 400, not sent to the
    database."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class AnyAccept(negotiation.DefaultContentNegotiation):
    """For downloads: the file answers with its own content type whatever the Accept header
    says, and an error is the API's JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


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


#: The ETag of a row with a ``version``: ``"v3"``.
VERSION_ETAG = r'"v[0-9]{1,9}"'
#: The ETag of a row without one: a digest of its key and its last change.
DIGEST_ETAG = r'"[0-9a-f]{20}"'


def etag_of(obj) -> str:
    """A strong ETag of a row: its ``version`` where it has one (:data:`VERSION_ETAG`), else
    a hash of its key and its last change (:data:`DIGEST_ETAG`)."""
    version = getattr(obj, "version", None)
    if version is not None:
        return f'"v{version}"'
    changed = getattr(obj, "updated_at", None)
    digest = hashlib.sha256(f"{obj.pk}|{changed.isoformat() if changed else ''}".encode())
    return f'"{digest.hexdigest()[:20]}"'


def _tags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


class ConcurrencyMixin:
    """For resources two people edit: every read of one object carries an ``ETag`` (and so
    does the answer to a create: views call :meth:`tag_response`); every
    write must send it back in ``If-Match`` (428 when missing, 400 when it is not an ETag of
    this resource, 412 when someone changed the object since). The body is validated before
    the versions are compared, and the comparison runs on the row locked for the write,
    inside its transaction, so two writers based on the same version cannot both succeed.
    """

    #: Actions (besides update/partial_update) that write and need If-Match.
    if_match_actions: tuple[str, ...] = ()
    #: The form of this resource's ETags (a regular expression, also the schema's pattern).
    etag_pattern: str = DIGEST_ETAG

    def writes(self) -> bool:
        return self.action in ("update", "partial_update", *self.if_match_actions)

    def if_match(self) -> str:
        """The ETag the request's If-Match names: 428 when missing, 400 when it is not one
        ETag of this resource's form (``*`` and lists are refused: a write names the
        version it was based on)."""
        header = self.request.headers.get("If-Match", "").strip()
        if not header:
            raise PreconditionRequired()
        if not re.fullmatch(self.etag_pattern, header):
            raise exceptions.ValidationError(
                {
                    "If-Match": [
                        "Send the ETag header of your last read of this resource, as it came "
                        "(quotes included)."
                    ]
                }
            )
        return header

    def precondition(self, obj, tag: str) -> None:
        """412 unless ``tag`` is the object's current ETag."""
        if etag_of(obj) != tag:
            raise PreconditionFailed()

    def expected_version(self) -> int:
        """The ``version`` the request's If-Match names (for services that compare versions
        under their own lock); 428 when missing, 400 when malformed."""
        return int(self.if_match()[2:-1])

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            current = self.get_object()
            tag = self.if_match()
            serializer = self.get_serializer(current, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            model = type(current)
            self.precondition(model._default_manager.select_for_update().get(pk=current.pk), tag)
            self.perform_update(serializer)
        self.tag_response(model._default_manager.get(pk=current.pk))
        return Response(serializer.data)

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

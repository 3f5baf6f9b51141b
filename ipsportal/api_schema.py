"""The API's schema: what every operation answers, derived from how its view is built, so
that the OpenAPI document says what the API does without each view repeating it.

(Apart from ``ipsportal.api`` because drf-spectacular's AutoSchema imports DRF's generic
views, which import the pagination class ``ipsportal.api`` defines.)
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import permissions, serializers

from ipsportal.api import AnyAccept, ConcurrencyMixin, ErrorSerializer

#: A character that is not white space as Python's ``str.strip()`` sees it (what DRF trims
#: from text before it checks it), spelled out so that every regex engine reads it alike
#: (``\S`` differs between engines on characters such as U+001C-U+001F).
NOT_BLANK = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"

ERROR_DESCRIPTIONS = {
    400: "Invalid fields (each field's messages in `fields`), query filters or header",
    401: "No credentials, or a token that is not valid",
    403: "Inside your scope, without the right (or a session write without its CSRF token)",
    404: "Not found or outside your scope",
    406: "The Accept header asks for something other than JSON",
    409: "The object's state does not allow this now",
    412: "Changed by someone since you read it: nothing was written; read it again",
    415: "The body is not JSON: send it as application/json",
    422: "Well formed, but missing what your role must give (each field's messages in `fields`)",
    428: "If-Match header missing",
}


def _error(code: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description or ERROR_DESCRIPTIONS[code])


def error_responses(*codes: int, **described: str) -> dict[int, OpenApiResponse]:
    """Error responses for ``extend_schema(responses=...)``: ``error_responses(409,
    e404="Not ready, or not yours")``. The schema adds the ones every operation of its kind
    answers by itself (:class:`PortalAutoSchema`)."""
    responses = {code: _error(code) for code in codes}
    for key, description in described.items():
        responses[int(key.removeprefix("e"))] = _error(int(key.removeprefix("e")), description)
    return responses


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus what the API does for every operation without each view
    saying it again: the error responses of its kind (401 with authentication, 403 on writes,
    404 with a path id or pages, 400 with a body or filters, 406 and 415 from content
    negotiation), and for :class:`ConcurrencyMixin` views the ``ETag`` response header, the
    ``If-None-Match`` of reads (304) and the required ``If-Match`` of writes (400/412/428)."""

    def _is_list_view(self, serializer=None) -> bool:
        # A view that answers one object on its collection address (an agency's compliance)
        # says so, or its 200 would be described as an array.
        if getattr(self.view, "answers_one_object", False):
            return False
        return super()._is_list_view(serializer)

    def _concurrency(self) -> tuple[bool, bool]:
        """(reads one object with an ETag, writes with If-Match)."""
        view = self.view
        if not isinstance(view, ConcurrencyMixin) or not getattr(view, "action", None):
            return False, False
        return view.action == "retrieve", view.writes()

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        reads, writes = self._concurrency()
        if not (reads or writes or self._is_create_operation()):
            return parameters
        if not isinstance(self.view, ConcurrencyMixin):
            return parameters
        etag_codes = [200, 304] if reads else [201] if self._is_create_operation() else [200]
        parameters.append(
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=etag_codes,
                required=True,
                pattern=f"^{self.view.etag_pattern}$",
                description="The version you read: send it back in If-Match to change it.",
            )
        )
        if reads:
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The ETag you hold: 304 with no body while it is current.",
                )
            )
        if writes:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    pattern=f"^{self.view.etag_pattern}$",
                    description="The ETag of the version you read (the ETag header of a read "
                    "or of your last write). Someone else's change since answers 412 and "
                    "nothing is written.",
                )
            )
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and type(field) is serializers.CharField
            and field.trim_whitespace
            and not field.allow_blank
            and "pattern" not in schema
        ):
            # Text is trimmed before it is checked, so a required text needs a character
            # that is not white space.
            schema["pattern"] = NOT_BLANK
        return schema

    def _has_request_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH") and bool(self._get_request_body())

    def _default_error_codes(self) -> list[int]:
        view = self.view
        reads, writes = self._concurrency()
        has_body = self._has_request_body()
        codes = []
        if has_body or writes or (self._is_list_view() and self._get_filter_parameters()):
            codes.append(400)
        if not all(isinstance(p, permissions.AllowAny) for p in view.get_permissions()):
            codes.append(401)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.append(403)
        paginated = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paginated or has_body:
            codes.append(404)
        if not isinstance(view.get_content_negotiator(), AnyAccept):
            codes.append(406)
        if writes:
            codes += [412, 428]
        if has_body:
            codes.append(415)
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        reads, _writes = self._concurrency()
        if reads:
            responses.setdefault(
                "304", self._get_response_for_code(None, "304", direction=direction)
            )
            responses["304"]["description"] = "Not modified: the ETag you sent is current"
        for code in self._default_error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    _error(code), str(code), ["application/json"], direction
                )
        return dict(sorted(responses.items()))

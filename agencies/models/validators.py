"""Checks of typed values that every form, serializer and service shares: text limits, US
phone numbers and ZIP codes. Each message names the field, so it reads the same beside the
field on a page, in an error list, or in an API answer."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.text import capfirst


def too_long_message(label: str, limit: int, entered: int) -> str:
    """E.g. "Notes: at most 5,000 characters (you entered 5,210)"."""
    return f"{capfirst(label)}: at most {limit:,} characters (you entered {entered:,})."


class LengthLimit(MaxLengthValidator):
    """The length limit of a text, refused in words that name the field and its limit.

    Forms and serializers get it in place of the stock validator (see
    :func:`word_text_limits`); models check it in ``TenantOwned.clean_fields``."""

    def __init__(self, limit: int, label: str):
        super().__init__(limit)
        self.label = label

    def __call__(self, value) -> None:
        entered = len(value or "")
        if entered > self.limit_value:
            raise ValidationError(
                too_long_message(self.label, self.limit_value, entered), code="max_length"
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, LengthLimit) and (self.limit_value, self.label) == (
            other.limit_value,
            other.label,
        )

    __hash__ = MaxLengthValidator.__hash__


def word_text_limits(fields: Iterable, labels: dict[str, str] | None = None) -> None:
    """Replace the stock length validator of each form or serializer field by
    :class:`LengthLimit` with the field's label. ``fields`` is a form's or serializer's
    ``fields`` mapping; ``labels`` overrides a label by field name."""
    labels = labels or {}
    items = fields.items() if hasattr(fields, "items") else fields
    for name, field in items:
        limit = getattr(field, "max_length", None)
        if limit is None:
            continue
        label = labels.get(name) or str(getattr(field, "label", None) or name.replace("_", " "))
        kept = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        field.validators = [*kept, LengthLimit(limit, label)]
        if isinstance(field, forms.CharField):
            field.to_python = _with_plain_line_breaks(field.to_python)


def _with_plain_line_breaks(to_python):
    """A form field's conversion that stores each line break as one character: browsers
    count a line break as one against ``maxlength`` but send it as two (CR LF), so text the
    page let through would otherwise be refused as too long."""

    def convert(value):
        value = to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    return convert


def field_limit(model, name: str) -> int:
    """A text field's length limit, as the model declares it (the one place limits live)."""
    return model._meta.get_field(name).max_length


# --------------------------------------------------------------------------------------------
# US phone numbers and ZIP codes
# --------------------------------------------------------------------------------------------

_EXTENSION = re.compile(r"\s*(?:,|;)?\s*(?:ext\.?|extension|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_PHONE_CHARACTERS = re.compile(r"^[\d\s().+\-/]*$")
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")

PHONE_MESSAGE = (
    "Phone: enter a US phone number of 10 digits, such as (573) 555-0142 or 573-555-0142 ext. 12."
)
ZIP_MESSAGE = "ZIP code: enter 5 digits or ZIP+4, such as 65101 or 65101-1234."


def phone_digits(value: str) -> tuple[str, str] | None:
    """The 10 digits and the extension of a US phone number as people type it (spaces,
    dots, dashes, brackets, a leading +1 or 1, "ext. 12" or "x12"), or None."""
    text = (value or "").strip()
    extension = ""
    found = _EXTENSION.search(text)
    if found:
        extension, text = found.group(1), text[: found.start()]
    if not _PHONE_CHARACTERS.match(text) or text.count("+") > 1:
        return None
    if "+" in text and not text.lstrip().startswith("+"):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    elif text.lstrip().startswith("+"):
        return None  # a country code other than +1
    # North American numbers: neither the area code nor the exchange starts with 0 or 1.
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return digits, extension


#: The forms the API's schema offers (a part of what the validators accept: the schema is a
#: promise that what matches it is accepted).
PHONE_SCHEMA_PATTERN = (
    r"^(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-]?)[2-9]\d{2}[ .-]?\d{4}"
    r"(?: ?(?:ext\. ?|x)\d{1,6})?$"
)
ZIP_SCHEMA_PATTERN = r"^\d{5}(?:-\d{4})?$"


@deconstructible
class USPhoneValidator(RegexValidator):
    """A US phone number: 10 digits with common punctuation, an optional extension.
    ``regex`` is only what the API's schema shows of it; the check is :func:`phone_digits`."""

    regex = PHONE_SCHEMA_PATTERN

    def __call__(self, value) -> None:
        if value and phone_digits(value) is None:
            raise ValidationError(PHONE_MESSAGE, code="phone")

    def __eq__(self, other) -> bool:
        return isinstance(other, USPhoneValidator)


@deconstructible
class USZipValidator(RegexValidator):
    """A US ZIP code: 5 digits, or ZIP+4 (``65101-1234``); ``regex`` is also what the API's
    schema shows."""

    regex = ZIP_SCHEMA_PATTERN

    def __call__(self, value) -> None:
        if value and not _ZIP.match(value.strip()):
            raise ValidationError(ZIP_MESSAGE, code="zip")

    def __eq__(self, other) -> bool:
        return isinstance(other, USZipValidator)


def normalise_phone(value: str) -> str:
    """A valid phone number written one way, ``(573) 555-0142`` (``ext. 12``); anything
    else is returned as typed, for the validator to refuse."""
    parts = phone_digits(value)
    if parts is None:
        return (value or "").strip()
    digits, extension = parts
    text = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return f"{text} ext. {extension}" if extension else text

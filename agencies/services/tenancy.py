"""Writes of agencies and regions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from agencies.models import (
    Agency,
    Collaborative,
    Region,
)
from agencies.models.validators import normalise_phone
from ipsportal import access
from ipsportal.models import User

AGENCY_FIELDS = (
    "name",
    "region",
    "street",
    "city",
    "state",
    "postal_code",
    "phone",
    "vr_vendor_status",
    "carf_accredited",
    "ccbhc",
    "pros_program",
    "implementation_start_date",
    "partner_employment_agency",
    "is_active",
)

#: A new agency's fields: its profile and the phase it starts in. After that the phase moves
#: only through ``agency_phase_change``, which records who moved it and when.
AGENCY_CREATE_FIELDS = (*AGENCY_FIELDS, "implementation_phase")


def _unique_slug(collaborative: Collaborative, name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:70] or "agency"
    slug, n = base, 2
    taken = Agency.objects.filter(collaborative=collaborative)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _save_named(row: Agency | Region) -> None:
    """Save an agency or a region. The database holds the rule that names are unique in a
    collaborative; when a concurrent save took the name between ``full_clean()`` and this
    save, the constraint's refusal is reported on the name field like any other."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        row.validate_constraints()  # raises the ValidationError naming the field
        raise


def _agency_fields(data: dict[str, Any], names: tuple[str, ...] = AGENCY_FIELDS) -> dict[str, Any]:
    # Phone numbers are stored one way, whatever punctuation people typed.
    fields = {k: v for k, v in data.items() if k in names}
    if fields.get("phone"):
        fields["phone"] = normalise_phone(fields["phone"])
    return fields


def _check_region(collaborative: Collaborative, region: Region | None) -> None:
    if region is not None and region.collaborative_id != collaborative.pk:
        raise ValidationError({"region": "Choose a region of this collaborative."})


def agency_create(*, user: User, collaborative: Collaborative, data: dict[str, Any]) -> Agency:
    """Create an agency in a collaborative. The caller holds CREATE_AGENCY there."""
    access.require(user, access.Action.AGENCY_CREATE, collaborative=collaborative)
    fields = _agency_fields(data, AGENCY_CREATE_FIELDS)
    _check_region(collaborative, fields.get("region"))
    with transaction.atomic():
        agency = Agency(collaborative=collaborative, **fields)
        agency.slug = _unique_slug(collaborative, agency.name or "")
        agency.full_clean()
        _save_named(agency)
    return agency


def agency_update(*, user: User, agency: Agency, data: dict[str, Any]) -> Agency:
    """Change an agency's profile. The caller fetched it with ``access_agency(write=True)``.
    The implementation phase is not among the fields (``agency_phase_change`` moves it)."""
    access.require(user, access.Action.AGENCY_EDIT, agency=agency)
    fields = _agency_fields(data)
    _check_region(agency.collaborative, fields.get("region", agency.region))
    with transaction.atomic():
        for key, value in fields.items():
            setattr(agency, key, value)
        agency.full_clean()
        _save_named(agency)
    return agency


def region_save(
    *, user: User, collaborative: Collaborative, data: dict[str, Any], region: Region | None = None
) -> Region:
    """Create (``region=None``) or change a region of a collaborative."""
    access.require(user, access.Action.REGION_MANAGE, collaborative=collaborative)
    with transaction.atomic():
        region = region or Region(collaborative=collaborative)
        for key in ("name", "liaison_name", "liaison_email"):
            if key in data:
                setattr(region, key, data[key])
        region.full_clean()
        _save_named(region)
    return region

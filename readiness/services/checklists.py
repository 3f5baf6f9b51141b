"""The readiness checklist as versioned data: installing versions and picking the current one."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Collaborative
from readiness.models import (
    ChecklistVersion,
    parse_definition,
)
from readiness.services.common import STANDARD_CHECKLIST


def checklist_install(
    *, definition: dict[str, Any], collaborative: Collaborative | None = None
) -> tuple[ChecklistVersion, bool]:
    """Install a checklist version from its definition: the standard checklist, or with
    ``collaborative`` that collaborative's adaptation.

    Idempotent: installing the same definition again returns the existing row (created is
    False). A different definition under a version number already installed is refused,
    because visits made with that version must keep it unchanged.
    """
    parse_definition(definition)  # raises ValidationError when malformed
    slug = str(definition.get("slug") or "")
    version = definition.get("version")
    if not slug or not isinstance(version, int) or version < 1:
        raise ValidationError("A checklist needs a slug and a positive integer version.")
    with transaction.atomic():
        existing = ChecklistVersion.objects.filter(
            collaborative=collaborative, slug=slug, version=version
        ).first()
        if existing is not None:
            if existing.definition != definition:
                raise ValidationError(
                    f"Version {version} of {slug!r} is already installed with other content; "
                    "give the changed checklist a new version number."
                )
            return existing, False
        checklist = ChecklistVersion(
            collaborative=collaborative,
            slug=slug,
            version=version,
            title=str(definition.get("title") or slug),
            definition=definition,
        )
        checklist.full_clean()
        checklist.save()
    return checklist, True


def checklist_install_standard() -> ChecklistVersion:
    """Install the standard checklist shipped with the portal (idempotent)."""
    definition = json.loads(STANDARD_CHECKLIST.read_text(encoding="utf-8"))
    checklist, _ = checklist_install(definition=definition)
    return checklist


def checklist_current(*, collaborative: Collaborative) -> ChecklistVersion:
    """The checklist new visits of a collaborative use: its newest active adaptation, or
    else the newest active standard version."""
    active = ChecklistVersion.objects.filter(is_active=True).order_by("-version", "-created_at")
    checklist = active.filter(collaborative=collaborative).first()
    if checklist is None:
        checklist = active.filter(collaborative__isnull=True).first()
    if checklist is None:
        checklist = checklist_install_standard()
    return checklist

"""Shared pieces of the readiness services: constants, the conflict error, local time."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.dateformat import format as date_format

from agencies.models import Collaborative
from readiness.models import (
    ReadinessVisit,
)

CHECKLIST_DIR = Path(__file__).resolve().parent.parent / "checklists"
STANDARD_CHECKLIST = CHECKLIST_DIR / "ips-readiness-v1.json"
REPORT_KIND = "readiness_visit"

#: Plain fields of a visit that the data dict may carry.
VISIT_FIELDS = (
    "visit_date",
    "met_leadership",
    "met_employment_staff",
    "met_clients",
    "activity_notes",
    "barriers",
    "facilitators",
)


class VisitConflict(Exception):
    """A save was based on an older version of the visit than the stored one.

    Nothing was written; ``current`` is the stored visit, so the caller can say who saved it
    and when, and keep the submitted data on screen.
    """

    def __init__(self, current: ReadinessVisit):
        self.current = current
        super().__init__(self.message)

    @property
    def message(self) -> str:
        who = self.current.updated_by.display_name if self.current.updated_by else "Someone"
        when = local_time(self.current.updated_at, self.current.collaborative)
        return (
            f"{who} saved this visit at {when}, after you opened it. Your changes were not "
            "saved, so nothing was overwritten: copy your changes, then reload the page to "
            "see the latest version."
        )


def collaborative_today(collaborative: Collaborative) -> datetime.date:
    """Today's date in the collaborative's time zone."""
    return timezone.now().astimezone(collaborative.zoneinfo).date()


def local_time(value: datetime.datetime | None, collaborative: Collaborative) -> str:
    """A time as people of the collaborative read it, e.g. "10:42 a.m. on Nov. 23" (with the
    year when it is not this year)."""
    if value is None:
        return ""
    local = value.astimezone(collaborative.zoneinfo)
    this_year = timezone.now().astimezone(collaborative.zoneinfo).year
    pattern = "g:i a \\o\\n N j" if local.year == this_year else "g:i a \\o\\n N j, Y"
    return date_format(local, pattern)

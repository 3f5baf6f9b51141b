"""Shared pieces of the readiness services: constants and the conflict error."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils.dateformat import format as date_format

from agencies.models import Collaborative
from readiness.models import (
    ReadinessVisit,
)
from readiness.selectors import REPORT_KIND  # noqa: F401  (the report's document kind)

CHECKLIST_DIR = Path(__file__).resolve().parent.parent / "checklists"
STANDARD_CHECKLIST = CHECKLIST_DIR / "ips-readiness-v1.json"

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


#: Visits before this day are typos (the portal's collaboratives started long after).
EARLIEST_VISIT_DATE = datetime.date(2000, 1, 1)


def visit_date_problem(collaborative: Collaborative, value: datetime.date) -> str:
    """Why a visit date is refused (empty when it is fine): the visit has taken place, on
    the collaborative's today at the latest, and not before 2000. The one place of the rule,
    used by the services, the forms and the API."""
    if value < EARLIEST_VISIT_DATE:
        return (
            f"The visit date cannot be before {date_format(EARLIEST_VISIT_DATE, 'F j, Y')}: "
            f"check the year ({value.year})."
        )
    today = collaborative.today()
    if value > today:
        return (
            f"The visit date cannot be in the future (today is "
            f"{date_format(today, 'F j, Y')} in {collaborative.time_zone})."
        )
    return ""


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
        when = self.current.collaborative.local_time_text(self.current.updated_at)
        return (
            f"{who} saved this visit at {when}, after you opened it. Your changes were not "
            "saved, so nothing was overwritten: copy your changes, then reload the page to "
            "see the latest version."
        )

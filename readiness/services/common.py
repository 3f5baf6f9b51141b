"""Shared pieces of the readiness services: constants and the conflict error."""

from __future__ import annotations

from pathlib import Path

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

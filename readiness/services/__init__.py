"""Writes of readiness visits. HTML views, API views and tasks all call these.

- ``checklists``: the checklist as versioned data;
- ``visits``: drafts with optimistic locking, finalize (the report and its emails),
  amendments, discard;
- ``plan``: action steps into the agency's implementation plan;
- ``common``: constants and the conflict error.
"""

from readiness.services.checklists import (
    checklist_current,
    checklist_install,
    checklist_install_standard,
)
from readiness.services.common import (
    CHECKLIST_DIR,
    EARLIEST_VISIT_DATE,
    REPORT_KIND,
    STANDARD_CHECKLIST,
    VISIT_FIELDS,
    VisitConflict,
    visit_date_problem,
)
from readiness.services.plan import (
    converted_step_ids,
    default_plan_area,
    visit_steps_to_plan,
    visitor_role_label,
)
from readiness.services.visits import (
    visit_amend,
    visit_create,
    visit_discard,
    visit_finalize,
    visit_missing_items,
    visit_report_resend,
    visit_save_draft,
    visit_snapshot,
)

__all__ = [
    "CHECKLIST_DIR",
    "EARLIEST_VISIT_DATE",
    "REPORT_KIND",
    "STANDARD_CHECKLIST",
    "VISIT_FIELDS",
    "VisitConflict",
    "checklist_current",
    "checklist_install",
    "checklist_install_standard",
    "converted_step_ids",
    "default_plan_area",
    "visit_amend",
    "visit_create",
    "visit_date_problem",
    "visit_discard",
    "visit_finalize",
    "visit_missing_items",
    "visit_report_resend",
    "visit_save_draft",
    "visit_snapshot",
    "visit_steps_to_plan",
    "visitor_role_label",
]

"""The permission matrix: which role may do which action, and how (data, tested as a matrix)."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from agencies.models import Role

if TYPE_CHECKING:
    pass


class Action(enum.StrEnum):
    """What a user may want to do. Collaborative-wide actions have no agency."""

    VIEW_AGENCY = "view_agency"  # agency, plans, outcomes, final reviews
    EDIT_AGENCY = "edit_agency"  # agency profile, roster, plan, steering committee
    CREATE_AGENCY = "create_agency"  # collaborative-wide: new agencies
    MANAGE_REGIONS = "manage_regions"  # collaborative-wide
    READINESS_VIEW = "readiness_view"
    READINESS_WRITE = "readiness_write"
    FIDELITY_VIEW = "fidelity_view"
    FIDELITY_SCORE = "fidelity_score"  # score, reconcile, finalize
    ACTION_PLAN_WRITE = "action_plan_write"
    OUTCOMES_ENTER = "outcomes_enter"  # enter, submit
    OUTCOMES_APPROVE = "outcomes_approve"  # approve, return, reopen
    BILLING_WRITE = "billing_write"
    EXPORT = "export"  # PDF / CSV
    MANAGE_USERS = "manage_users"

    @property
    def label_text(self) -> str:
        return self.value.replace("_", " ")


class Grant(enum.StrEnum):
    """How a role holds an action. Anything but ALWAYS narrows it; the feature enforces how."""

    ALWAYS = "always"
    FINAL_ONLY = "final_only"  # may read finalized records only
    APPROVED_ONLY = "approved_only"  # may read approved data only (VR liaisons)
    IF_ASSIGNED_REVIEWER = "if_assigned_reviewer"  # only on reviews they are a reviewer of
    OWN_RECORDS = "own_records"  # only records they created (employment specialists)
    AGENCY_STAFF_ONLY = "agency_staff_only"  # may manage users of agency roles only


R = Role
G = Grant

#: The permission matrix of DESIGN.md: action -> role -> grant. A missing role is "no".
PERMISSIONS: dict[Action, dict[Role, Grant]] = {
    Action.VIEW_AGENCY: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.FIDELITY_REVIEWER: G.ALWAYS,
        R.VR_LIAISON: G.APPROVED_ONLY,
        R.IPS_SUPERVISOR: G.ALWAYS,
        R.AGENCY_LEADER: G.ALWAYS,
        R.EMPLOYMENT_SPECIALIST: G.ALWAYS,
    },
    Action.EDIT_AGENCY: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.IPS_SUPERVISOR: G.ALWAYS,
    },
    Action.CREATE_AGENCY: {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS},
    Action.MANAGE_REGIONS: {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS},
    Action.READINESS_VIEW: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.FIDELITY_REVIEWER: G.ALWAYS,
        R.VR_LIAISON: G.FINAL_ONLY,
        R.IPS_SUPERVISOR: G.FINAL_ONLY,
        R.AGENCY_LEADER: G.FINAL_ONLY,
    },
    Action.READINESS_WRITE: {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS},
    Action.FIDELITY_VIEW: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.FIDELITY_REVIEWER: G.ALWAYS,
        R.VR_LIAISON: G.FINAL_ONLY,
        R.IPS_SUPERVISOR: G.FINAL_ONLY,
        R.AGENCY_LEADER: G.FINAL_ONLY,
        R.EMPLOYMENT_SPECIALIST: G.FINAL_ONLY,
    },
    Action.FIDELITY_SCORE: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.IF_ASSIGNED_REVIEWER,
        R.FIDELITY_REVIEWER: G.IF_ASSIGNED_REVIEWER,
    },
    Action.ACTION_PLAN_WRITE: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.IPS_SUPERVISOR: G.ALWAYS,
        R.AGENCY_LEADER: G.ALWAYS,
    },
    Action.OUTCOMES_ENTER: {R.IPS_SUPERVISOR: G.ALWAYS},
    Action.OUTCOMES_APPROVE: {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS},
    Action.BILLING_WRITE: {R.IPS_SUPERVISOR: G.ALWAYS, R.EMPLOYMENT_SPECIALIST: G.OWN_RECORDS},
    Action.EXPORT: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.ALWAYS,
        R.FIDELITY_REVIEWER: G.ALWAYS,
        R.VR_LIAISON: G.ALWAYS,
        R.IPS_SUPERVISOR: G.ALWAYS,
        R.AGENCY_LEADER: G.ALWAYS,
    },
    Action.MANAGE_USERS: {R.STATE_ADMIN: G.ALWAYS, R.IPS_SUPERVISOR: G.AGENCY_STAFF_ONLY},
}

#: Actions that concern the whole collaborative rather than one agency.
COLLABORATIVE_ACTIONS = frozenset({Action.CREATE_AGENCY, Action.MANAGE_REGIONS})

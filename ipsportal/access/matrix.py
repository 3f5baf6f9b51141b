"""The permission matrix: which role may do which action, and how (data, tested as a matrix).

Actions are named noun first and split per kind of object, so that the condition of a grant
means one thing: ``readiness_view`` is about readiness visits, where "final only" means a
visit's status; ``outcomes_view`` about outcome reports, where "approved only" means a
report's status. What a condition means for each model is declared once, in
:mod:`ipsportal.access.conditions`.
"""

from __future__ import annotations

import enum

from agencies.models import Role


class Action(enum.StrEnum):
    """What a user may want to do, noun first. Collaborative-wide actions have no agency."""

    description: str

    def __new__(cls, value: str, description: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    AGENCY_VIEW = "agency_view", "see this agency"
    AGENCY_EDIT = "agency_edit", "change this agency's profile"
    AGENCY_CREATE = "agency_create", "add agencies"
    AGENCY_EXPORT = "agency_export", "export this agency's summary"
    REGION_MANAGE = "region_manage", "manage the regions of the collaborative"
    PLAN_VIEW = "plan_view", "see implementation plans"
    PLAN_EDIT = "plan_edit", "change implementation plans"
    ROSTER_VIEW = "roster_view", "see the staff roster"
    ROSTER_EDIT = "roster_edit", "change the staff roster"
    STEERING_VIEW = "steering_view", "see steering committees and their meetings"
    STEERING_EDIT = "steering_edit", "change steering committees, their meetings and action items"
    AGREEMENT_VIEW = "agreement_view", "see training and TA agreements"
    AGREEMENT_EDIT = "agreement_edit", "draft or change training and TA agreements"
    AGREEMENT_SIGN = "agreement_sign", "sign training and TA agreements"
    TA_ACTIVITY_VIEW = "ta_activity_view", "see the log of training and TA activities"
    TA_ACTIVITY_WRITE = "ta_activity_write", "log training and TA activities"
    READINESS_VIEW = "readiness_view", "read readiness visits"
    READINESS_WRITE = "readiness_write", "log or change readiness visits"
    READINESS_EXPORT = "readiness_export", "download readiness visit reports and lists"
    FIDELITY_VIEW = "fidelity_view", "read fidelity reviews"
    FIDELITY_SCORE = "fidelity_score", "score, reconcile or finalize fidelity reviews"
    FIDELITY_RATINGS_VIEW = (
        "fidelity_ratings_view",
        "read the reviewers' own ratings of fidelity reviews",
    )
    ACTION_PLAN_EDIT = "action_plan_edit", "change fidelity action plans"
    OUTCOMES_VIEW = "outcomes_view", "read quarterly outcomes"
    OUTCOMES_ENTER = "outcomes_enter", "enter or submit quarterly outcomes"
    OUTCOMES_APPROVE = "outcomes_approve", "approve, return or reopen quarterly outcomes"
    BILLING_WRITE = "billing_write", "record billing services"
    USERS_MANAGE = "users_manage", "invite people and change or deactivate their roles"
    DELIVERIES_VIEW = "deliveries_view", "see the messages the portal sent"

    @property
    def label_text(self) -> str:
        return self.description

    def refusal(self) -> str:
        """The 403 message: what the person cannot do, in words, and whom to ask."""
        return (
            f"Your role does not let you {self.description}. If your work needs it, ask a "
            "state admin of your collaborative to change your role."
        )


class Grant(enum.StrEnum):
    """How a role holds an action. Anything but ALWAYS is a row condition, declared per model
    in :mod:`ipsportal.access.conditions`."""

    ALWAYS = "always"
    FINAL_ONLY = "final_only"  # finalized records only
    APPROVED_ONLY = "approved_only"  # approved data only (VR liaisons)
    IF_ASSIGNED_REVIEWER = "if_assigned_reviewer"  # only reviews they are a reviewer of
    SUBMITTED_ONLY = "submitted_only"  # only once every reviewer has submitted
    OWN_RECORDS = "own_records"  # only records they created (employment specialists)
    AGENCY_STAFF_ONLY = "agency_staff_only"  # only people in agency roles


R = Role
G = Grant

_EVERY_ROLE = dict.fromkeys(Role, G.ALWAYS)
_READERS_OF_FINAL = {
    R.STATE_ADMIN: G.ALWAYS,
    R.STATE_TRAINER: G.ALWAYS,
    R.FIDELITY_REVIEWER: G.ALWAYS,
    R.VR_LIAISON: G.FINAL_ONLY,
    R.IPS_SUPERVISOR: G.FINAL_ONLY,
    R.AGENCY_LEADER: G.FINAL_ONLY,
}
_EDITORS = {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS, R.IPS_SUPERVISOR: G.ALWAYS}
_STATE_STAFF = {R.STATE_ADMIN: G.ALWAYS, R.STATE_TRAINER: G.ALWAYS}

#: The permission matrix of DESIGN.md: action -> role -> grant. A missing role is "no".
PERMISSIONS: dict[Action, dict[Role, Grant]] = {
    Action.AGENCY_VIEW: dict(_EVERY_ROLE),
    Action.AGENCY_EDIT: dict(_EDITORS),
    Action.AGENCY_CREATE: dict(_STATE_STAFF),
    Action.AGENCY_EXPORT: {r: G.ALWAYS for r in Role if r != R.EMPLOYMENT_SPECIALIST},
    Action.REGION_MANAGE: dict(_STATE_STAFF),
    Action.PLAN_VIEW: dict(_EVERY_ROLE),
    Action.PLAN_EDIT: dict(_EDITORS),
    Action.ROSTER_VIEW: dict(_EVERY_ROLE),
    Action.ROSTER_EDIT: dict(_EDITORS),
    Action.STEERING_VIEW: dict(_EVERY_ROLE),
    Action.STEERING_EDIT: dict(_EDITORS),
    Action.AGREEMENT_VIEW: dict(_EVERY_ROLE),
    Action.AGREEMENT_EDIT: dict(_EDITORS),
    # Which line a person may sign (their own role's, or any on behalf for a state admin) is
    # a rule of the signing service.
    Action.AGREEMENT_SIGN: {
        R.STATE_ADMIN: G.ALWAYS,
        R.VR_LIAISON: G.ALWAYS,
        R.AGENCY_LEADER: G.ALWAYS,
    },
    Action.TA_ACTIVITY_VIEW: dict(_EVERY_ROLE),
    Action.TA_ACTIVITY_WRITE: dict(_STATE_STAFF),
    Action.READINESS_VIEW: dict(_READERS_OF_FINAL),
    Action.READINESS_WRITE: dict(_STATE_STAFF),
    Action.READINESS_EXPORT: dict(_READERS_OF_FINAL),
    Action.FIDELITY_VIEW: {**_READERS_OF_FINAL, R.EMPLOYMENT_SPECIALIST: G.FINAL_ONLY},
    Action.FIDELITY_SCORE: {
        R.STATE_ADMIN: G.ALWAYS,
        R.STATE_TRAINER: G.IF_ASSIGNED_REVIEWER,
        R.FIDELITY_REVIEWER: G.IF_ASSIGNED_REVIEWER,
    },
    # A reviewer's own ratings are theirs alone until every reviewer has submitted; then
    # the review's other reviewers and the state admins read them (to reconcile). Everyone
    # else reads the consensus only.
    Action.FIDELITY_RATINGS_VIEW: {
        R.STATE_ADMIN: G.SUBMITTED_ONLY,
        R.STATE_TRAINER: G.IF_ASSIGNED_REVIEWER,
        R.FIDELITY_REVIEWER: G.IF_ASSIGNED_REVIEWER,
    },
    Action.ACTION_PLAN_EDIT: {**_EDITORS, R.AGENCY_LEADER: G.ALWAYS},
    Action.OUTCOMES_VIEW: {**_EVERY_ROLE, R.VR_LIAISON: G.APPROVED_ONLY},
    Action.OUTCOMES_ENTER: {R.IPS_SUPERVISOR: G.ALWAYS},
    Action.OUTCOMES_APPROVE: dict(_STATE_STAFF),
    Action.BILLING_WRITE: {R.IPS_SUPERVISOR: G.ALWAYS, R.EMPLOYMENT_SPECIALIST: G.OWN_RECORDS},
    Action.USERS_MANAGE: {R.STATE_ADMIN: G.ALWAYS, R.IPS_SUPERVISOR: G.AGENCY_STAFF_ONLY},
    Action.DELIVERIES_VIEW: {R.STATE_ADMIN: G.ALWAYS},
}

#: Actions that concern the whole collaborative rather than one agency.
COLLABORATIVE_ACTIONS = frozenset(
    {Action.AGENCY_CREATE, Action.REGION_MANAGE, Action.DELIVERIES_VIEW}
)

_ROSTER_MODELS = ("agencies.StaffMember", "agencies.TreatmentTeam", "agencies.VRCounselor")
_PLAN_MODELS = (
    "agencies.ImplementationPlan",
    "agencies.ImplementationStep",
    "agencies.PhaseChange",
)
_REVIEW_MODELS = ("fidelity.FidelityReview", "fidelity.ReviewReviewer", "fidelity.ConsensusRating")
_AGREEMENT_MODELS = ("agencies.TAAgreement", "agencies.TASignature")
_STEERING_OBJECTS = (
    "agencies.SteeringCommittee",
    "agencies.SteeringMember",
    "agencies.SteeringMeeting",
    "agencies.SteeringActionItem",
)

#: The kind of object each action is about, as model labels. Every grant of an action other
#: than ALWAYS must have a condition declared for each of these models (checked at start-up
#: and in the tests). Actions of features still to come name no model yet.
ACTION_OBJECTS: dict[Action, tuple[str, ...]] = {
    Action.AGENCY_VIEW: ("agencies.Agency",),
    Action.AGENCY_EDIT: ("agencies.Agency",),
    Action.AGENCY_CREATE: (),
    Action.AGENCY_EXPORT: ("agencies.Agency",),
    Action.REGION_MANAGE: ("agencies.Region",),
    Action.PLAN_VIEW: _PLAN_MODELS,
    Action.PLAN_EDIT: _PLAN_MODELS,
    Action.ROSTER_VIEW: _ROSTER_MODELS,
    Action.ROSTER_EDIT: _ROSTER_MODELS,
    Action.STEERING_VIEW: _STEERING_OBJECTS,
    Action.STEERING_EDIT: _STEERING_OBJECTS,
    Action.AGREEMENT_VIEW: _AGREEMENT_MODELS,
    Action.AGREEMENT_EDIT: _AGREEMENT_MODELS,
    Action.AGREEMENT_SIGN: _AGREEMENT_MODELS,
    Action.TA_ACTIVITY_VIEW: ("agencies.TAActivity",),
    Action.TA_ACTIVITY_WRITE: ("agencies.TAActivity",),
    Action.READINESS_VIEW: ("readiness.ReadinessVisit",),
    Action.READINESS_WRITE: ("readiness.ReadinessVisit",),
    Action.READINESS_EXPORT: ("readiness.ReadinessVisit",),
    Action.FIDELITY_VIEW: _REVIEW_MODELS,
    Action.FIDELITY_SCORE: ("fidelity.FidelityReview",),
    Action.FIDELITY_RATINGS_VIEW: ("fidelity.ReviewerRating",),
    Action.ACTION_PLAN_EDIT: (),
    Action.OUTCOMES_VIEW: (),
    Action.OUTCOMES_ENTER: (),
    Action.OUTCOMES_APPROVE: (),
    Action.BILLING_WRITE: (),
    Action.USERS_MANAGE: ("agencies.Membership", "agencies.Invitation"),
    Action.DELIVERIES_VIEW: ("notifications.Delivery",),
}


def roles_holding(action: Action, grant: Grant | None = None) -> set[Role]:
    """Roles holding ``action`` (with exactly ``grant`` when given), read from the matrix."""
    return {role for role, held in PERMISSIONS[action].items() if grant is None or held == grant}

"""Writes of the agencies app, by area: ``tenancy`` (agencies, regions), ``people``
(invitations, memberships, a new collaborative), ``plans`` (implementation plans),
``roster`` (the staff roster) and ``steering`` (steering committees). HTML views, API views
and tasks all call these."""

from agencies.services.people import (
    INVITATION_LIFETIME,
    collaborative_bootstrap,
    invitable_agencies,
    invitation_accept,
    invitation_accept_as,
    invitation_account_exists,
    invitation_create,
    invitation_find,
    invitation_link_renew,
    invitation_revoke,
    membership_grant,
)
from agencies.services.plans import (
    implementation_plan_create,
    implementation_step_move,
    implementation_step_remove,
    implementation_step_set_status,
    implementation_step_update,
    implementation_steps_add,
    overdue_warning,
)
from agencies.services.roster import (
    UNSET,
    staff_member_create,
    staff_member_end,
    staff_member_update,
    treatment_team_save,
    vr_counselor_save,
)
from agencies.services.steering import (
    steering_action_item_save,
    steering_action_item_set_status,
    steering_committee_create,
    steering_meeting_save,
    steering_member_save,
)
from agencies.services.tenancy import AGENCY_FIELDS, agency_create, agency_update, region_save

__all__ = [
    "AGENCY_FIELDS",
    "INVITATION_LIFETIME",
    "UNSET",
    "agency_create",
    "agency_update",
    "collaborative_bootstrap",
    "implementation_plan_create",
    "implementation_step_move",
    "implementation_step_remove",
    "implementation_step_set_status",
    "implementation_step_update",
    "implementation_steps_add",
    "invitable_agencies",
    "invitation_accept",
    "invitation_accept_as",
    "invitation_account_exists",
    "invitation_create",
    "invitation_find",
    "invitation_link_renew",
    "invitation_revoke",
    "membership_grant",
    "overdue_warning",
    "region_save",
    "staff_member_create",
    "staff_member_end",
    "staff_member_update",
    "treatment_team_save",
    "vr_counselor_save",
    "steering_action_item_save",
    "steering_action_item_set_status",
    "steering_committee_create",
    "steering_meeting_save",
    "steering_member_save",
]

"""Models of the agencies app, by area: ``tenancy`` (collaboratives, regions, agencies),
``people`` (roles, memberships, invitations), ``plans`` (implementation plans and phase
changes), ``agreements`` (the training and TA agreement, the TA activity log), ``roster``
(the staff roster, treatment teams, VR counselors) and ``steering`` (steering committees)."""

from agencies.models.agreements import (
    EmployerVisitFrequency,
    SignerRole,
    TAActivity,
    TAActivityKind,
    TAAgreement,
    TASignature,
)
from agencies.models.people import (
    Invitation,
    InvitationAgency,
    Membership,
    MembershipAgency,
    Role,
)
from agencies.models.plans import (
    ImplementationArea,
    ImplementationPlan,
    ImplementationStep,
    PhaseChange,
)
from agencies.models.roster import (
    MAX_FTE,
    MIN_FTE,
    StaffMember,
    StaffRole,
    StaffTeamAssignment,
    TreatmentTeam,
    VRCounselor,
)
from agencies.models.steering import (
    SteeringActionItem,
    SteeringAttendance,
    SteeringCategory,
    SteeringCommittee,
    SteeringMeeting,
    SteeringMember,
)
from agencies.models.tenancy import (
    TIME_ZONE_CHOICES,
    US_STATE_CHOICES,
    Agency,
    BillingScheme,
    Collaborative,
    ImplementationPhase,
    Region,
    TenantOwned,
    VRVendorStatus,
)

__all__ = [
    "MAX_FTE",
    "MIN_FTE",
    "TIME_ZONE_CHOICES",
    "US_STATE_CHOICES",
    "Agency",
    "BillingScheme",
    "Collaborative",
    "EmployerVisitFrequency",
    "ImplementationArea",
    "ImplementationPhase",
    "ImplementationPlan",
    "ImplementationStep",
    "Invitation",
    "InvitationAgency",
    "Membership",
    "MembershipAgency",
    "PhaseChange",
    "Region",
    "Role",
    "SignerRole",
    "StaffMember",
    "StaffRole",
    "StaffTeamAssignment",
    "SteeringActionItem",
    "SteeringAttendance",
    "SteeringCategory",
    "SteeringCommittee",
    "SteeringMeeting",
    "SteeringMember",
    "TAActivity",
    "TAActivityKind",
    "TAAgreement",
    "TASignature",
    "TenantOwned",
    "TreatmentTeam",
    "VRCounselor",
    "VRVendorStatus",
]

"""Models of the agencies app, by area: ``tenancy`` (collaboratives, regions, agencies),
``people`` (roles, memberships, invitations), ``plans`` (implementation plans) and
``steering`` (steering committees)."""

from agencies.models.people import (
    Invitation,
    InvitationAgency,
    Membership,
    MembershipAgency,
    Role,
)
from agencies.models.plans import ImplementationArea, ImplementationPlan, ImplementationStep
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
    "TIME_ZONE_CHOICES",
    "US_STATE_CHOICES",
    "Agency",
    "BillingScheme",
    "Collaborative",
    "ImplementationArea",
    "ImplementationPhase",
    "ImplementationPlan",
    "ImplementationStep",
    "Invitation",
    "InvitationAgency",
    "Membership",
    "MembershipAgency",
    "Region",
    "Role",
    "SteeringActionItem",
    "SteeringAttendance",
    "SteeringCategory",
    "SteeringCommittee",
    "SteeringMeeting",
    "SteeringMember",
    "TenantOwned",
    "VRVendorStatus",
]

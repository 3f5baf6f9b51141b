"""Every access question of the portal is answered here.

Two questions, always in this order:

1. **Scope** - which rows may this user see at all? Views, API views, tasks, PDF code and
   exports never start from ``Model.objects`` for tenant data; they start from the helpers
   below, which put the scope inside the query. Outside the scope the answer is
   :class:`django.http.Http404`, exactly as for a row that does not exist.
2. **Right** - inside the scope, may this user do this action? The answer comes from the
   permission matrix (:data:`PERMISSIONS`, data, tested as a matrix). Without the right the
   answer is :class:`django.core.exceptions.PermissionDenied` (403).

A grant other than "always" is a row condition, declared once per model in ``conditions``;
:func:`rows` builds every "rows of this model the user may <action>" query from the matrix
and those declarations, and the object check uses the same conditions. ``access_<thing>``
helpers return the object with what the user may do with it (``VisitAccess``...).

A user's rights are the union of their active memberships; a membership counts only for
agencies of its own collaborative.

Modules: ``matrix`` (the permission matrix), ``conditions`` (what each grant means per
model), ``scope`` (memberships, scope, rights, :func:`rows`), ``objects`` (the foundation's
objects), ``roster``, ``readiness``, ``fidelity`` (fidelity scales), ``steering`` (steering
committees), ``agreements`` (training and TA agreements), ``ta_activities`` (the TA activity
log), ``documents`` (documents and the outbox) and ``aggregates`` (numbers of a whole
collaborative). Import from
``ipsportal.access``.
"""

from ipsportal.access.aggregates import Aggregate, readiness_collaborative_figures
from ipsportal.access.agreements import (
    AgencyAgreementAccess,
    AgreementAccess,
    access_agency_agreement,
    access_agreement,
    agreement_versions_of,
    agreements_in_scope,
    signable_lines,
)
from ipsportal.access.conditions import (
    SUBJECTS,
    Subject,
    check_access_conditions,
    subject_of,
    undeclared_conditions,
)
from ipsportal.access.documents import (
    DocumentAccess,
    access_delivery,
    access_document,
    current_record_document,
    deliveries_in_scope,
    documents_in_scope,
    record_of,
)
from ipsportal.access.fidelity import access_fidelity_scale, fidelity_scales_in_scope
from ipsportal.access.matrix import (
    ACTION_OBJECTS,
    COLLABORATIVE_ACTIONS,
    PERMISSIONS,
    Action,
    Grant,
    roles_holding,
)
from ipsportal.access.objects import (
    AgencyAccess,
    InvitationAccess,
    MembershipAccess,
    PlanAccess,
    PlanStepAccess,
    RegionAccess,
    access_agency,
    access_collaborative,
    access_invitation,
    access_membership,
    access_plan,
    access_plan_step,
    access_region,
    invitable_roles,
    invitations_in_scope,
    memberships_in_scope,
    parse_uuid,
    regions_in_scope,
)
from ipsportal.access.readiness import (
    VisitAccess,
    access_checklist,
    access_visit,
    agency_readers_of_final_visits,
    checklists_in_scope,
    readiness_agencies,
    visit_visitor_candidates,
    visits_in_scope,
)
from ipsportal.access.roster import (
    RosterAccess,
    RosterRowAccess,
    access_roster,
    access_staff_member,
    access_treatment_team,
    access_vr_counselor,
    staff_members_in_scope,
    treatment_teams_in_scope,
    vr_counselors_in_scope,
)
from ipsportal.access.scope import (
    NOTHING,
    MembershipView,
    agencies_in_scope,
    agencies_with_roles,
    can,
    collaboratives_of,
    forget_memberships,
    grants,
    holds,
    may,
    memberships_of,
    permitted,
    refuse,
    require,
    roles_for,
    roles_in,
    rows,
)
from ipsportal.access.steering import (
    SteeringAccess,
    SteeringActionItemAccess,
    SteeringMeetingAccess,
    SteeringMemberAccess,
    access_steering,
    access_steering_action_item,
    access_steering_committee,
    access_steering_meeting,
    access_steering_member,
    steering_action_items_in_scope,
    steering_committees_in_scope,
    steering_meetings_in_scope,
    steering_members_in_scope,
)
from ipsportal.access.ta_activities import (
    TAActivityAccess,
    TALogAccess,
    access_ta_activity,
    access_ta_log,
    ta_activities_in_scope,
    ta_log_agencies,
)

__all__ = [
    "access_fidelity_scale",
    "fidelity_scales_in_scope",
    "ACTION_OBJECTS",
    "COLLABORATIVE_ACTIONS",
    "NOTHING",
    "PERMISSIONS",
    "SUBJECTS",
    "Action",
    "AgencyAgreementAccess",
    "AgreementAccess",
    "Aggregate",
    "AgencyAccess",
    "DocumentAccess",
    "Grant",
    "InvitationAccess",
    "MembershipAccess",
    "MembershipView",
    "PlanAccess",
    "PlanStepAccess",
    "RegionAccess",
    "RosterAccess",
    "RosterRowAccess",
    "SteeringAccess",
    "SteeringActionItemAccess",
    "SteeringMeetingAccess",
    "SteeringMemberAccess",
    "Subject",
    "TAActivityAccess",
    "TALogAccess",
    "VisitAccess",
    "access_agency",
    "access_agency_agreement",
    "access_agreement",
    "access_checklist",
    "access_collaborative",
    "access_delivery",
    "access_document",
    "access_invitation",
    "access_membership",
    "access_plan",
    "access_plan_step",
    "access_region",
    "access_roster",
    "access_staff_member",
    "access_treatment_team",
    "access_steering",
    "access_steering_action_item",
    "access_steering_committee",
    "access_steering_meeting",
    "access_steering_member",
    "access_ta_activity",
    "access_ta_log",
    "access_visit",
    "access_vr_counselor",
    "agencies_in_scope",
    "agency_readers_of_final_visits",
    "agencies_with_roles",
    "agreement_versions_of",
    "agreements_in_scope",
    "can",
    "check_access_conditions",
    "checklists_in_scope",
    "collaboratives_of",
    "current_record_document",
    "deliveries_in_scope",
    "documents_in_scope",
    "forget_memberships",
    "grants",
    "holds",
    "invitable_roles",
    "invitations_in_scope",
    "may",
    "memberships_in_scope",
    "memberships_of",
    "parse_uuid",
    "permitted",
    "readiness_agencies",
    "readiness_collaborative_figures",
    "record_of",
    "refuse",
    "regions_in_scope",
    "require",
    "roles_for",
    "roles_holding",
    "roles_in",
    "signable_lines",
    "rows",
    "staff_members_in_scope",
    "steering_action_items_in_scope",
    "steering_committees_in_scope",
    "steering_meetings_in_scope",
    "steering_members_in_scope",
    "subject_of",
    "ta_activities_in_scope",
    "ta_log_agencies",
    "treatment_teams_in_scope",
    "undeclared_conditions",
    "visit_visitor_candidates",
    "visits_in_scope",
    "vr_counselors_in_scope",
]

"""Every access question of the portal is answered here.

Two questions, always in this order:

1. **Scope** - which rows may this user see at all? Views, API views, tasks, PDF code and
   exports never start from ``Model.objects`` for tenant data; they start from the helpers
   below, which put the scope inside the query. Outside the scope the answer is
   :class:`django.http.Http404`, exactly as for a row that does not exist.
2. **Right** - inside the scope, may this user do this action? The answer comes from the
   permission matrix (:data:`PERMISSIONS`, data, tested as a matrix). Without the right the
   answer is :class:`django.core.exceptions.PermissionDenied` (403).

A user's rights are the union of their active memberships; a membership counts only for
agencies of its own collaborative.

The package is one place in four modules: ``matrix`` (the permission matrix), ``scope``
(memberships, scope, rights), ``objects`` (the foundation's ``access_<thing>`` helpers) and
``readiness``. Import from ``ipsportal.access``.
"""

from ipsportal.access.matrix import (
    COLLABORATIVE_ACTIONS,
    PERMISSIONS,
    Action,
    Grant,
)
from ipsportal.access.objects import (
    access_agency,
    access_collaborative,
    access_invitation,
    access_plan,
    access_plan_step,
    access_region,
    access_report,
    agency_staff,
    invitable_roles,
    invitations_in_scope,
    memberships_in_scope,
    regions_in_scope,
    reports_in_scope,
    scope_filter,
)
from ipsportal.access.readiness import (
    access_checklist,
    access_visit,
    checklists_in_scope,
    readiness_agencies,
    visit_visitor_candidates,
    visits_in_scope,
)
from ipsportal.access.scope import (
    MembershipView,
    agencies_in_scope,
    agencies_with_roles,
    can,
    collaboratives_of,
    forget_memberships,
    grants,
    memberships_of,
    require,
    roles_for,
    roles_in,
)

__all__ = [
    "Action",
    "COLLABORATIVE_ACTIONS",
    "Grant",
    "MembershipView",
    "PERMISSIONS",
    "access_agency",
    "access_checklist",
    "access_collaborative",
    "access_invitation",
    "access_plan",
    "access_plan_step",
    "access_region",
    "access_report",
    "access_visit",
    "agencies_in_scope",
    "agencies_with_roles",
    "agency_staff",
    "can",
    "checklists_in_scope",
    "collaboratives_of",
    "forget_memberships",
    "grants",
    "invitable_roles",
    "invitations_in_scope",
    "memberships_in_scope",
    "memberships_of",
    "readiness_agencies",
    "regions_in_scope",
    "reports_in_scope",
    "require",
    "roles_for",
    "roles_in",
    "scope_filter",
    "visit_visitor_candidates",
    "visits_in_scope",
]

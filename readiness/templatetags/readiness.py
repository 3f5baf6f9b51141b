"""Readiness panels other pages include: the agency page's section, the home page's drafts."""

from django import template

from ipsportal import access
from ipsportal.access import Action
from readiness.models import VisitStatus

register = template.Library()


@register.inclusion_tag("readiness/_agency_section.html", takes_context=True)
def readiness_agency_section(context, agency) -> dict:
    """The agency's readiness visits the viewer may read (drafts only for those who see them)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.can(user, Action.READINESS_VIEW, agency=agency):
        return {"show": False}
    visits = list(
        access.visits_in_scope(user)
        .filter(agency=agency)
        .select_related("finalized_by")
        .order_by("-visit_date", "-created_at")[:10]
    )
    return {
        "show": True,
        "agency": agency,
        "visits": visits,
        "can_write": access.can(user, Action.READINESS_WRITE, agency=agency),
    }


@register.inclusion_tag("readiness/_home_drafts.html", takes_context=True)
def readiness_home_drafts(context) -> dict:
    """Draft visits the user may continue, newest first (trainers and admins)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    collaborative = getattr(request, "collaborative", None)
    if user is None or not collaborative:
        return {"show": False}
    if not access.can(user, Action.READINESS_WRITE, collaborative=collaborative):
        return {"show": False}
    drafts = list(
        access.visits_in_scope(user, collaborative)
        .filter(
            status=VisitStatus.DRAFT,
            agency__in=access.readiness_agencies(user, collaborative, write=True),
        )
        .select_related("agency", "updated_by")
        .order_by("-updated_at")[:5]
    )
    return {"show": True, "drafts": drafts}

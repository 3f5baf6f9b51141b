"""Readiness panels other pages include: the agency page's section, the home page's drafts."""

from django import template

from ipsportal import access
from ipsportal.access import Action
from readiness import selectors

register = template.Library()


@register.inclusion_tag("readiness/_agency_section.html", takes_context=True)
def readiness_agency_section(context, agency) -> dict:
    """The agency's readiness visits the viewer may read (drafts only for those who see
    them), the chart of areas ready at each finalized visit, and the collaborative's median
    beside it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.holds(user, Action.READINESS_VIEW, agency=agency):
        return {"show": False}
    figures = access.readiness_collaborative_figures(user, agency.collaborative)
    return {
        "show": True,
        "agency": agency,
        "visits": selectors.agency_visits(user, agency),
        "chart": selectors.readiness_chart(user, agency),
        "median": figures["median_ready_share"],
        "can_write": access.can(user, Action.READINESS_WRITE, agency=agency),
        "can_export": access.holds(user, Action.READINESS_EXPORT, agency=agency),
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
    return {"show": True, "drafts": selectors.home_drafts(user, collaborative)}


@register.filter
def percent(value) -> str:
    """A share (0-1) as a whole percentage, e.g. 0.6 -> "60%"."""
    if value is None:
        return ""
    return f"{round(float(value) * 100)}%"

"""The implementation plan's progress on the agency page."""

from django import template

from agencies import selectors
from ipsportal import access
from ipsportal.access import Action

register = template.Library()


@register.inclusion_tag("agencies/_plan_progress.html", takes_context=True)
def plan_progress_section(context, agency) -> dict:
    """The agency's phase and its plan's progress in figures: overall, per area, and the
    steps past their target date; or the empty state (with the way to start a plan for
    those who may edit it)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.holds(user, Action.PLAN_VIEW, agency=agency):
        return {"show": False}
    found = access.access_plan(user, agency.pk)
    return {"show": True, "agency": agency, "summary": selectors.plan_summary(found)}

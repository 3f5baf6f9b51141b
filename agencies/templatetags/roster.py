"""The structure panel of the agency page."""

from django import template

from agencies import selectors_roster, structure
from ipsportal import access
from ipsportal.access import Action

register = template.Library()


@register.inclusion_tag("agencies/_structure_panel.html", takes_context=True)
def structure_panel(context, agency) -> dict:
    """The agency's IPS structure checks from its current roster, for viewers of the roster."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.can(user, Action.ROSTER_VIEW, agency=agency):
        return {"show": False}
    entries = selectors_roster.roster_entries(user, agency)
    return {
        "show": True,
        "agency": agency,
        "checks": structure.structure_checks(entries),
        "staff_count": len(entries),
    }

"""The steering committee's panel on the agency page."""

from django import template

from agencies import selectors_steering
from ipsportal import access
from ipsportal.access import Action

register = template.Library()


@register.inclusion_tag("agencies/_steering_status.html", takes_context=True)
def steering_agency_section(context, agency) -> dict:
    """The agency's steering committee status: the next meeting's due date (or overdue, or
    no meeting yet) and the seats nobody fills."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.holds(user, Action.STEERING_VIEW, agency=agency):
        return {"show": False}
    found = access.access_steering(user, agency.pk)
    return {
        "show": True,
        "agency": agency,
        "status": selectors_steering.steering_status(agency, found.committee),
    }

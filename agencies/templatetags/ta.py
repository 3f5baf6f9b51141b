"""The TA activity log on the agency page, and durations in words."""

from django import template

from agencies import selectors_ta
from ipsportal import access
from ipsportal.access import Action

register = template.Library()


@register.filter
def duration(minutes) -> str:
    """90 -> "1 h 30 min"; 45 -> "45 min"; 120 -> "2 h"."""
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@register.inclusion_tag("agencies/_ta_section.html", takes_context=True)
def ta_agency_section(context, agency) -> dict:
    """This month's compliance with the agency's TA agreement in a sentence, the last
    logged activity, and links to the log and the compliance view."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.holds(user, Action.TA_ACTIVITY_VIEW, agency=agency):
        return {"show": False}
    return {
        "show": True,
        "agency": agency,
        "found": selectors_ta.agency_compliance(user, agency),
        "last": selectors_ta.last_activity(user, agency),
        "can_write": access.can(user, Action.TA_ACTIVITY_WRITE, agency=agency),
    }

"""The training and TA agreement's panel on the agency page."""

from django import template

from agencies import selectors_agreements
from ipsportal import access
from ipsportal.access import Action

register = template.Library()


@register.inclusion_tag("agencies/_agreement_status.html", takes_context=True)
def agreement_agency_section(context, agency) -> dict:
    """The agreement's status (none, draft, awaiting N of 3 signatures, signed on a date)
    with a link to it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.holds(user, Action.AGREEMENT_VIEW, agency=agency):
        return {"show": False}
    found = access.access_agency(user, agency.pk)
    return {
        "show": True,
        "agency": agency,
        "status": selectors_agreements.agreement_status(found),
    }

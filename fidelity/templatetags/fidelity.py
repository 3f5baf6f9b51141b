"""Fidelity reviews on the agency page, and small helpers of the review pages."""

from django import template

from fidelity import selectors_reviews
from ipsportal import access
from ipsportal.access import Action

register = template.Library()


@register.inclusion_tag("fidelity/_agency_section.html", takes_context=True)
def fidelity_agency_section(context, agency) -> dict:
    """The agency's latest final review (total and band), the next one planned, and when
    the next review is due by the cadence."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.holds(user, Action.FIDELITY_VIEW, agency=agency):
        return {"show": False}
    return {
        "show": True,
        "agency": agency,
        **selectors_reviews.agency_fidelity(user, agency),
        "can_plan": access.can(user, Action.FIDELITY_SCORE, agency=agency),
    }


@register.filter
def visit_days(review) -> str:
    return selectors_reviews.visit_days(review)


@register.filter
def of_item(mapping, key):
    """``posted|of_item:item.key``: a dict's entry (or an empty one) in a template."""
    return (mapping or {}).get(key) or {}

"""Report kinds of the agencies app."""

from django.utils import timezone

from ipsportal import access
from ipsportal.reports import register


@register("agency_summary", template="agency_summary")
def agency_summary_context(report) -> dict:
    """An agency's profile and staff, as its requester may see it."""
    agency, staff = access.agency_staff(report.requested_by, report.subject_id)
    access.require(report.requested_by, access.Action.EXPORT, agency=agency)
    generated = timezone.now().astimezone(agency.collaborative.zoneinfo)
    return {"agency": agency, "staff": staff, "generated_at": generated, "report": report}

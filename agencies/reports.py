"""Document kinds of the agencies app."""

from agencies import selectors
from ipsportal import access
from ipsportal.documents import AGENCY, register
from ipsportal.models import Document
from ipsportal.pdf import render_pdf


@register(
    "agency_summary",
    label="Agency summary",
    purpose=Document.Purpose.EXPORT,
    action=access.Action.AGENCY_EXPORT,
    subject=AGENCY,
)
def agency_summary(document: Document, progress) -> bytes:
    """An agency's profile and staff, as its requester may see them."""
    user = document.requested_by
    found = access.access_agency(user, document.agency_id)
    access.require(user, access.Action.AGENCY_EXPORT, agency=found.agency)
    generated = found.agency.collaborative.local_now()
    progress(1, 2, "Writing the PDF")
    return render_pdf(
        "agency_summary",
        {
            "agency": found.agency,
            "staff": selectors.agency_staff(found),
            "generated_at": generated,
            "document": document,
        },
    )

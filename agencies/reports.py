"""Document kinds of the agencies app: the agency profile (an export) and the training and
TA agreement of a version (a record document)."""

from agencies import selectors_agreements, selectors_profile
from agencies.services.agreements import AGREEMENT_REPORT_KIND
from ipsportal import access
from ipsportal.documents import AGENCY, register
from ipsportal.models import Document
from ipsportal.pdf import render_pdf


@register(
    "agency_summary",
    # The kind keeps its first name (documents already requested carry it).
    label="Agency profile",
    purpose=Document.Purpose.EXPORT,
    action=access.Action.AGENCY_EXPORT,
    subject=AGENCY,
)
def agency_summary(document: Document, progress) -> bytes:
    """An agency's profile: its portal staff, roster summary and structure checks, plan
    progress, agreement and steering committee, each as its requester may see it."""
    user = document.requested_by
    found = access.access_agency(user, document.agency_id)
    access.require(user, access.Action.AGENCY_EXPORT, agency=found.agency)
    generated = found.agency.collaborative.local_now()
    progress(1, 3, "Reading the agency's records")
    parts = selectors_profile.agency_profile(user, found)
    progress(2, 3, "Writing the PDF")
    return render_pdf(
        "agency_summary",
        {
            "agency": found.agency,
            **parts,
            "generated_at": generated,
            "document": document,
        },
    )


@register(
    AGREEMENT_REPORT_KIND,
    label="Training and TA agreement",
    purpose=Document.Purpose.RECORD,
    action=access.Action.AGREEMENT_VIEW,
    subject="agencies.TAAgreement",
)
def ta_agreement(document: Document, progress) -> bytes:
    """A version of an agency's training and TA agreement with its signatures, from the
    record: whoever may read the agreement reads the same PDF."""
    agreement = access.record_of(document)
    collaborative = agreement.agency.collaborative
    lines = selectors_agreements.signature_lines(agreement)
    progress(1, 2, "Writing the PDF")
    return render_pdf(
        "ta_agreement",
        {
            "agreement": agreement,
            "agency": agreement.agency,
            "collaborative": collaborative,
            "commitments": selectors_agreements.commitments(agreement),
            "lines": lines,
            "is_current": selectors_agreements.latest_version(agreement.agency).pk == agreement.pk,
            "generated_at": collaborative.local_now(),
            "document": document,
        },
    )

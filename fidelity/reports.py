"""Document kinds of fidelity reviews: the fidelity report of a final review (a record
document: rendered once per version of the review, kept and served again)."""

from __future__ import annotations

from fidelity import selectors_reviews
from ipsportal import access
from ipsportal.access import Action
from ipsportal.documents import register
from ipsportal.models import Document
from ipsportal.pdf import render_pdf

REPORT_KIND = "fidelity_report"


@register(
    REPORT_KIND,
    label="Fidelity report",
    purpose=Document.Purpose.RECORD,
    action=Action.FIDELITY_VIEW,
    subject="fidelity.FidelityReview",
)
def fidelity_report(document: Document, progress) -> bytes:
    """The report of a final fidelity review, from the published record."""
    review = access.record_of(document)
    collaborative = review.collaborative
    finalized = collaborative.local(review.finalized_at) if review.finalized_at else None
    progress(1, 3, "Reading the review")
    content = selectors_reviews.report_content(review)
    progress(2, 3, "Writing the PDF")
    return render_pdf(
        "fidelity_report",
        {
            **content,
            "document": document,
            "collaborative": collaborative,
            "finalized_at": finalized,
            "generated_at": collaborative.local_now(),
        },
    )

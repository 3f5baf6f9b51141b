"""Document kinds of fidelity reviews: the fidelity report of a final review (a record
document: rendered once per version of the review, kept and served again), and the final
reports of a period as one ZIP (an export for state admins)."""

from __future__ import annotations

import datetime

from django.utils.text import slugify

from fidelity import selectors_reviews
from fidelity.models import FidelityReview, ReviewStatus
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


@register(
    "fidelity_reports",
    label="Final fidelity reports",
    purpose=Document.Purpose.EXPORT,
    action=Action.FIDELITY_VIEW,
    subject=None,
    formats=(Document.Format.ZIP,),
)
def fidelity_reports(document: Document, progress) -> bytes:
    """The final fidelity reports of a period (visits starting from ``from`` to ``to``, and
    optionally of one region) as one ZIP of PDFs. The page offers it to state admins; like
    every export it holds what the requester may read. Each report is its
    stored record document: one not rendered yet is rendered now, once, and kept, so a
    second export of unchanged reports renders nothing again."""
    from ipsportal.services import record_documents_zip

    user = document.requested_by
    params = document.params or {}
    reviews = access.rows(user, Action.FIDELITY_VIEW, FidelityReview, document.collaborative)
    reviews = reviews.filter(status=ReviewStatus.FINAL)
    if params.get("from"):
        reviews = reviews.filter(visit_start__gte=datetime.date.fromisoformat(params["from"]))
    if params.get("to"):
        reviews = reviews.filter(visit_start__lte=datetime.date.fromisoformat(params["to"]))
    if params.get("region"):
        reviews = reviews.filter(agency__region_id=params["region"])
    found = list(reviews.select_related("agency").order_by("agency__name", "visit_start"))
    period = " to ".join(filter(None, [params.get("from"), params.get("to")])) or "all dates"
    return record_documents_zip(
        kind=REPORT_KIND,
        records=found,
        user=user,
        title_of=lambda r: f"Fidelity report: {r.agency.name}, {selectors_reviews.visit_days(r)}",
        name_of=lambda r: f"{slugify(r.agency.name)[:60]}-{r.visit_start:%Y-%m-%d}.pdf",
        progress=progress,
        readme=f"Final fidelity reports of {document.collaborative.name} ({period})",
    )

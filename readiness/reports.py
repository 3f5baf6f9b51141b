"""Document kinds of readiness visits: the visit report (a record document) and the
exports (an agency's readiness history, the overview as CSV or XLSX, the finalized reports of
a collaborative as one ZIP)."""

from __future__ import annotations

import csv
import io

from django.utils.dateformat import format as date_format
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font

from ipsportal import access
from ipsportal.access import Action
from ipsportal.documents import AGENCY, register
from ipsportal.models import Document
from ipsportal.pdf import render_pdf
from readiness import selectors
from readiness.models import ReadinessVisit, VisitStatus
from readiness.selectors import REPORT_KIND


@register(
    REPORT_KIND,
    label="Readiness visit report",
    purpose=Document.Purpose.RECORD,
    action=Action.READINESS_VIEW,
    subject="readiness.ReadinessVisit",
)
def visit_report(document: Document, progress) -> bytes:
    """The report of a finalized visit, from the published record: whoever may read the
    visit reads the same report."""
    visit = access.record_of(document)
    collaborative = visit.collaborative
    progress(1, 2, "Writing the PDF")
    return render_pdf(
        "readiness_visit",
        {
            **selectors.visit_content(visit),
            "document": document,
            "collaborative": collaborative,
            "finalized_at": collaborative.local(visit.finalized_at) if visit.finalized_at else None,
            "generated_at": collaborative.local_now(),
        },
    )


@register(
    "readiness_history",
    label="Readiness history of an agency",
    purpose=Document.Purpose.EXPORT,
    action=Action.READINESS_EXPORT,
    subject=AGENCY,
)
def readiness_history(document: Document, progress) -> bytes:
    """An agency's readiness visits and the chart of areas ready, as the requester may see
    them (finalized visits only for supervisors, leaders and VR liaisons)."""
    user = document.requested_by
    agency = access.access_agency(user, document.agency_id).agency
    visits = list(
        access.rows(user, Action.READINESS_EXPORT, ReadinessVisit)
        .filter(agency=agency, status=VisitStatus.FINAL)
        .order_by("-visit_date", "-created_at")
    )
    progress(1, 2, "Writing the PDF")
    return render_pdf(
        "readiness_history",
        {
            "agency": agency,
            "collaborative": agency.collaborative,
            "visits": visits,
            "chart": selectors.readiness_chart(user, agency),
            "median": access.readiness_collaborative_figures(user, agency.collaborative)[
                "median_ready_share"
            ],
            "generated_at": agency.collaborative.local_now(),
            "document": document,
        },
    )


OVERVIEW_COLUMNS = (
    "Agency",
    "City",
    "Region",
    "Implementation phase",
    "Visits",
    "Latest visit",
    "Status of the latest visit",
    "Areas rated",
    "Areas ready",
    "Areas that apply",
)


def _overview_rows(document: Document, progress) -> list[tuple]:
    user = document.requested_by
    params = document.params or {}
    agencies, _ = selectors.overview(
        user,
        document.collaborative,
        q=str(params.get("q", ""))[:100],
        region=str(params.get("region", "")),
        status=str(params.get("status", "")),
        action=Action.READINESS_EXPORT,
    )
    agencies = list(agencies)
    rows = []
    status_labels = dict(VisitStatus.choices)
    for n, agency in enumerate(agencies, start=1):
        rows.append(
            (
                agency.name,
                agency.city,
                agency.region.name if agency.region else "",
                agency.get_implementation_phase_display(),
                agency.visit_count or 0,
                agency.latest_date.isoformat() if agency.latest_date else "",
                status_labels.get(agency.latest_status, "Not visited yet"),
                agency.latest_rated if agency.latest_id else "",
                agency.latest_ready if agency.latest_id else "",
                agency.latest_applicable if agency.latest_id else "",
            )
        )
        progress(n, len(agencies), f"{n} of {len(agencies)} agencies")
    return rows


def _safe_cell(value):
    # A spreadsheet runs a cell that starts with =, +, - or @ as a formula: quote it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@register(
    "readiness_overview",
    label="Readiness overview",
    purpose=Document.Purpose.EXPORT,
    action=Action.READINESS_EXPORT,
    subject=None,
    formats=(Document.Format.CSV, Document.Format.XLSX),
)
def readiness_overview(document: Document, progress) -> bytes:
    """The overview's table (with its filters) as CSV or as an Excel workbook."""
    rows = _overview_rows(document, progress)
    if document.format == Document.Format.CSV:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(OVERVIEW_COLUMNS)
        writer.writerows([[_safe_cell(v) for v in row] for row in rows])
        # A byte order mark, so spreadsheet programs read the accents right.
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = "Readiness overview"
    sheet.append(OVERVIEW_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
    for column, width in zip("ABCDEFGHIJ", (38, 18, 18, 22, 8, 14, 24, 12, 12, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@register(
    "readiness_reports",
    label="Finalized readiness reports",
    purpose=Document.Purpose.EXPORT,
    action=Action.READINESS_EXPORT,
    subject=None,
    formats=(Document.Format.ZIP,),
)
def readiness_reports(document: Document, progress) -> bytes:
    """Every finalized visit report the requester may download in the collaborative, as one
    ZIP of PDFs. Each report is its stored record document; one not rendered yet is rendered
    now, once, and kept for the next download."""
    from ipsportal.services import record_documents_zip

    user = document.requested_by
    visits = list(
        access.rows(user, Action.READINESS_EXPORT, ReadinessVisit, document.collaborative)
        .filter(status=VisitStatus.FINAL)
        .select_related("agency")
        .order_by("agency__name", "visit_date")
    )
    return record_documents_zip(
        kind=REPORT_KIND,
        records=visits,
        user=user,
        title_of=lambda visit: (
            f"Readiness visit report: {visit.agency.name}, "
            f"{date_format(visit.visit_date, 'M j, Y')}"
        ),
        name_of=lambda visit: f"{slugify(visit.agency.name)[:60]}-{visit.visit_date:%Y-%m-%d}.pdf",
        progress=progress,
        readme=f"Finalized readiness visit reports of {document.collaborative.name}",
    )

"""Services of the portal core: requesting and rendering reports."""

from __future__ import annotations

import logging
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from ipsportal.models import GeneratedReport, User
from ipsportal.pdf import render_pdf
from ipsportal.reports import REPORT_KINDS

logger = logging.getLogger(__name__)


def report_request(
    *, user: User, kind: str, agency: Agency, subject_id: uuid.UUID, title: str
) -> GeneratedReport:
    """Record a report request and queue its rendering once the transaction commits.

    The caller has already fetched ``agency`` through the access helpers and checked the
    right to export.
    """
    if kind not in REPORT_KINDS:
        raise ValueError(f"Unknown report kind {kind!r}")
    from ipsportal.tasks import render_report

    with transaction.atomic():
        report = GeneratedReport(
            collaborative=agency.collaborative,
            agency=agency,
            kind=kind,
            subject_id=subject_id,
            title=title,
            requested_by=user,
        )
        report.full_clean(exclude=["file"])
        report.save()
        render_report.delay_on_commit(str(report.pk))
    return report


def report_render(*, report_id: uuid.UUID | str) -> GeneratedReport:
    """Render a requested report to PDF. Idempotent: a report already rendered is left as is."""
    with transaction.atomic():
        report = GeneratedReport.objects.select_for_update().get(pk=report_id)
        if report.status == GeneratedReport.Status.READY:
            return report
    kind = REPORT_KINDS[report.kind]
    try:
        context = kind.build_context(report)
        pdf = render_pdf(kind.template, context)
    except Exception as exc:
        logger.exception("Rendering report %s failed", report.pk)
        report.status = GeneratedReport.Status.FAILED
        report.error = f"{type(exc).__name__}: {exc}"[:2000]
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])
        raise
    with transaction.atomic():
        report.file.save(report.filename, ContentFile(pdf), save=False)
        report.status = GeneratedReport.Status.READY
        report.error = ""
        report.finished_at = timezone.now()
        report.save(update_fields=["file", "status", "error", "finished_at"])
    return report

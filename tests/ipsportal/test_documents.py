"""Documents and exports: record documents rendered once and renewed on amendment, every kind
readable by its readers only, and every export kind rendered for real (PDF, CSV, XLSX, ZIP)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from openpyxl import load_workbook

from agencies.models import Agency, Role
from ipsportal import services
from ipsportal.documents import DOCUMENT_KINDS
from ipsportal.models import Document
from readiness import services as readiness_services
from readiness.models import ReadinessVisit
from tests.readiness.helpers import complete_data, visit_report

# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def make_visit(
    tenant,
    *,
    agency: Agency | None = None,
    user=None,
    days_ago: int = 1,
    work_needed_every: int = 3,
    final: bool = True,
    label: str = "",
) -> ReadinessVisit:
    """A complete visit ``days_ago`` days before today, every ``work_needed_every``-th area
    rated "work is needed" and the others "ready" (so visits carry different figures);
    finalized without email unless ``final`` is off. Its report is not rendered (the test's
    transaction does not commit)."""
    user = user or tenant.user(Role.STATE_TRAINER)
    visit = readiness_services.visit_create(user=user, agency=agency or tenant.agency)
    data = complete_data(visit, label=label)
    data["visit_date"] = visit.collaborative.today() - timedelta(days=days_ago)
    data["ratings"] = {
        area.key: {
            "rating": "work_needed" if n % work_needed_every == 0 else "ready",
            "notes": f"Notes {label}".strip(),
        }
        for n, area in enumerate(visit.checklist.areas)
    }
    visit = readiness_services.visit_save_draft(
        user=user, visit=visit, data=data, expected_version=visit.version
    )
    if final:
        visit = readiness_services.visit_finalize(
            user=user, visit=visit, expected_version=visit.version, send_email=False
        )
    return visit


def request_export(capture, *, user, kind: str, collaborative, subject=None, fmt=None, **extra):
    """An export requested and rendered (eagerly, when the request's transaction commits)."""
    with capture(execute=True):
        document = services.document_request(
            user=user,
            kind=kind,
            collaborative=collaborative,
            subject=subject,
            title=f"{DOCUMENT_KINDS[kind].label} for the tests",
            format=fmt,
            **extra,
        )
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.error
    return document


def download(client, document: Document):
    response = client.get(document.download_url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def bar_pixels(data: bytes, tmp_path) -> int:
    """Pixels of the chart's bar colour on the PDF's first page, rendered at 60 dpi."""
    from PIL import Image

    from ipsportal.charts import BAR

    (tmp_path / "page.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile"]
        + [str(tmp_path / "page.pdf"), str(tmp_path / "page")],
        check=True,
    )
    target = tuple(int(BAR[i : i + 2], 16) for i in (1, 3, 5))
    with Image.open(tmp_path / "page.png") as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=rgb.width * rgb.height)
    near = (n for n, c in colours if all(abs(a - b) <= 8 for a, b in zip(c, target, strict=True)))
    return sum(near)


def everyone(*tenants) -> list:
    """Every user of the tenants: one per role, and the other agency's staff."""
    return [user for t in tenants for user in (*t.users.values(), *t.other_agency_users.values())]


# --------------------------------------------------------------------------------------------
# Record documents: rendered once, renewed on amendment
# --------------------------------------------------------------------------------------------


def test_it_serves_a_record_document_from_storage_and_renews_it_on_amendment(
    client, tenant, django_capture_on_commit_callbacks
):
    trainer = tenant.user(Role.STATE_TRAINER)
    with django_capture_on_commit_callbacks(execute=True):
        visit = make_visit(tenant)
    first = visit_report(visit)
    assert first.status == Document.Status.READY and first.render_count == 1

    client.force_login(trainer)
    response, once = download(client, first)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert once.startswith(b"%PDF-")
    response, twice = download(client, first)
    assert response.status_code == 200 and twice == once
    # A task queued again, and publishing the same version again (a resend), render nothing.
    services.document_render(document_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        readiness_services.visit_report_resend(user=trainer, visit=visit)
    first.refresh_from_db()
    assert first.render_count == 1 and first.is_current
    assert visit_report(visit).pk == first.pk
    assert download(client, first)[1] == once

    visit.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        readiness_services.visit_amend(
            user=trainer,
            visit=visit,
            data={"facilitators": "Strong VR partnership\nA committed board"},
            expected_version=visit.version,
            reason="Added a facilitator we forgot.",
        )
    renewed = visit_report(visit)
    assert renewed.pk != first.pk
    assert renewed.status == Document.Status.READY and renewed.render_count == 1
    first.refresh_from_db()
    assert not first.is_current and first.render_count == 1

    response, corrected = download(client, renewed)
    assert response.status_code == 200 and corrected.startswith(b"%PDF-")
    assert corrected != once
    # Only the current report is readable: the old one's addresses answer 404.
    assert client.get(first.download_url).status_code == 404
    assert client.get(first.get_absolute_url()).status_code == 404
    # Its file is still stored (the emails that carried it name it), only not served.
    assert first.file and first.file.storage.exists(first.file.name)


def test_it_never_renders_a_record_document_replaced_before_a_worker_reached_it(
    tenant, django_capture_on_commit_callbacks
):
    import time_machine
    from django.utils import timezone

    trainer = tenant.user(Role.STATE_TRAINER)
    visit = make_visit(tenant)  # finalized while the workers were behind: not rendered
    replaced = visit_report(visit)
    assert replaced.status == Document.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        readiness_services.visit_amend(
            user=trainer,
            visit=visit,
            data={"barriers": "No start-up budget"},
            expected_version=visit.version,
            reason="One barrier was a duplicate.",
        )
    current = visit_report(visit)
    assert current.pk != replaced.pk and current.render_count == 1
    # The lost task of the replaced one is found by the periodic sweep, and again later.
    with time_machine.travel(timezone.now() + services.QUEUE_TIMEOUT * 2, tick=False) as t:
        services.documents_dispatch()
        t.shift(services.QUEUE_TIMEOUT * 2)
        assert services.documents_dispatch()["queued"] == 0
    replaced.refresh_from_db()
    # Rendering it would print the amended record under the old version, for no reader.
    assert replaced.render_count == 0 and not replaced.file
    assert replaced.status == Document.Status.FAILED
    assert "Replaced by a corrected version" in replaced.error
    current.refresh_from_db()
    assert current.is_current and current.render_count == 1


# --------------------------------------------------------------------------------------------
# Every kind, readable by its readers only
# --------------------------------------------------------------------------------------------


def _ready_record_document(kind: str, record, *, user) -> Document:
    """A ready record document of ``record``, written as the worker would have left it (a
    draft's record cannot be rendered: the renderer reads published records only)."""
    document = services.record_document_publish(
        kind=kind, record=record, version=record.version, title="Record", user=user, queue=False
    )
    document.file.save(document.filename, ContentFile(b"%PDF-1.7 test record"), save=False)
    Document.objects.filter(pk=document.pk).update(
        file=document.file.name, status=Document.Status.READY, progress=100, render_count=1
    )
    document.refresh_from_db()
    return document


def _visit_record_cases(kind: str, tenant, capture):
    """The readiness visit report: readers of the visit read it; final-only roles only when
    the visit is finalized."""
    final_readers = {
        tenant.user(r)
        for r in (
            Role.STATE_ADMIN,
            Role.STATE_TRAINER,
            Role.FIDELITY_REVIEWER,
            Role.VR_LIAISON,
            Role.IPS_SUPERVISOR,
            Role.AGENCY_LEADER,
        )
    }
    draft_readers = {
        tenant.user(r) for r in (Role.STATE_ADMIN, Role.STATE_TRAINER, Role.FIDELITY_REVIEWER)
    }
    with capture(execute=True):
        final = make_visit(tenant, label="final")
    final_document = visit_report(final)
    assert final_document.kind == kind and final_document.status == Document.Status.READY
    draft = make_visit(tenant, final=False, label="draft")
    draft_document = _ready_record_document(kind, draft, user=tenant.user(Role.STATE_TRAINER))
    return [
        ("final visit", final_document, final_readers),
        ("draft", draft_document, draft_readers),
    ]


def _agreement_record_cases(kind: str, tenant, capture):
    """The training and TA agreement of a version: every role of the agency reads it."""
    import datetime

    from agencies import services as agency_services

    agreement = agency_services.agreement_create(
        user=tenant.user(Role.STATE_TRAINER),
        agency=tenant.agency,
        start_date=datetime.date(2026, 1, 5),
    )
    with capture(execute=True):
        document = agency_services.agreement_document(
            user=tenant.user(Role.AGENCY_LEADER), agreement=agreement
        )
    document.refresh_from_db()
    return [("agreement version", document, set(tenant.users.values()))]


def _review_record_cases(kind: str, tenant, capture):
    """The fidelity report of a final review: every role of the agency reads it (final-only
    readers included, as the review is final)."""
    from tests.fidelity.test_report import _finalize

    with capture(execute=True):
        review = _finalize(tenant)
    document = Document.objects.get(kind=kind, subject_id=review.pk)
    return [("final review", document, set(tenant.users.values()))]


#: Builders of record documents per kind of record: a new kind of record document fails the
#: test below until it has one here.
RECORD_CASES = {
    "readiness.ReadinessVisit": _visit_record_cases,
    "agencies.TAAgreement": _agreement_record_cases,
    "fidelity.FidelityReview": _review_record_cases,
}


def _cases(kind_name: str, tenant, capture):
    kind = DOCUMENT_KINDS[kind_name]
    if kind.is_record:
        if kind.subject not in RECORD_CASES:
            pytest.fail(f"The record document kind {kind_name!r} has no case in RECORD_CASES")
        return RECORD_CASES[kind.subject](kind_name, tenant, capture)
    # Exports: the tenant's trainer asks, about the tenant's agency or the collaborative.
    with capture(execute=True):
        make_visit(tenant, label="exported")
    requester = tenant.user(Role.STATE_TRAINER)
    cases = []
    for fmt in kind.formats:
        document = request_export(
            capture,
            user=requester,
            kind=kind_name,
            collaborative=tenant.collaborative,
            subject=tenant.agency if kind.subject else None,
            fmt=fmt,
        )
        cases.append((f"{fmt} about {kind.subject or 'the collaborative'}", document, {requester}))
    return cases


@pytest.mark.parametrize("kind_name", sorted(DOCUMENT_KINDS))
def test_it_shows_each_kind_of_document_to_its_readers_only(
    client, tenant, other_tenant, kind_name, django_capture_on_commit_callbacks
):
    cases = _cases(kind_name, tenant, django_capture_on_commit_callbacks)
    assert cases
    people = everyone(tenant, other_tenant)
    for case, document, readers in cases:
        assert document.is_ready, case
        for user in people:
            client.force_login(user)
            expected = 200 if user in readers else 404
            status_page = client.get(document.get_absolute_url())
            response, body = download(client, document)
            who = f"{case}: {user.full_name}"
            assert status_page.status_code == expected, who
            assert response.status_code == expected, who
            if expected == 200:
                assert body and body == document.file.open("rb").read(), who


def test_it_stops_showing_an_export_when_its_requester_loses_the_agency(
    client, tenant, django_capture_on_commit_callbacks
):
    from agencies.models import MembershipAgency

    trainer = tenant.user(Role.STATE_TRAINER)
    document = request_export(
        django_capture_on_commit_callbacks,
        user=trainer,
        kind="agency_summary",
        collaborative=tenant.collaborative,
        subject=tenant.agency,
    )
    client.force_login(trainer)
    assert download(client, document)[0].status_code == 200
    MembershipAgency.objects.filter(membership__user=trainer, agency=tenant.agency).delete()
    from ipsportal import access

    access.forget_memberships(trainer)
    assert client.get(document.get_absolute_url()).status_code == 404
    assert download(client, document)[0].status_code == 404


# --------------------------------------------------------------------------------------------
# Each export kind, rendered for real
# --------------------------------------------------------------------------------------------


def test_it_renders_the_agency_summary_with_the_agency_s_staff(
    client, tenant, tmp_path, django_capture_on_commit_callbacks
):
    trainer = tenant.user(Role.STATE_TRAINER)
    document = request_export(
        django_capture_on_commit_callbacks,
        user=trainer,
        kind="agency_summary",
        collaborative=tenant.collaborative,
        subject=tenant.agency,
    )
    client.force_login(trainer)
    response, data = download(client, document)
    assert response.status_code == 200 and data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    assert tenant.agency.name in text
    assert tenant.user(Role.IPS_SUPERVISOR).full_name in text
    assert tenant.other_agency_users[Role.IPS_SUPERVISOR].full_name not in text


def test_it_renders_the_readiness_history_with_its_chart_from_final_visits_only(
    client, tenant, tmp_path, django_capture_on_commit_callbacks
):
    make_visit(tenant, days_ago=40, work_needed_every=2)
    make_visit(tenant, days_ago=20, work_needed_every=4)
    make_visit(tenant, days_ago=3, work_needed_every=23, final=False)  # a draft
    make_visit(tenant, agency=tenant.other_agency, user=tenant.user(Role.STATE_ADMIN))
    visits = list(ReadinessVisit.objects.filter(agency=tenant.agency).order_by("visit_date"))
    old, recent, draft = visits
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    document = request_export(
        django_capture_on_commit_callbacks,
        user=supervisor,
        kind="readiness_history",
        collaborative=tenant.collaborative,
        subject=tenant.agency,
    )
    client.force_login(supervisor)
    response, data = download(client, document)
    assert response.status_code == 200 and data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    assert tenant.agency.name in text
    assert "Areas rated ready at each finalized visit" in text
    for visit in (old, recent):
        assert f"{visit.ready_count} of {visit.applicable_count}" in text
    assert old.ready_count != recent.ready_count
    assert f"{draft.ready_count} of {draft.applicable_count}" not in text
    assert draft.visit_date.strftime("%B %-d, %Y") not in text
    assert tenant.other_agency.name not in text
    # The chart is drawn, not only its text: the first page, rasterised, holds its bars.
    assert bar_pixels(data, tmp_path) > 300


def test_it_draws_no_bars_in_a_readiness_history_without_finalized_visits(
    client, tenant, tmp_path, django_capture_on_commit_callbacks
):
    make_visit(tenant, final=False)
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    document = request_export(
        django_capture_on_commit_callbacks,
        user=supervisor,
        kind="readiness_history",
        collaborative=tenant.collaborative,
        subject=tenant.agency,
    )
    client.force_login(supervisor)
    data = download(client, document)[1]
    assert "No finalized readiness visit yet." in pdf_text(data, tmp_path)
    assert bar_pixels(data, tmp_path) == 0


def _overview(capture, user, tenant, fmt):
    return request_export(
        capture,
        user=user,
        kind="readiness_overview",
        collaborative=tenant.collaborative,
        fmt=fmt,
    )


def _csv_rows(client, document) -> list[list[str]]:
    response, data = download(client, document)
    assert response.status_code == 200
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(client, document):
    response, data = download(client, document)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(data)).active
    return sheet, [[c.value for c in row] for row in sheet.iter_rows()]


def test_it_exports_the_overview_the_requester_sees_and_nothing_else(
    client, tenant, other_tenant, django_capture_on_commit_callbacks
):
    final = make_visit(tenant, days_ago=30, work_needed_every=2)
    draft = make_visit(tenant, days_ago=2, work_needed_every=5, final=False)
    make_visit(other_tenant)
    Agency.objects.filter(pk=tenant.agency.pk).update(city='=HYPERLINK("http://evil.example")')
    capture = django_capture_on_commit_callbacks

    trainer = tenant.user(Role.STATE_TRAINER)
    client.force_login(trainer)
    rows = _csv_rows(client, _overview(capture, trainer, tenant, Document.Format.CSV))
    header, *body = rows
    assert header[0] == "Agency"
    assert [r[0] for r in body] == [tenant.agency.name]  # assigned to this agency only
    (row,) = body
    assert row[1] == '\'=HYPERLINK("http://evil.example")'
    assert row[4] == "2" and row[5] == draft.visit_date.isoformat() and row[6] == "Draft"

    sheet, rows = _xlsx_rows(client, _overview(capture, trainer, tenant, Document.Format.XLSX))
    assert [r[0] for r in rows[1:]] == [tenant.agency.name]
    city = sheet.cell(row=2, column=2)
    assert city.data_type == "s" and city.value.startswith("'=")
    assert rows[1][5] == draft.visit_date.isoformat()

    # A supervisor's export holds the finalized visit's figures only.
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    client.force_login(supervisor)
    header, *body = _csv_rows(client, _overview(capture, supervisor, tenant, Document.Format.CSV))
    assert [r[0] for r in body] == [tenant.agency.name]
    (row,) = body
    assert row[4] == "1"
    assert row[5] == final.visit_date.isoformat() and row[6] == "Final"
    assert row[8] == str(final.ready_count) and row[8] != str(draft.ready_count)
    sheet, rows = _xlsx_rows(client, _overview(capture, supervisor, tenant, Document.Format.XLSX))
    assert rows[1][5] == final.visit_date.isoformat()

    # The state admin sees both agencies of the collaborative, never the other one's.
    admin = tenant.user(Role.STATE_ADMIN)
    client.force_login(admin)
    header, *body = _csv_rows(client, _overview(capture, admin, tenant, Document.Format.CSV))
    assert sorted(r[0] for r in body) == sorted([tenant.agency.name, tenant.other_agency.name])
    assert not any(other_tenant.agency.name in ",".join(r) for r in body)


def test_it_zips_one_report_per_finalized_visit_the_requester_may_export_with_progress(
    client, tenant, other_tenant, django_capture_on_commit_callbacks
):
    first = make_visit(tenant, days_ago=30)
    second = make_visit(tenant, days_ago=10, work_needed_every=2)
    make_visit(tenant, days_ago=2, final=False)  # a draft: never in the ZIP
    make_visit(tenant, agency=tenant.other_agency, user=tenant.user(Role.STATE_ADMIN))
    make_visit(other_tenant)
    # The reports were never rendered: the ZIP renders each one, once, and keeps it.
    assert {visit_report(v).status for v in (first, second)} == {Document.Status.PENDING}

    trainer = tenant.user(Role.STATE_TRAINER)
    client.force_login(trainer)
    pages: list[str] = []
    watching = {"zip": None, "busy": False}

    def watch(execute, sql, params, many, context):
        # After each progress write, look at the ZIP's status page as its requester would.
        result = execute(sql, params, many, context)
        if watching["zip"] and not watching["busy"] and 'SET "progress"' in sql:
            watching["busy"] = True
            try:
                pages.append(client.get(watching["zip"]).content.decode())
            finally:
                watching["busy"] = False
        return result

    with django_capture_on_commit_callbacks(execute=False) as queued:
        document = services.document_request(
            user=trainer,
            kind="readiness_reports",
            collaborative=tenant.collaborative,
            title="All reports",
        )
    assert len(queued) == 1
    watching["zip"] = document.get_absolute_url()
    with connection.execute_wrapper(watch):
        queued[0]()  # the worker's task, run here
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.error
    assert document.progress == 100

    running = [p for p in pages if "<progress" in p]
    assert running, "the status page never showed the progress while the ZIP was prepared"
    values = [int(v) for p in running for v in re.findall(r'<progress[^>]*value="(\d+)"', p)]
    assert values == sorted(values) and values[0] == 0 and max(values) < 100
    assert any("of 2 reports" in p for p in running)
    done = client.get(document.get_absolute_url()).content.decode()
    assert "<progress" not in done and document.download_url in done

    response, data = download(client, document)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == 2
        assert all(archive.read(n).startswith(b"%PDF-") for n in pdfs)
        assert {n[-14:-4] for n in pdfs} == {
            first.visit_date.isoformat(),
            second.visit_date.isoformat(),
        }
        assert "README.txt" in names
    # Each report was rendered once and kept for the next download.
    for visit in (first, second):
        report = visit_report(visit)
        assert report.status == Document.Status.READY and report.render_count == 1

    # The state admin's ZIP holds the other agency's finalized visit too; a supervisor's,
    # the finalized visits of their agency only.
    for role, count in ((Role.STATE_ADMIN, 3), (Role.IPS_SUPERVISOR, 2)):
        user = tenant.user(role)
        zipped = request_export(
            django_capture_on_commit_callbacks,
            user=user,
            kind="readiness_reports",
            collaborative=tenant.collaborative,
        )
        client.force_login(user)
        with zipfile.ZipFile(io.BytesIO(download(client, zipped)[1])) as archive:
            assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == count, role

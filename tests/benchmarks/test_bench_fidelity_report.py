"""The fidelity report's costs: rendering a report of about ten pages in the worker against
bare WeasyPrint on the same HTML, serving the stored report again, and the bulk export of
50 reports (with the request that asks for it, which waits for none of them).

Run: ``make test PYTEST_ARGS="tests/benchmarks/test_bench_fidelity_report.py --benchmark-only -s"``
"""

import subprocess
import time

import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML

from agencies.models import Role
from fidelity import selectors_reviews
from fidelity.models import FidelityReview
from fidelity.reports import REPORT_KIND, fidelity_report
from ipsportal.models import Document
from ipsportal.pdf import REPORT_BASE_URL, StaticOnlyFetcher
from ipsportal.services import document_render, record_document_publish
from tests.fidelity.test_report import _finalize
from tests.fidelity.test_reviews import NOW

WORDS = "The team described how the employment specialists meet employers each week. "


def _long_review(tenant):
    """A final review whose rationale, strengths and recommendations fill about ten pages."""
    review = _finalize(tenant)
    for row in review.consensus.all():
        row.rationale = WORDS
        row.strengths = WORDS
        row.recommendations = WORDS
        row.save()
    return FidelityReview.objects.get(pk=review.pk)


def _pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )


@time_machine.travel(NOW)
def test_it_renders_a_ten_page_report_in_the_worker_and_serves_it_again(
    benchmark, client, tenant, django_capture_on_commit_callbacks, tmp_path
):
    review = _long_review(tenant)
    document = record_document_publish(
        kind=REPORT_KIND, record=review, version=review.version, title="bench", user=None
    )

    def worker():
        return fidelity_report(document, lambda *a: None)

    data = benchmark.pedantic(worker, rounds=3, iterations=1)
    collaborative = review.collaborative
    html = render_to_string(
        "reports/fidelity_report.html",
        {
            **selectors_reviews.report_content(review),
            "document": document,
            "collaborative": collaborative,
            "finalized_at": collaborative.local(review.finalized_at),
            "generated_at": collaborative.local_now(),
        },
    )
    bare = []
    for _ in range(3):
        start = time.perf_counter()
        HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
        bare.append(time.perf_counter() - start)
    document = document_render(document_id=document.pk)
    assert document.status == Document.Status.READY
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    serve = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(document.download_url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        serve.append(time.perf_counter() - start)
        assert body == document.file.open("rb").read()
    print(
        f"\nfidelity report: {_pages(data, tmp_path)} pages; worker median "
        f"{benchmark.stats.stats.median:.2f} s, bare WeasyPrint on the same HTML median "
        f"{sorted(bare)[1]:.2f} s; serving it again median {sorted(serve)[2] * 1000:.1f} ms"
    )


@time_machine.travel(NOW)
def test_it_exports_50_reports_in_the_background(
    benchmark, client, tenant, django_capture_on_commit_callbacks
):
    for _ in range(50):
        _finalize(tenant)  # the records, not their PDFs (nothing is queued outside a commit)
    client.force_login(tenant.user(Role.STATE_ADMIN))
    start = time.perf_counter()
    client.post(reverse("fidelity:reports_export"), {})
    asked = time.perf_counter() - start
    document = Document.objects.get(kind="fidelity_reports")
    assert document.status == Document.Status.PENDING  # the request waited for nothing

    def export():
        Document.objects.filter(pk=document.pk).update(status=Document.Status.PENDING)
        return document_render(document_id=document.pk)

    start = time.perf_counter()
    first = export()
    cold = time.perf_counter() - start
    assert first.status == Document.Status.READY, first.error
    warm = benchmark.pedantic(export, rounds=3, iterations=1)
    assert warm.status == Document.Status.READY
    print(
        f"\nbulk export of 50 reports: the request {asked * 1000:.0f} ms; rendering every "
        f"report {cold:.1f} s; again with the reports stored "
        f"{benchmark.stats.stats.median:.2f} s (median)"
    )

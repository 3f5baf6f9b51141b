"""The PDF helper: reports load the project's static files and nothing else."""

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from ipsportal import pdf
from ipsportal.pdf import REPORT_BASE_URL, RefusedURL, StaticOnlyFetcher

TEST_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC_PREFIX = REPORT_BASE_URL.rstrip("/") + "/static/"


@pytest.fixture
def report_templates(settings):
    """Adds ``tests/templates`` so the probe report template can be rendered."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}
    ]


@pytest.fixture
def fetchers(monkeypatch):
    """Every fetcher ``render_pdf`` creates, so a test can read what each one refused."""
    created: list[StaticOnlyFetcher] = []

    class RecordedFetcher(StaticOnlyFetcher):
        def __init__(self) -> None:
            super().__init__()
            created.append(self)

    monkeypatch.setattr(pdf, "StaticOnlyFetcher", RecordedFetcher)
    return created


@pytest.fixture
def local_server():
    """A real HTTP server on 127.0.0.1 that counts the requests it receives."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/static/reports/report.css",
        "https://example.org/x.png",
        "data:text/css;base64,Ym9keSB7IGNvbG9yOiByZWQgfQ==",
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>",
        STATIC_PREFIX + "../../settings.py",
        STATIC_PREFIX + "reports/../../ipsportal/settings.py",
        STATIC_PREFIX + "%2e%2e/%2e%2e/ipsportal/settings.py",
        STATIC_PREFIX + "/etc/passwd",
        STATIC_PREFIX + "reports/no-such-file.css",
        REPORT_BASE_URL + "ipsportal/settings.py",
        "https://reports.ips-portal.invalid.example.org/static/reports/report.css",
    ],
)
def test_it_refuses_every_url_outside_the_static_files(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_it_serves_the_report_stylesheet_from_the_static_files():
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch(STATIC_PREFIX + "reports/report.css")
    assert response.read() == Path(finders.find("reports/report.css")).read_bytes()
    assert response.content_type == "text/css"
    assert fetcher.refused == []


def test_it_renders_a_report_without_what_it_refused(report_templates, fetchers, tmp_path):
    data = pdf.render_pdf(
        "fetch_probe",
        {"agency_name": "Riverside Clinic", "outside_base": "https://example.org"},
    )
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data, tmp_path)
    assert "Quarterly probe of Riverside Clinic" in text
    assert "Twelve people started competitive jobs this quarter." in text
    # The page footer comes from reports/report.css: the static stylesheet was applied.
    assert "Page 1 of 1" in text
    assert "root:" not in text  # nothing of /etc/passwd

    [fetcher] = fetchers
    refused = set(fetcher.refused)
    assert "file:///etc/passwd" in refused
    assert "file:///etc/hostname" in refused
    assert "https://example.org/outside.css" in refused
    assert "https://example.org/probe.css" in refused
    assert "https://example.org/beacon.png" in refused
    assert REPORT_BASE_URL + "ipsportal/settings.py" in refused
    assert not any("reports/report.css" in url for url in refused)


def test_it_sends_no_request_to_a_server_a_report_links_to(
    report_templates, fetchers, local_server, tmp_path
):
    base, hits = local_server
    data = pdf.render_pdf("fetch_probe", {"agency_name": "Lakeside", "outside_base": base})
    assert "Quarterly probe of Lakeside" in _pdf_text(data, tmp_path)
    assert hits == []
    assert f"{base}/probe.css" in fetchers[0].refused
    assert f"{base}/beacon.png" in fetchers[0].refused

    # The server was there and answering all along: the report simply never asked.
    with urlopen(f"{base}/probe.css", timeout=5) as response:  # noqa: S310
        assert response.status == 200
    assert hits == ["/probe.css"]


def test_it_renders_the_agency_summary_with_its_own_stylesheet_only(tenant, fetchers, tmp_path):
    data = pdf.render_pdf(
        "agency_summary",
        {"agency": tenant.agency, "staff": [], "generated_at": timezone.now(), "report": None},
    )
    text = _pdf_text(data, tmp_path)
    assert tenant.agency.name in text
    assert "Page 1 of 1" in text
    assert fetchers[0].refused == []

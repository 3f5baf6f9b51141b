"""The one PDF helper: render ``templates/reports/<name>.html`` with WeasyPrint.

Reports only ever load the project's own static files. The URL fetcher serves those from disk
and refuses everything else (no network, no ``file://``, no ``data:`` smuggling of remote
content), so a report cannot be made to read the server's files or call out.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

#: The base URL reports are rendered against; it never leaves the process.
REPORT_BASE_URL = "https://reports.ips-portal.invalid/"


class RefusedURL(ValueError):
    """A report asked for something outside the project's static files."""


class StaticOnlyFetcher(URLFetcher):
    """Serves ``<REPORT_BASE_URL><STATIC_URL>...`` from the project's static files; refuses
    every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF rendering refused a URL outside the static files: %s", url[:200])
            raise RefusedURL(f"Refused to fetch {url[:200]!r}: reports may only use static files.")
        mime, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
        )

    @staticmethod
    def _static_path(url: str) -> Path | None:
        prefix = REPORT_BASE_URL.rstrip("/") + settings.STATIC_URL
        if not url.startswith(prefix):
            return None
        parts = urlsplit(url)
        relative = unquote(parts.path[len(settings.STATIC_URL) :])
        if not relative or ".." in Path(relative).parts or relative.startswith("/"):
            return None
        found = finders.find(relative)
        if not found:
            root = Path(settings.STATIC_ROOT).resolve()
            candidate = (root / relative).resolve()
            found = (
                str(candidate) if candidate.is_relative_to(root) and candidate.is_file() else None
            )
        return Path(found) if found else None


def render_pdf(name: str, context: dict) -> bytes:
    """Render ``templates/reports/<name>.html`` with ``context`` and return the PDF bytes."""
    html = render_to_string(f"reports/{name}.html", context)
    fetcher = StaticOnlyFetcher()
    return HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=fetcher).write_pdf()

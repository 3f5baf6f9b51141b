"""Helpers shared by the browser tests (Playwright driving Chromium against ``live_server``).

Fixtures
    ``demo_data``  loads the demo collaboratives and their users (``load_demo``).
    ``log_in``     a function ``log_in(email, password=DEMO_PASSWORD)`` that logs in through
                   the login form in ``page`` and waits for the home page.
    ``portal_url`` a function ``portal_url("/agencies/")`` giving the live server's address.

    ``page``       Playwright's page, left for a blank one when the test ends, and the test
                   waits until the live server has finished the requests that leaving
                   caused (the visit form saves as it is left) before the database is emptied.
    ``csp_violations`` (automatic) the Content-Security-Policy violations the pages of the
                   test reported, in every browser context the test opens; the test fails if
                   any remain when it ends (a test that provokes one on purpose clears the list).

Functions
    ``assert_accessible(page, label)`` runs axe-core in the page and fails on serious or
    critical violations, listing each rule and the elements that break it.
    ``outbox_link(pattern)`` the path of the last link in the sent mail that matches
    ``pattern`` (the live server runs in the test's process, so ``mail.outbox`` sees its mail).

Browser tests carry ``pytestmark = pytest.mark.e2e``; the top-level conftest skips them where
no Chromium exists (and fails instead under ``REQUIRE_E2E=1``).
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from collections.abc import Callable, Iterable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.core.management import call_command
from django.db import connection

from agencies.demo import DEMO_PASSWORD

#: axe impacts that fail a test; "minor" and "moderate" findings are reported, not fatal.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_axe = Axe()


@pytest.fixture
def page(page, live_server):
    """Playwright's page; when the test ends it is left for a blank one, and the test waits
    for the requests that leaving caused, so that no request of the page's is still being
    served while the database is emptied (the two would deadlock on PostgreSQL)."""
    yield page
    with contextlib.suppress(Exception):  # the page or its browser may be closed already
        page.goto("about:blank")
    _wait_for_other_queries()


def _wait_for_other_queries(seconds: float = 5.0) -> None:
    """Until no other connection to the test database is busy (PostgreSQL), briefly."""
    time.sleep(0.1)  # the request a page sends as it is left reaches the server first
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


@pytest.fixture
def demo_data(transactional_db) -> None:
    """The demo data, in the database the live server uses."""
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def portal_url(live_server) -> Callable[[str], str]:
    """Absolute URL of a path on the live server."""

    def url(path: str = "/") -> str:
        return live_server.url + path

    return url


@pytest.fixture
def log_in(page, portal_url) -> Callable[..., None]:
    """Log in through the login form, as a person would, and wait for the home page."""

    def log_in(email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto(portal_url("/accounts/login/"))
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=False).first.fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(portal_url("/"))

    return log_in


# Registered before any script of the page: reports every violation, whatever its cause
# (inline script or style, eval, a resource from elsewhere), to the test.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__ipsReportCspViolation({
    page: document.location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
  });
});
"""


def watch_csp(context, found: list[str]) -> None:
    """Collect the CSP violations of every page of ``context`` into ``found``: from the
    ``securitypolicyviolation`` event and from the console, where Chromium also logs them."""

    def report(_source, violation: dict) -> None:
        found.append(
            "{page}: {directive} refused {blocked!r} at {source} {sample!r}".format(**violation)
        )

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    context.expose_binding("__ipsReportCspViolation", report)
    context.add_init_script(_CSP_LISTENER)
    context.on("console", console)


@pytest.fixture(autouse=True)
def csp_violations(browser, monkeypatch) -> Iterator[list[str]]:
    """Fail the test when a page it visited reported a Content-Security-Policy violation."""
    found: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        watch_csp(context, found)
        return context

    # pytest-playwright's ``context`` (and so ``page``) and the test's own contexts alike.
    monkeypatch.setattr(browser, "new_context", watched_context)
    yield found
    if found:
        pytest.fail(
            "The page broke its Content-Security-Policy:\n" + "\n".join(dict.fromkeys(found)),
            pytrace=False,
        )


def axe_violations(
    page, impacts: Iterable[str] = BLOCKING_IMPACTS, context: str | None = None
) -> list[dict]:
    """The axe-core violations of the page (or of the ``context`` selector) at these impacts."""
    wanted = set(impacts)
    results = _axe.run(page, context=context)
    return [v for v in results.response["violations"] if v.get("impact") in wanted]


def assert_accessible(page, label: str, impacts: Iterable[str] = BLOCKING_IMPACTS) -> None:
    """Fail with a readable list when axe finds violations of these impacts in the page."""
    found = axe_violations(page, impacts)
    if found:
        lines = [f"axe found {len(found)} problem(s) on {label} ({page.url}):"]
        for violation in found:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
        raise AssertionError("\n".join(lines))


def outbox_link(pattern: str) -> str:
    """The path (and query) of the last link in sent mail whose path matches ``pattern``."""
    regex = re.compile(r"https?://[^/\s]+(" + pattern + r")")
    for message in reversed(mail.outbox):
        found = regex.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"No sent email has a link matching {pattern!r}")

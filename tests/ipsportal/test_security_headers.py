"""The Content-Security-Policy on every page (in production mode too), and no caching of what a
signed-in person sees: pages, API answers and downloads."""

import json
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from agencies.models import Role
from ipsportal.models import Document

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return dict(parts)


def assert_strict(header: str | None) -> None:
    assert header, "no Content-Security-Policy"
    found = directives(header)
    assert found == POLICY
    assert "unsafe" not in header and "nonce-" not in header and "sha256-" not in header


def test_it_sends_the_policy_on_pages_api_and_errors(client, tenant):
    anonymous = [reverse("account_login"), reverse("account_reset_password"), "/no-such-page/"]
    for path in anonymous:
        assert_strict(client.get(path).get("Content-Security-Policy"))
    client.force_login(tenant.user(Role.STATE_ADMIN))
    for path in ["/", reverse("agencies:list"), "/api/v1/agencies/", reverse("api_docs")]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response.get("Content-Security-Policy"))


def test_it_starts_the_api_docs_without_inline_script(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    page = client.get(reverse("api_docs")).content.decode()
    assert '<html lang="en">' in page
    assert "Back to the portal" in page
    # Every <script> of the page has a src: the policy needs no nonce or hash for it.
    assert page.count("<script") == page.count("<script src=")
    assert "<style" not in page
    script = client.get(reverse("api_docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_it_can_switch_the_policy_off(client, settings, db):
    settings.CSP_ENABLED = False
    assert "Content-Security-Policy" not in client.get(reverse("account_login"))


def test_it_forbids_caching_of_what_a_signed_in_person_sees(client, tenant):
    # The same page, anonymous and signed in: only the second is kept out of caches.
    anonymous = client.get(reverse("api_docs"))
    assert anonymous.status_code == 200
    assert "no-store" not in anonymous.get("Cache-Control", "")

    client.force_login(tenant.user(Role.STATE_ADMIN))
    signed_in = ["/", reverse("agencies:detail", args=[tenant.agency.pk]), reverse("api_docs")]
    for path in [*signed_in, "/api/v1/agencies/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path


def test_it_forbids_caching_of_downloads(client, tenant, django_capture_on_commit_callbacks):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agencies:summary_pdf", args=[tenant.agency.pk]))
    document = Document.objects.get()
    download = client.get(reverse("document_download", args=[document.pk]))
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    assert_strict(download.get("Content-Security-Policy"))


# Production settings are read once at start-up: sample the routes in a fresh interpreter with
# DJANGO_ENV=production. collectstatic is what builds the manifest of hashed static files at
# deploy time (the smoke test covers it); here the plain storage stands in for it.
PRODUCTION_SAMPLE = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "ipsportal.settings"
django.setup()
from django.core.management import call_command
from django.test import Client, override_settings
from django.test.utils import setup_test_environment

setup_test_environment()
call_command("migrate", verbosity=0)
from ipsportal.models import User
user = User.objects.create_user(email="ops@example.org", password="a-long-passphrase-19")
storages = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
anonymous = ["/accounts/login/", "/accounts/password/reset/", "/healthz/", "/nowhere/"]
answers = {}


def sample(client, label, path):
    r = client.get(path, secure=True)
    policy, cache = r.get("Content-Security-Policy"), r.get("Cache-Control")
    answers[label + path] = [r.status_code, policy, cache]


with override_settings(STORAGES=storages):
    client = Client(HTTP_HOST="portal.example.org")
    for path in [*anonymous, "/api/schema/"]:
        sample(client, "", path)
    client.force_login(user)
    for path in ["/", "/api/docs/", "/api/v1/me/"]:
        sample(client, "signed in ", path)
print(json.dumps(answers))
"""


def test_it_sends_the_policy_in_production_mode(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "IPS_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_SAMPLE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(answers) == 8
    for route, (status, policy, cache_control) in answers.items():
        assert status < 500, (route, status)
        assert_strict(policy)
        if route.startswith("signed in"):
            assert status == 200, route
            assert "no-store" in (cache_control or ""), route


@pytest.mark.parametrize("path", ["templates", "static"])
def test_it_keeps_templates_and_scripts_free_of_what_the_policy_blocks(path):
    # Inline event handlers, style attributes, <style> and inline <script> blocks and
    # javascript: URLs would all be refused by the browser. PDF templates (templates/reports/,
    # rendered by WeasyPrint, never by a browser) and vendored files are not served as pages.
    root = settings.BASE_DIR / path
    blocked = re.compile(
        r"""\son[a-z]+\s*=\s*["']|\sstyle\s*=\s*["']|<style[\s>]|javascript:|<script(?![^>]*\ssrc=)[^>]*>""",
        re.IGNORECASE,
    )
    offenders = []
    for file in sorted(root.rglob("*")):
        relative = file.relative_to(settings.BASE_DIR).as_posix()
        if not file.is_file() or file.suffix not in {".html", ".js", ".txt"}:
            continue
        if relative.startswith(("templates/reports/", "static/vendor/")):
            continue
        for number, line in enumerate(file.read_text().splitlines(), 1):
            if blocked.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()[:100]}")
    assert offenders == []


def test_it_spares_only_djangos_debug_pages_in_development(client, settings, db):
    # `make run` serves the policy too; only Django's own debug pages (inline style and
    # script, DEBUG only) go without it, or they would show unstyled.
    settings.DEBUG = True
    assert_strict(client.get(reverse("account_login")).get("Content-Security-Policy"))
    debug_404 = client.get("/no-such-page/")
    assert debug_404.status_code == 404
    assert "Content-Security-Policy" not in debug_404

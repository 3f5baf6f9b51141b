"""Production settings: they refuse to start half-configured, and pass Django's deploy checks.

Each case runs in a fresh interpreter with a clean environment, because settings are read
once at import."""

import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

IMPORT_SETTINGS = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'ipsportal.settings'; "
    "django.setup(); from django.conf import settings as s; "
    "print('DEBUG', s.DEBUG); print('HOSTS', ','.join(s.ALLOWED_HOSTS))"
)


@pytest.fixture
def run(tmp_path):
    """Run Python in the project directory with only the given environment variables."""

    def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
        clean = {"PATH": "/usr/bin:/bin", "IPS_VAR_DIR": str(tmp_path / "var"), **env}
        return subprocess.run(
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env=clean,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def _production_env(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.org",
        **extra,
    }


def test_it_refuses_production_without_a_secret_key(run):
    result = run(["-c", IMPORT_SETTINGS], DJANGO_ENV="production", ALLOWED_HOSTS="x.example.org")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_it_refuses_production_without_allowed_hosts(run):
    env = _production_env()
    del env["ALLOWED_HOSTS"]
    result = run(["-c", IMPORT_SETTINGS], **env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_it_starts_production_with_debug_off(run):
    result = run(["-c", IMPORT_SETTINGS], **_production_env())
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout
    assert "HOSTS portal.example.org" in result.stdout


def test_it_passes_the_deploy_checks_in_production(run):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_fails_the_deploy_checks_in_development(run):
    # The same command is strict enough to fail the development settings (debug, cookies).
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


MAIL_LINK = r"https?://[^\s/]+/\S*"


def test_it_points_mail_links_at_the_port_make_run_serves_on(run, tmp_path):
    # `make run IPS_PORT=8101` exports IPS_PORT to the web server and the worker; the
    # invitation a new collaborative's admin receives must link to that port. (Tasks run
    # eagerly here, so the outbox's delivery task writes the mail at once.)
    env = {"IPS_PORT": "8101", "EMAIL_URL": "filemail://", "CELERY_TASK_ALWAYS_EAGER": "1"}
    migrated = run(["manage.py", "migrate", "--noinput", "-v0"], **env)
    assert migrated.returncode == 0, migrated.stderr
    created = run(
        [
            *("manage.py", "create_collaborative", "--name", "Port Test Collaborative"),
            *("--slug", "port-test", "--state", "MO", "--admin-email", "first@example.org"),
        ],
        **env,
    )
    assert created.returncode == 0, created.stderr

    mail_files = list((tmp_path / "var" / "mail").glob("*"))
    assert mail_files, "the invitation was not written to var/mail/"
    links = [
        link for f in mail_files for link in re.findall(MAIL_LINK, f.read_text(errors="replace"))
    ]
    assert any("/invitations/" in link for link in links), links
    assert all(link.startswith("http://127.0.0.1:8101/") for link in links), links


def test_it_prefers_an_explicit_portal_base_url_to_the_port(run):
    show = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'ipsportal.settings'; "
        "django.setup(); from django.conf import settings as s; print(s.PORTAL_BASE_URL)"
    )
    assert run(["-c", show]).stdout.strip() == "http://127.0.0.1:8000"
    assert run(["-c", show], IPS_PORT="8101").stdout.strip() == "http://127.0.0.1:8101"
    explicit = run(["-c", show], IPS_PORT="8101", PORTAL_BASE_URL="https://ips.example.org")
    assert explicit.stdout.strip() == "https://ips.example.org"


def test_it_switches_every_sign_in_limit_off_only_when_asked(run):
    show = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'ipsportal.settings'; "
        "django.setup(); from allauth.account import app_settings as a; "
        "print(sorted(k for k, v in a.RATE_LIMITS.items() if v))"
    )
    on = run(["-c", show])
    assert on.returncode == 0, on.stderr
    assert "'login_failed_account_address'" in on.stdout and "'login'" in on.stdout
    assert run(["-c", show], DISABLE_RATE_LIMITS="1").stdout.strip() == "[]"

"""Production settings: they refuse to start half-configured, and pass Django's deploy checks.

Each case runs in a fresh interpreter with a clean environment, because settings are read
once at import."""

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

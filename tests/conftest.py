"""Shared test setup: real database (SQLite or PostgreSQL from DATABASE_URL), real Celery
broker for the tests that start a worker, Debian's Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import uuid

import pytest
from django.conf import settings as django_settings

from ipsportal.celery import app as celery_app
from tests.factories import make_tenant

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

#: This test process among all that share the broker and the cache: pytest-xdist's workers
#: of one run (gw0, gw1...), and other runs. Tasks go to a queue of this process's own, which
#: only its worker consumes, so no worker runs another process's task (nor one an earlier,
#: interrupted run left behind); cache keys carry it too.
TEST_PROCESS = "tests-{run}-{worker}".format(
    run=os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:12],
    worker=os.environ.get("PYTEST_XDIST_WORKER", "main"),
)

# Ordinary tests run tasks in-process as they are queued; tests marked with the
# ``celery_worker`` fixture switch this off and go through the real broker and a worker.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True
# The default exchange and routing key follow the default queue.
celery_app.conf.task_default_queue = TEST_PROCESS
# Read when the cache is first used, which is later than this.
django_settings.CACHES["default"]["KEY_PREFIX"] = TEST_PROCESS


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    )


def _database_order(item: pytest.Item) -> int:
    """0 for a test in a transaction rolled back, 1 for a test that commits (the database is
    emptied after it), 2 for a test without the database: Django's order."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) or (
        "transactional_db" in fixtures or "live_server" in fixtures
    ):
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests that commit run after the tests that roll back, as Django orders them: emptying
    the database after a test that commits also removes the rows the migrations installed
    (the standard readiness checklist), which later tests read. pytest-django orders them so,
    but pytest then groups the browser tests by their browser, and moves them up to the first
    test that uses one; this puts them back (a stable sort, the same in every process).

    Browser tests need Chromium. Without it they are skipped, except where REQUIRE_E2E=1
    (CI), where a missing browser fails the run instead."""
    items.sort(key=_database_order)
    if chromium_path():
        return
    if os.environ.get("REQUIRE_E2E") == "1":
        raise pytest.UsageError(
            "REQUIRE_E2E=1 but no Chromium was found (apt-get install chromium)"
        )
    skip = pytest.mark.skip(reason="Chromium is not installed")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ACCOUNT_RATE_LIMITS = False
    settings.PORTAL_BASE_URL = "http://testserver"


@pytest.fixture
def tenant(db):
    """A collaborative with two agencies and a user for every role (see factories.Tenant)."""
    return make_tenant("Home")


@pytest.fixture
def other_tenant(db):
    """Another collaborative, built the same way: its users must never see ``tenant``."""
    return make_tenant("Elsewhere")


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) on the configured broker: Redis when REDIS_URL is
    set, otherwise the filesystem broker. Tasks queued in the test go through the broker, on
    this test process's own queue (``TEST_PROCESS``), the only one the worker consumes."""
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            shutdown_timeout=30,
            queues=[TEST_PROCESS],
            hostname=f"{TEST_PROCESS}@{socket.gethostname()}",
        ) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True

"""Test processes that run at once (``pytest -n``) share the broker and the cache: each has a
queue and cache keys of its own (``tests/conftest.py``)."""

from __future__ import annotations

import os

import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.core.cache import cache
from django.db import connection

from ipsportal import tasks
from ipsportal.celery import app as celery_app
from tests.conftest import TEST_PROCESS


def test_it_names_its_queue_and_cache_keys_after_this_test_process():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    assert TEST_PROCESS.endswith(f"-{worker}")
    assert celery_app.conf.task_default_queue == TEST_PROCESS
    assert celery_app.amqp.router.route({}, "ipsportal.tasks.ping")["queue"].name == TEST_PROCESS
    assert cache.make_key("ipsportal:worker-heartbeat").startswith(f"{TEST_PROCESS}:")
    # pytest-django gives each xdist worker a database of its own (SQLite's is in memory).
    if os.environ.get("PYTEST_XDIST_WORKER") and connection.vendor == "postgresql":
        assert connection.settings_dict["NAME"].endswith(f"_{worker}")


@pytest.mark.django_db(transaction=True)
def test_it_runs_only_its_own_tasks_in_its_worker(request):
    # A task for another xdist worker of this run, queued before this process's worker
    # starts, so that its queue is one this process's app knows of.
    others = TEST_PROCESS.rpartition("-")[0] + "-gw999"
    with pytest.warns(AlwaysEagerIgnored):  # sent to the broker even before the worker starts
        theirs = celery_app.send_task("ipsportal.tasks.ping", queue=others)
    try:
        request.getfixturevalue("celery_worker")
        mine = tasks.heartbeat.delay()
        assert mine.get(timeout=30)
        # The worker takes one task at a time: had it consumed the other queue too, it would
        # have run that task by the time it ran two of its own.
        assert tasks.ping.delay().get(timeout=30) == "pong"
        assert theirs.state == "PENDING"
        assert cache.get("ipsportal:worker-heartbeat") == mine.result
    finally:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(others)

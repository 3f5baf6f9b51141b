"""The route-isolation sweep (DESIGN.md, "Tests"): one test item per URL pattern.

The items are made from the URL resolver when the tests are collected, one per pattern, with
the pattern's key as the id (``test_it_keeps_the_route_closed_to_attackers[agencies:detail]``).
Each calls its route with every method as every attacker: outsiders, people of the
collaborative outside the agency, and people inside the scope against the objects hidden from
them. ``tests/route_fixtures.py`` says what is asserted and holds the registry's contract;
``tests/isolation.py`` does the work. A pattern without a fixture fails its own item (and
the inventory in ``tests/test_route_inventory.py`` lists all of them at once).

The victim and the attackers are built once per module (and per pytest-xdist worker) inside a
transaction; every item runs in its savepoint, and each group of attackers in a savepoint of
its own, all rolled back, so every item meets the same rows.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from tests.isolation import build_world, report
from tests.route_fixtures import iter_routes


def _items() -> list:
    routes = list(iter_routes())
    ids = [route.test_id for route in routes]
    # Two patterns with one key (rare: names are unique but for format variants) keep
    # apart by their place.
    seen: dict[str, int] = {}
    for n, test_id in enumerate(ids):
        seen[test_id] = seen.get(test_id, 0) + 1
        if seen[test_id] > 1:
            ids[n] = f"{test_id}#{seen[test_id]}"
    return [pytest.param(route, id=test_id) for route, test_id in zip(routes, ids, strict=True)]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The victim, the other collaborative and the attackers' tokens, built once and rolled
    back when the module is done."""
    media = tmp_path_factory.mktemp("isolation-media")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            STORAGES=storages,
            MEDIA_ROOT=str(media),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        built = build_world()
        built.media = media
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_media(settings, world):
    # The files the world stored (reports) stay where the routes will look for them.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(world.media)},
        },
    }
    settings.MEDIA_ROOT = str(world.media)


@pytest.mark.parametrize("route", _items())
def test_it_keeps_the_route_closed_to_attackers(world, route, db):
    failures = world.sweep(route)
    assert not failures, report(failures)

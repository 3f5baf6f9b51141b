"""Demo data, app by app: each app's ``demo.py`` has a ``load()`` that creates its part of the
fictional demo (idempotently) and may return logins to print. The apps load in the order of
``INSTALLED_APPS``, so the agencies app (collaboratives, agencies, users) comes first and the
feature apps build on it; no app imports another's demo."""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps
from django.db import transaction


def demo_modules() -> list:
    """The ``demo`` modules of the installed apps, in ``INSTALLED_APPS`` order."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if name == __name__ or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if callable(getattr(module, "load", None)):
            found.append(module)
    return found


@transaction.atomic
def load_demo() -> list:
    """Load (or top up) every app's demo data in one transaction; returns the logins."""
    logins: list = []
    for module in demo_modules():
        logins.extend(module.load() or [])
    return logins

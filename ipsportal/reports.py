"""Kinds of rendered reports. Apps register theirs; the worker renders them by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ipsportal.models import GeneratedReport


@dataclass(frozen=True)
class ReportKind:
    name: str
    template: str
    #: Builds the template context from the report row. It must load data through the access
    #: helpers as ``report.requested_by``, so a report never holds more than its requester sees.
    build_context: Callable[[GeneratedReport], dict]


REPORT_KINDS: dict[str, ReportKind] = {}


def register(name: str, template: str):
    """Decorator: register ``build_context`` as the renderer of report kind ``name``."""

    def decorator(build_context: Callable[[GeneratedReport], dict]):
        REPORT_KINDS[name] = ReportKind(name, template, build_context)
        return build_context

    return decorator

"""Kinds of message. Each app declares its own in ``<app>/deliveries.py`` with
:func:`register`; the worker builds and checks messages by kind name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.core.mail import EmailMessage

    from ipsportal.notifications.models import Delivery


@dataclass(frozen=True)
class DeliveryKind:
    name: str
    label: str
    #: Builds the message of a claimed delivery. It may prepare what the message needs (a
    #: one-time link, say) and is called outside any transaction, just before sending.
    build: Callable[[Delivery], EmailMessage]
    #: Checked just before sending: "" when the message is still due and the recipient may
    #: still see its subject; otherwise why not, and the delivery is cancelled with it.
    still_due: Callable[[Delivery], str]


KINDS: dict[str, DeliveryKind] = {}


def register(name: str, *, label: str, still_due: Callable[[Delivery], str]):
    """Decorator: register ``build`` as the builder of message kind ``name``."""

    def decorator(build: Callable[[Delivery], EmailMessage]):
        if name in KINDS and KINDS[name].build is not build:
            raise ValueError(f"message kind {name!r} is registered twice")
        KINDS[name] = DeliveryKind(name, label, build, still_due)
        return build

    return decorator


def kind_label(name: str) -> str:
    kind = KINDS.get(name)
    return kind.label if kind else name.replace("_", " ")

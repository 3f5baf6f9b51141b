"""Kinds of document (exports and record documents). Apps register theirs in
``<app>/reports.py``; the worker renders them by name and the one download view serves them.

Each kind declares who may read its documents, through the access package
(:func:`ipsportal.access.documents_in_scope`):

- an **export** is about an agency (``subject="agencies.Agency"``) or the whole
  collaborative (``subject=None``). It is read by its requester only, while the requester
  still holds the kind's ``action`` there (in any form); its ``render`` loads rows with the
  requester's access and the conditions of that action, so a supervisor's export of visits
  holds finalized visits only;
- a **record document** is read by whoever may ``action`` its record (a row of ``subject``);
  its ``render`` reads the published record (:func:`ipsportal.access.record_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipsportal.access.matrix import Action
from ipsportal.models import Document

if TYPE_CHECKING:
    Progress = Callable[[int, int, str], None]
    Render = Callable[[Document, "Progress"], bytes]


@dataclass(frozen=True)
class DocumentKind:
    name: str
    label: str
    purpose: str  # Document.Purpose
    formats: tuple[str, ...]  # Document.Format values, the first is the default
    action: str  # Action: exports, the right on the subject; records, the record's read right
    subject: str | None  # model label of the subject; None: the whole collaborative
    render: Render

    @property
    def is_record(self) -> bool:
        return self.purpose == Document.Purpose.RECORD


DOCUMENT_KINDS: dict[str, DocumentKind] = {}

#: The subject of an export about one agency.
AGENCY = "agencies.Agency"


def register(
    name: str,
    *,
    label: str,
    purpose: str,
    action: Action,
    subject: str | None,
    formats: tuple[str, ...] = (Document.Format.PDF,),
):
    """Decorator: register ``render(document, progress) -> bytes`` as the renderer of the
    document kind ``name``. ``progress(done, total, note)`` reports progress to the page."""
    if purpose == Document.Purpose.RECORD and subject is None:
        raise ValueError("A record document is about a record: give its model as subject.")
    if purpose == Document.Purpose.EXPORT and subject not in (None, AGENCY):
        raise ValueError("An export is about an agency or the whole collaborative.")

    def decorator(render: Render) -> Render:
        if name in DOCUMENT_KINDS and DOCUMENT_KINDS[name].render is not render:
            raise ValueError(f"document kind {name!r} is registered twice")
        DOCUMENT_KINDS[name] = DocumentKind(
            name, label, purpose, tuple(formats), action, subject, render
        )
        return render

    return decorator


def kind_of(document: Document) -> DocumentKind:
    return DOCUMENT_KINDS[document.kind]

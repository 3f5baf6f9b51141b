"""Services of the portal core: requesting, publishing and rendering documents."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist as ObjectMissing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Model
from django.http import Http404
from django.utils import timezone

from ipsportal import access
from ipsportal.documents import DOCUMENT_KINDS, kind_of
from ipsportal.models import Document

if TYPE_CHECKING:
    from agencies.models import Agency, Collaborative
    from ipsportal.models import User

logger = logging.getLogger(__name__)

#: A rendering that has run this long belongs to a worker that died: it is started again.
RENDER_TIMEOUT = timedelta(minutes=15)
#: A document still waiting this long lost its task: it is queued again.
QUEUE_TIMEOUT = timedelta(minutes=2)


def _queue_render(document_id) -> None:
    from ipsportal.tasks import document_render

    pk = str(document_id)
    transaction.on_commit(lambda: document_render.delay(pk))


def document_request(
    *,
    user: User,
    kind: str,
    collaborative: Collaborative,
    subject: Agency | None = None,
    title: str,
    format: str | None = None,
    params: dict[str, Any] | None = None,
) -> Document:
    """Ask for an export: it is rendered by a worker with the requester's access, and only
    the requester reads it. ``subject`` is the agency (or other row) it is about, fetched
    through the access helpers; None for the whole collaborative. Checks the right itself:
    the requester holds the kind's action there (in any form; the rows exported carry the
    action's conditions)."""
    found = DOCUMENT_KINDS.get(kind)
    if found is None or found.is_record:
        raise ValueError(f"{kind!r} is not a kind of export")
    fmt = format or found.formats[0]
    if fmt not in found.formats:
        choices = ", ".join(Document.Format(f).label for f in found.formats)
        raise ValidationError({"format": f"Choose one of the formats offered: {choices}."})
    action = access.Action(found.action)
    if (subject is None) != (found.subject is None):
        raise ValueError(f"The export {kind!r} is about {found.subject or 'the collaborative'}")
    if subject is not None and subject.collaborative_id != collaborative.pk:
        raise ValueError("The agency of an export must belong to its collaborative.")
    where = {"agency": subject} if subject is not None else {"collaborative": collaborative}
    if not access.holds(user, action, **where):
        raise PermissionDenied(action.refusal())
    with transaction.atomic():
        document = Document(
            collaborative=collaborative,
            agency=subject,
            kind=kind,
            purpose=Document.Purpose.EXPORT,
            format=fmt,
            subject_id=subject.pk if subject is not None else None,
            title=title[:250],
            params=params or {},
            requested_by=user,
        )
        document.full_clean(exclude=["file"])
        document.save()
        _queue_render(document.pk)
    return document


def _agency_of(record: Model):
    from agencies.models import Agency

    return record if isinstance(record, Agency) else getattr(record, "agency", None)


def record_document_publish(
    *, kind: str, record: Model, version: int, title: str, user: User | None, queue: bool = True
) -> Document:
    """The record document of a record at ``version``: created (and queued for rendering)
    the first time, returned as it is afterwards, so a record renders once per version.
    Earlier versions stop being current; one that failed is tried again. Call inside the
    transaction that publishes or amends the record; the caller checked the right to do
    that. With ``queue`` off, no worker is asked (the caller renders it itself)."""
    found = DOCUMENT_KINDS.get(kind)
    if found is None or not found.is_record or record._meta.label != found.subject:
        raise ValueError(f"{kind!r} is not a record document of {record._meta.label}")
    existing = Document.objects.filter(
        collaborative_id=record.collaborative_id,
        kind=kind,
        subject_id=record.pk,
        purpose=Document.Purpose.RECORD,
        record_version=version,
    ).first()
    if existing is not None:
        if existing.status == Document.Status.FAILED:
            Document.objects.filter(pk=existing.pk, status=Document.Status.FAILED).update(
                status=Document.Status.PENDING, error=""
            )
            existing.refresh_from_db()
            if queue:
                _queue_render(existing.pk)
        return existing
    Document.objects.filter(
        collaborative_id=record.collaborative_id,
        kind=kind,
        subject_id=record.pk,
        purpose=Document.Purpose.RECORD,
        is_current=True,
    ).update(is_current=False)
    document = Document(
        collaborative_id=record.collaborative_id,
        agency=_agency_of(record),
        kind=kind,
        purpose=Document.Purpose.RECORD,
        format=found.formats[0],
        subject_id=record.pk,
        record_version=version,
        is_current=True,
        title=title[:250],
        requested_by=user,
    )
    document.full_clean(exclude=["file"])
    document.save()
    if queue:
        _queue_render(document.pk)
    return document


def record_document_ready(document: Document, *, wait: float = 120) -> Document:
    """A record document rendered: now, by this worker, unless another worker is already
    rendering it, in which case wait for that one (up to ``wait`` seconds). For bulk exports
    that bundle stored reports."""
    import time

    deadline = time.monotonic() + wait
    document = document_render(document_id=document.pk)
    while not document.is_finished and time.monotonic() < deadline:
        time.sleep(0.5)
        document.refresh_from_db()
    return document


class _Progress:
    """Reports a rendering's progress to its row (what the page shows), at most once per
    percent so a bulk export of many reports does not write for every file."""

    def __init__(self, document: Document):
        self.document = document
        self.last = -1

    def __call__(self, done: int, total: int, note: str = "") -> None:
        percent = 0 if total <= 0 else min(99, int(done * 100 / total))
        if percent == self.last:
            return
        self.last = percent
        Document.objects.filter(pk=self.document.pk, status=Document.Status.RUNNING).update(
            progress=percent, progress_note=note[:200]
        )


def document_render(*, document_id: uuid.UUID | str) -> Document:
    """Render a document in a worker, outside any transaction.

    The start is a conditional update (pending -> running), so a document queued twice is
    rendered once; a ready document is served from storage and never rendered again.
    """
    now = timezone.now()
    # A record document replaced (by an amendment) before a worker reached it is never read:
    # rendering it would only print the amended record under the old version.
    Document.objects.filter(
        pk=document_id,
        status=Document.Status.PENDING,
        purpose=Document.Purpose.RECORD,
        is_current=False,
    ).update(
        status=Document.Status.FAILED,
        error="Replaced by a corrected version before it was prepared.",
        finished_at=now,
    )
    started = Document.objects.filter(pk=document_id, status=Document.Status.PENDING).update(
        status=Document.Status.RUNNING, started_at=now, progress=0, progress_note="", error=""
    )
    document = Document.objects.select_related("collaborative", "requested_by").get(pk=document_id)
    if not started:
        return document
    try:
        kind = kind_of(document)
        data = kind.render(document, _Progress(document))
    except (Http404, PermissionDenied, ObjectMissing) as exc:
        return _failed(document, "Its subject is no longer available to the requester.", exc)
    except Exception as exc:
        logger.exception("Rendering document %s (%s) failed", document.pk, document.kind)
        return _failed(document, f"{type(exc).__name__}: {exc}", exc)
    document.file.save(document.filename, ContentFile(data), save=False)
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(
            file=document.file.name,
            status=Document.Status.READY,
            progress=100,
            progress_note="",
            error="",
            finished_at=timezone.now(),
            render_count=F("render_count") + 1,
        )
        document.refresh_from_db()
        from ipsportal.notifications.services import deliveries_release_for_document

        deliveries_release_for_document(document)
    return document


def _failed(document: Document, error: str, exc: Exception) -> Document:
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    document.refresh_from_db()
    logger.warning("Document %s (%s) failed: %s", document.pk, document.kind, type(exc).__name__)
    return document


def documents_dispatch(*, now=None) -> dict[str, int]:
    """Keep documents moving (run periodically): start again renderings whose worker died,
    and queue again documents whose task was lost."""
    from ipsportal.tasks import document_render as task

    now = now or timezone.now()
    restarted = Document.objects.filter(
        status=Document.Status.RUNNING, started_at__lt=now - RENDER_TIMEOUT
    ).update(status=Document.Status.PENDING)
    waiting = list(
        Document.objects.filter(
            status=Document.Status.PENDING, created_at__lt=now - QUEUE_TIMEOUT
        ).values_list("pk", flat=True)[:200]
    )
    for pk in waiting:
        task.delay(str(pk))
    return {"restarted": restarted, "queued": len(waiting)}


def record_documents_zip(
    *,
    kind: str,
    records: list,
    user: User,
    title_of,
    name_of,
    progress,
    readme: str,
) -> bytes:
    """The record documents of ``kind`` for ``records`` as one ZIP (a bulk export). Each is
    the stored document of the record's current version; one not rendered yet is rendered
    now, once, and kept, so exporting unchanged records again renders nothing. ``name_of``
    gives a file name (made unique), ``title_of`` the document's title; ``readme`` ends with
    the count."""
    import io
    import zipfile

    out = io.BytesIO()
    names: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, record in enumerate(records, start=1):
            progress(n - 1, len(records), f"{n - 1} of {len(records)} reports")
            document = record_document_publish(
                kind=kind,
                record=record,
                version=record.version,
                title=title_of(record),
                user=user,
                queue=False,
            )
            if not document.is_ready:
                document = record_document_ready(document)
            if not document.is_ready:
                continue
            name = name_of(record)
            while name in names:
                name = name.removesuffix(".pdf") + "-2.pdf"
            names.add(name)
            with document.file.open("rb") as handle:
                archive.writestr(name, handle.read())
        archive.writestr(
            "README.txt",
            f"{readme}, {len(names)} in all, prepared {timezone.now():%Y-%m-%d %H:%M} UTC.\n",
        )
    return out.getvalue()

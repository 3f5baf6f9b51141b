"""Enqueuing, claiming and sending deliveries, and keeping the outbox moving."""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ipsportal.models import Document
from ipsportal.notifications.kinds import KINDS
from ipsportal.notifications.models import Delivery

if TYPE_CHECKING:
    from agencies.models import Agency, Collaborative
    from ipsportal.models import User

logger = logging.getLogger(__name__)

#: Attempts before a delivery is failed for good (the first send included).
MAX_ATTEMPTS = 6
#: A claim older than this belongs to a worker that died: the row is sent again.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: How long a message waits before asking again whether its document is ready.
DOCUMENT_WAIT = timedelta(minutes=1)

#: Errors of the mail server or the network: worth another attempt later.
RETRIABLE = (smtplib.SMTPException, OSError, TimeoutError)


#: Statuses of a document after which its messages go (sent with it, or failed with it).
FINISHED_DOCUMENTS = (Document.Status.READY, Document.Status.FAILED)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: 1, 2, 4, 8, 16 minutes, then at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=1))


def in_transaction() -> bool:
    """True inside a transaction of the code (a test's own wrapping does not count)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _queue(delivery_id: uuid.UUID | str, *, countdown: float | None = None) -> None:
    from ipsportal.notifications.tasks import delivery_send

    if countdown:
        delivery_send.apply_async(args=[str(delivery_id)], countdown=countdown)
    else:
        delivery_send.delay(str(delivery_id))


def delivery_enqueue(
    *,
    collaborative: Collaborative,
    kind: str,
    dedupe_key: str,
    recipient_email: str,
    recipient_user: User | None = None,
    recipient_name: str = "",
    agency: Agency | None = None,
    subject_id: uuid.UUID | None = None,
    subject_label: str = "",
    stage: str = "initial",
    document: Document | None = None,
    payload: dict[str, Any] | None = None,
    created_by: User | None = None,
) -> Delivery:
    """Put a message in the outbox, inside the caller's transaction; it is queued for sending
    when that transaction commits (a message with a document waits until the document is
    ready). The same ``dedupe_key`` twice keeps the first row: nothing is sent twice."""
    if kind not in KINDS:
        raise ValueError(f"Unknown message kind {kind!r}")
    if agency is not None and agency.collaborative_id != collaborative.pk:
        raise ValueError("The agency of a delivery must belong to its collaborative.")
    delivery, created = Delivery.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "collaborative": collaborative,
            "agency": agency,
            "kind": kind,
            "subject_id": subject_id,
            "subject_label": subject_label[:250],
            "recipient_user": recipient_user,
            "recipient_email": recipient_email,
            "recipient_name": recipient_name[:150],
            "stage": stage,
            "document": document,
            "payload": payload or {},
            "next_attempt_at": timezone.now(),
            "created_by": created_by,
        },
    )
    if created and (document is None or document.is_ready):
        pk = delivery.pk
        transaction.on_commit(lambda: _queue(pk))
    return delivery


def deliveries_release_for_document(document: Document) -> int:
    """Queue the messages that waited for this document (called once it is rendered)."""
    ids = list(
        Delivery.objects.filter(document=document, status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        transaction.on_commit(lambda pk=pk: _queue(pk))
    return len(ids)


def _finish(delivery: Delivery, status: str, **fields) -> bool:
    """Move a claimed row on, only if it is still our claim (a reclaimed row is not ours)."""
    now = timezone.now()
    values = {"status": status, "finished_at": now, **fields}
    if status == Delivery.Status.SENT:
        values["sent_at"] = now
    if status == Delivery.Status.PENDING:
        values.pop("finished_at")
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.CLAIMED, claimed_at=delivery.claimed_at
        ).update(**values)
    )


def delivery_send(*, delivery_id: uuid.UUID | str) -> str:
    """Claim one delivery, check it is still due, send it, and record the outcome.

    The claim is a conditional update (pending -> claimed): of two workers racing on the same
    row, exactly one gets it, so it is sent once. The message is sent outside any
    transaction, with the mail server timeout of ``EMAIL_TIMEOUT``. Returns what happened.
    """
    if in_transaction():
        raise RuntimeError("Deliveries are sent outside any transaction.")
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Delivery.Status.CLAIMED, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "not due"
    delivery = Delivery.objects.select_related("document", "recipient_user", "collaborative").get(
        pk=delivery_id
    )
    kind = KINDS.get(delivery.kind)
    if kind is None:
        _finish(delivery, Delivery.Status.FAILED, last_error=f"Unknown kind {delivery.kind!r}")
        return "failed"
    document = delivery.document
    if document is not None and not document.is_ready:
        if document.status == document.Status.FAILED:
            _finish(
                delivery,
                Delivery.Status.FAILED,
                last_error="The document to send could not be prepared: " + document.error[:500],
            )
            return "failed"
        # Not an attempt: the message waits for its document (released when it is ready).
        _finish(
            delivery,
            Delivery.Status.PENDING,
            attempts=F("attempts") - 1,
            next_attempt_at=now + DOCUMENT_WAIT,
        )
        return "waiting"
    try:
        reason = kind.still_due(delivery)
    except PermissionDenied as exc:
        reason = str(exc) or "The recipient may no longer see this."
    except Exception as exc:
        return _broken(delivery, exc)
    if reason:
        _finish(delivery, Delivery.Status.CANCELLED, last_error=reason[:2000])
        logger.info("Delivery %s (%s) cancelled: %s", delivery.pk, delivery.kind, reason)
        return "cancelled"
    try:
        message = kind.build(delivery)
        message.send(fail_silently=False)
    except RETRIABLE as exc:
        return _retry_or_fail(delivery, exc, now=now)
    except Exception as exc:
        return _broken(delivery, exc)
    _finish(delivery, Delivery.Status.SENT, last_error="")
    logger.info("Delivery %s (%s) sent", delivery.pk, delivery.kind)
    return "sent"


def _broken(delivery: Delivery, exc: BaseException) -> str:
    """An error that is not the mail server's: the message cannot be made (a bug, or a state
    its kind did not foresee). Another attempt would fail the same way, and a row left
    claimed would be reclaimed every CLAIM_TIMEOUT for ever: it fails now, visibly."""
    logger.exception("Delivery %s (%s) could not be prepared", delivery.pk, delivery.kind)
    _finish(
        delivery,
        Delivery.Status.FAILED,
        last_error=f"The message could not be prepared: {type(exc).__name__}: {exc}"[:2000],
    )
    return "failed"


def _retry_or_fail(delivery: Delivery, exc: BaseException, *, now) -> str:
    """After an error of the mail server or the network: try again later with backoff, or
    fail for good after the last attempt."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, Delivery.Status.FAILED, last_error=error)
        logger.warning(
            "Delivery %s (%s) failed after %d attempts: %s",
            delivery.pk,
            delivery.kind,
            delivery.attempts,
            error,
        )
        return "failed"
    delay = retry_delay(delivery.attempts)
    if _finish(delivery, Delivery.Status.PENDING, last_error=error, next_attempt_at=now + delay):
        _queue(delivery.pk, countdown=delay.total_seconds())
    logger.info("Delivery %s (%s) will be retried: %s", delivery.pk, delivery.kind, error)
    return "retry"


def deliveries_dispatch(*, now=None) -> dict[str, int]:
    """Keep the outbox moving (run periodically): give back rows claimed by a worker that
    died, fail those whose workers died on every attempt (a claim is an attempt), and queue
    every pending row that is due (a lost task is only a delay)."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(
        status=Delivery.Status.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    abandoned = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Delivery.Status.FAILED,
        finished_at=now,
        last_error=(
            f"The worker stopped while sending it, {MAX_ATTEMPTS} times: it is not tried again."
        ),
    )
    reclaimed = stale.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=Delivery.Status.PENDING, next_attempt_at=now
    )
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(
            Q(document__isnull=True) | Q(document__status="ready") | Q(document__status="failed")
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        _queue(pk)
    if reclaimed:
        logger.warning("Reclaimed %d deliveries left claimed by a stopped worker", reclaimed)
    if abandoned:
        logger.warning("Failed %d deliveries whose workers stopped on every attempt", abandoned)
    return {"reclaimed": reclaimed, "abandoned": abandoned, "queued": len(due)}


def delivery_retry(*, user: User, delivery: Delivery) -> bool:
    """Send a failed (or cancelled) delivery again, for a state admin on the outbox page.
    The caller fetched it with ``access_delivery``. False if it was not failed."""
    from ipsportal import access

    access.require(user, access.Action.DELIVERIES_VIEW, collaborative=delivery.collaborative)
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, status__in=[Delivery.Status.FAILED, Delivery.Status.CANCELLED]
        ).update(
            status=Delivery.Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            finished_at=None,
        )
        if updated:
            transaction.on_commit(lambda: _queue(delivery.pk))
    return bool(updated)

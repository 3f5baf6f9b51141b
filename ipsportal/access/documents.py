"""Access to documents (exports and record documents) and to the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from ipsportal.access.conditions import subject_of
from ipsportal.access.matrix import Action, roles_holding
from ipsportal.access.objects import parse_uuid
from ipsportal.access.scope import NOTHING, agencies_with_roles, memberships_of, rows

if TYPE_CHECKING:
    from ipsportal.documents import DocumentKind
    from ipsportal.models import Document, User


def _collaboratives_holding(user: User, action: Action) -> list:
    roles = roles_holding(action)
    return sorted({m.collaborative_id for m in memberships_of(user) if m.role in roles})


def _readable(user: User, kind: DocumentKind) -> Q:
    from ipsportal.models import Document

    action = Action(kind.action)
    if kind.is_record:
        model = apps.get_model(kind.subject)
        return Q(
            purpose=Document.Purpose.RECORD,
            is_current=True,
            subject_id__in=rows(user, action, model).values("pk"),
        )
    own = Q(purpose=Document.Purpose.EXPORT, requested_by=user)
    if kind.subject is None:
        return own & Q(
            agency__isnull=True, collaborative_id__in=_collaboratives_holding(user, action)
        )
    # About one agency: while the requester holds the action there in any form.
    return own & Q(agency__in=agencies_with_roles(user, roles_holding(action)))


def documents_in_scope(user: User) -> QuerySet[Document]:
    """Documents the user may read: each kind's own rule (see :mod:`ipsportal.documents`),
    one query. A kind that is no longer registered is readable by nobody."""
    from ipsportal.documents import DOCUMENT_KINDS
    from ipsportal.models import Document

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Document.objects.none()
    condition = NOTHING
    for kind in DOCUMENT_KINDS.values():
        condition |= Q(kind=kind.name) & _readable(user, kind)
    return Document.objects.filter(condition)


@dataclass(frozen=True)
class DocumentAccess:
    document: Document
    can_download: bool


def access_document(user: User, document_id) -> DocumentAccess:
    """A document the user may read (else 404), and whether it can be downloaded now."""
    document = (
        documents_in_scope(user)
        .select_related("collaborative", "agency")
        .filter(pk=parse_uuid(document_id))
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    return DocumentAccess(document=document, can_download=document.is_ready)


def current_record_document(user: User, kind: str, record: Model) -> Document | None:
    """The current record document of ``kind`` for a record, if the user may read it."""
    return (
        documents_in_scope(user)
        .filter(kind=kind, subject_id=record.pk, is_current=True)
        .order_by("-created_at")
        .first()
    )


def record_of(document: Document) -> Model:
    """The published record a record document is rendered from, read within the document's
    collaborative (the document row is the authority: the record was published when it was
    requested; a record no longer published is not rendered)."""
    from ipsportal.documents import kind_of

    kind = kind_of(document)
    subject = subject_of(kind.subject)
    manager = subject.model._default_manager
    related = [f.name for f in subject.model._meta.concrete_fields if f.is_relation]
    return (
        manager.select_related(*related)
        .filter(
            subject.published_rows(None),
            collaborative_id=document.collaborative_id,
            pk=document.subject_id,
        )
        .get()
    )


# --------------------------------------------------------------------------------------------
# The outbox
# --------------------------------------------------------------------------------------------


def deliveries_in_scope(user: User, collaborative=None) -> QuerySet:
    """Messages the portal sent or will send, for those who may see the outbox (state
    admins: their collaborative's)."""
    from ipsportal.notifications.models import Delivery

    return rows(user, Action.DELIVERIES_VIEW, Delivery, collaborative)


def access_delivery(user: User, delivery_id) -> object:
    """One delivery of the outbox the user may see (else 404)."""
    delivery = deliveries_in_scope(user).filter(pk=parse_uuid(delivery_id)).first()
    if delivery is None:
        raise Http404("No such message.")
    return delivery

"""Writing a readiness visit: drafts with optimistic locking, finalize, amendments, discard.

A visit's data travels as one plain dict (see :func:`visit_save_draft`), so the page form, the
autosave endpoint and the API share the same validation and the same writes."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from agencies.models import Agency, Collaborative
from agencies.models.validators import field_limit, too_long_message
from ipsportal import access
from ipsportal.access import Action
from ipsportal.models import Document, User
from ipsportal.notifications.models import Delivery
from ipsportal.notifications.services import delivery_enqueue
from ipsportal.services import record_document_publish
from readiness.models import (
    Rating,
    ReadinessVisit,
    VisitActionStep,
    VisitAmendment,
    VisitAreaRating,
    VisitLeader,
    VisitRecipient,
    VisitStatus,
    VisitVisitor,
)
from readiness.selectors import REPORT_KIND
from readiness.services.checklists import checklist_current
from readiness.services.common import (
    VISIT_FIELDS,
    VisitConflict,
    visit_date_problem,
)

NOTES_LIMIT = field_limit(VisitAreaRating, "notes")


def _validate(*, user: User, visit: ReadinessVisit, data: dict[str, Any]) -> None:
    """Check the rules a draft must already respect (drafts may be incomplete, never wrong).

    Messages name the field and, for rows, the row number, so people can find what to fix.
    """
    errors: dict[str, list[str]] = {}
    checklist = visit.checklist

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if "visit_date" in data:
        value = data["visit_date"]
        if not isinstance(value, datetime.date):
            add("visit_date", "Enter the date of the visit.")
        elif problem := visit_date_problem(visit.collaborative, value):
            add("visit_date", problem)
    for key, rating in (data.get("ratings") or {}).items():
        area = checklist.area(key)
        if area is None:
            add("ratings", f"“{key}” is not an area of this checklist.")
            continue
        value = (rating or {}).get("rating", "")
        if value not in ("", *Rating.values):
            add("ratings", f"“{area.title}”: choose Ready or Work is needed.")
        notes = ((rating or {}).get("notes") or "").strip()
        if len(notes) > NOTES_LIMIT:
            add("ratings", too_long_message(f"Notes on “{area.title}”", NOTES_LIMIT, len(notes)))
    for key in data.get("not_applicable_parts") or []:
        part = checklist.part(key)
        if part is None or not part.can_be_not_applicable:
            add("not_applicable_parts", f"The part “{key}” cannot be marked not applicable.")
    for n, leader in enumerate(data.get("leaders") or [], start=1):
        if not (leader.get("name") or "").strip():
            add("leaders", f"Leader {n}: enter a name.")
    candidates = None
    for n, visitor in enumerate(data.get("visitors") or [], start=1):
        # The editor decides who may be named; the visitor need not be able to log visits
        # (a VR liaison or a fidelity reviewer comes along without that right).
        named = visitor.get("user")
        if named is not None:
            if candidates is None:
                candidates = {
                    m.user_id for m in access.visit_visitor_candidates(user, visit.collaborative)
                }
            if named.pk not in candidates:
                add("visitors", f"Visitor {n}: choose state staff of this collaborative.")
        elif not (visitor.get("name") or "").strip():
            add("visitors", f"Visitor {n}: enter a name.")
    for n, step in enumerate(data.get("action_steps") or [], start=1):
        if not (step.get("text") or "").strip():
            add("action_steps", f"Action step {n}: describe the step.")
        if step.get("area_key") and checklist.area(step["area_key"]) is None:
            add("action_steps", f"Action step {n}: choose an area of this checklist.")
        target = step.get("target_date")
        if target is not None and not isinstance(target, datetime.date):
            add("action_steps", f"Action step {n}: enter the target date as a date.")
    for n, recipient in enumerate(data.get("recipients") or [], start=1):
        email = (recipient.get("email") or "").strip()
        if not email:
            add("recipients", f"Recipient {n}: enter an email address.")
            continue
        try:
            validate_email(email)
        except ValidationError:
            add("recipients", f"Recipient {n}: “{email}” is not a valid email address.")
    if errors:
        raise ValidationError(errors)


def visit_missing_items(visit: ReadinessVisit) -> list[str]:
    """What a visit still lacks before it can be finalized, each item named."""
    missing: list[str] = []
    ratings = {r.area_key: r.rating for r in visit.ratings.all()}
    for area in visit.checklist.applicable_areas(visit.not_applicable_parts):
        if not ratings.get(area.key):
            missing.append(f"Rate the area “{area.title}”.")
    recipients = list(visit.recipients.all())
    if not recipients:
        missing.append("Add at least one recipient of the report.")
    for n, step in enumerate(visit.action_steps.all(), start=1):
        label = f"Action step {n} (“{step.text[:60]}”)"
        if not step.owner.strip():
            missing.append(f"{label} needs an owner.")
        if step.target_date is None:
            missing.append(f"{label} needs a target date.")
    return missing


# --------------------------------------------------------------------------------------------
# Writing a visit
# --------------------------------------------------------------------------------------------


def _row_kwargs(visit: ReadinessVisit) -> dict[str, Any]:
    return {"collaborative": visit.collaborative, "agency": visit.agency, "visit": visit}


def _replace_rows(visit: ReadinessVisit, model, rows: list[dict[str, Any]]) -> None:
    model.objects.filter(visit=visit).delete()
    objects = []
    for position, row in enumerate(rows):
        obj = model(**_row_kwargs(visit), position=position, **row)
        obj.full_clean(exclude=["visit", "agency"])
        objects.append(obj)
    model.objects.bulk_create(objects)


def _sync_action_steps(visit: ReadinessVisit, rows: list[dict[str, Any]]) -> None:
    # Steps keep their ids across saves: an id is what a plan step converted from it records.
    existing = {str(s.pk): s for s in visit.action_steps.all()}
    kept: set[str] = set()
    for position, row in enumerate(rows):
        step = existing.get(str(row.get("id") or ""))
        if step is None:
            step = VisitActionStep(**_row_kwargs(visit))
        step.text = (row.get("text") or "").strip()
        step.owner = (row.get("owner") or "").strip()
        step.target_date = row.get("target_date")
        step.area_key = row.get("area_key") or ""
        step.position = position
        step.full_clean(exclude=["visit", "agency"])
        step.save()
        kept.add(str(step.pk))
    VisitActionStep.objects.filter(visit=visit).exclude(pk__in=kept).delete()


def _recount(visit: ReadinessVisit) -> None:
    ratings = {r.area_key: r.rating for r in VisitAreaRating.objects.filter(visit=visit)}
    applicable = visit.checklist.applicable_areas(visit.not_applicable_parts)
    visit.applicable_count = len(applicable)
    visit.rated_count = sum(1 for a in applicable if ratings.get(a.key))
    visit.ready_count = sum(1 for a in applicable if ratings.get(a.key) == Rating.READY)


def _apply(*, user: User, visit: ReadinessVisit, data: dict[str, Any]) -> None:
    """Write the keys present in ``data`` (absent keys are left as they are)."""
    _validate(user=user, visit=visit, data=data)
    for name in VISIT_FIELDS:
        if name in data:
            value = data[name]
            setattr(visit, name, value.strip() if isinstance(value, str) else value)
    if "not_applicable_parts" in data:
        visit.not_applicable_parts = sorted(set(data["not_applicable_parts"] or []))
    visit.updated_by = user
    visit.full_clean()
    if "ratings" in data:
        stored = {r.area_key: r for r in VisitAreaRating.objects.filter(visit=visit)}
        for key, value in data["ratings"].items():
            row = stored.get(key) or VisitAreaRating(**_row_kwargs(visit), area_key=key)
            row.rating = (value or {}).get("rating", "") or ""
            row.notes = ((value or {}).get("notes", "") or "").strip()
            row.full_clean(exclude=["visit", "agency"])
            row.save()
    if "leaders" in data:
        _replace_rows(
            visit,
            VisitLeader,
            [
                {"name": r["name"].strip(), "title": (r.get("title") or "").strip()}
                for r in data["leaders"]
            ],
        )
    if "visitors" in data:
        rows = []
        for r in data["visitors"]:
            user_row = r.get("user")
            rows.append(
                {
                    "user": user_row,
                    "name": (r.get("name") or (user_row.display_name if user_row else "")).strip(),
                    "affiliation": (r.get("affiliation") or "").strip(),
                }
            )
        _replace_rows(visit, VisitVisitor, rows)
    if "recipients" in data:
        _replace_rows(
            visit,
            VisitRecipient,
            [
                {
                    "name": (r.get("name") or "").strip() or r["email"].strip(),
                    "email": r["email"].strip().lower(),
                    "role": (r.get("role") or "").strip(),
                    "vr_copy": bool(r.get("vr_copy")),
                }
                for r in data["recipients"]
            ],
        )
    if "action_steps" in data:
        _sync_action_steps(visit, data["action_steps"])
    _recount(visit)
    visit.save()


def _locked(user: User, visit: ReadinessVisit) -> ReadinessVisit:
    """The stored visit, read again through the user's scope and locked for this
    transaction (a row lock on PostgreSQL; SQLite's IMMEDIATE transactions serialize
    writers)."""
    return (
        access.visits_in_scope(user)
        .select_for_update(of=("self",))
        .select_related("collaborative", "agency", "checklist", "updated_by", "finalized_by")
        .get(pk=visit.pk)
    )


def _lock(user: User, visit: ReadinessVisit, expected_version: int | None) -> ReadinessVisit:
    """The stored visit, locked; VisitConflict when it moved on since ``expected_version``."""
    locked = _locked(user, visit)
    try:
        expected = int(expected_version) if expected_version is not None else None
    except (TypeError, ValueError):
        expected = None
    if expected != locked.version:
        raise VisitConflict(locked)
    return locked


def _default_visitor(user: User, collaborative: Collaborative) -> list[dict[str, Any]]:
    membership = access.visit_visitor_candidates(user, collaborative).filter(user=user).first()
    if membership is None:
        return []
    return [{"user": user, "name": user.display_name, "affiliation": membership.get_role_display()}]


def visit_create(
    *, user: User, agency: Agency, data: dict[str, Any] | None = None
) -> ReadinessVisit:
    """Start a draft visit of an agency with the collaborative's current checklist.

    The caller fetched ``agency`` through :func:`ipsportal.access.readiness_agencies` with
    ``write``. The creator is listed as a visitor unless ``data`` names the visitors.
    """
    access.require(user, Action.READINESS_WRITE, agency=agency)
    data = dict(data or {})
    collaborative = agency.collaborative
    with transaction.atomic():
        visit = ReadinessVisit(
            collaborative=collaborative,
            agency=agency,
            checklist=checklist_current(collaborative=collaborative),
            status=VisitStatus.DRAFT,
            visit_date=data.get("visit_date") or collaborative.today(),
            created_by=user,
            updated_by=user,
        )
        data.setdefault("visit_date", visit.visit_date)
        data.setdefault("visitors", _default_visitor(user, collaborative))
        _validate(user=user, visit=visit, data={"visit_date": visit.visit_date})
        visit.full_clean()
        visit.save()
        _apply(user=user, visit=visit, data=data)
    return visit


def visit_save_draft(
    *, user: User, visit: ReadinessVisit, data: dict[str, Any], expected_version: int | None
) -> ReadinessVisit:
    """Save a draft visit (it may be incomplete, never wrong).

    ``data`` may hold ``visit_date``, ``met_leadership``, ``met_employment_staff``,
    ``met_clients``, ``activity_notes``, ``not_applicable_parts`` (part keys), ``ratings``
    (``{area_key: {"rating": "ready"|"work_needed"|"", "notes": str}}``), ``leaders``
    (``[{"name", "title"}]``), ``visitors`` (``[{"user": User|None, "name",
    "affiliation"}]``), ``barriers``, ``facilitators``, ``action_steps`` (``[{"id"?, "text",
    "owner", "target_date", "area_key"}]``) and ``recipients`` (``[{"name", "email",
    "role", "vr_copy"}]``); keys left out are not changed.

    ``expected_version`` is the version the editor started from; when someone saved since,
    :class:`VisitConflict` is raised and nothing is written.
    """
    access.require(user, Action.READINESS_WRITE, agency=visit.agency)
    with transaction.atomic():
        locked = _lock(user, visit, expected_version)
        if locked.is_final:
            raise ValidationError(
                "This visit is finalized and can no longer be edited; amend it instead."
            )
        locked.version += 1
        _apply(user=user, visit=locked, data=data)
    return locked


def _publish_report(*, user: User, visit: ReadinessVisit) -> Document:
    """The visit's report at its current version: rendered once by a worker, kept, and
    renewed by an amendment (a new version)."""
    return record_document_publish(
        kind=REPORT_KIND,
        record=visit,
        version=visit.version,
        title=(
            f"Readiness visit report: {visit.agency.name}, "
            f"{date_format(visit.visit_date, 'M j, Y')}"
        ),
        user=user,
    )


def _email_report(*, user: User, visit: ReadinessVisit, document: Document, stage: str) -> int:
    """Put the report's email to each recipient in the outbox (sent once the PDF is ready).
    ``stage`` tells this sending apart from others of the same visit (its dedupe key)."""
    count = 0
    for recipient in visit.recipients.all():
        delivery_enqueue(
            collaborative=visit.collaborative,
            agency=visit.agency,
            kind=REPORT_KIND,
            subject_id=visit.pk,
            subject_label=(
                f"Readiness visit report: {visit.agency.name}, "
                f"{date_format(visit.visit_date, 'M j, Y')}"
            ),
            recipient_email=recipient.email,
            recipient_name=recipient.name,
            stage=stage,
            dedupe_key=f"{REPORT_KIND}:{visit.pk}:{stage}:{recipient.email.lower()}",
            document=document,
            payload={"vr_copy": recipient.vr_copy},
            created_by=user,
        )
        count += 1
    return count


def visit_finalize(
    *,
    user: User,
    visit: ReadinessVisit,
    expected_version: int | None,
    send_email: bool = True,
) -> ReadinessVisit:
    """Finalize a complete visit: it becomes read-only, its report PDF is rendered by a worker
    and (with ``send_email``) emailed to the recipients with the PDF attached.

    Refused with the list of missing items when an applicable area is unrated, there is no
    recipient, or an action step lacks an owner or a target date.
    """
    access.require(user, Action.READINESS_WRITE, agency=visit.agency)
    with transaction.atomic():
        locked = _lock(user, visit, expected_version)
        if locked.is_final:
            raise ValidationError("This visit is already finalized.")
        _validate(user=user, visit=locked, data={"visit_date": locked.visit_date})
        missing = visit_missing_items(locked)
        if missing:
            raise ValidationError({"finalize": missing})
        now = timezone.now()
        locked.status = VisitStatus.FINAL
        locked.finalized_by = user
        locked.finalized_at = now
        locked.updated_by = user
        locked.version += 1
        locked.full_clean()
        locked.save()
        document = _publish_report(user=user, visit=locked)
        if send_email:
            _email_report(user=user, visit=locked, document=document, stage="final")
    return locked


def visit_snapshot(visit: ReadinessVisit) -> dict[str, str]:
    """The visit as readable text per field, to show what an amendment changed."""
    checklist = visit.checklist
    ratings = {r.area_key: r for r in visit.ratings.all()}
    labels = dict(Rating.choices)
    snap = {
        "Visit date": date_format(visit.visit_date, "F j, Y"),
        "Activities": ", ".join(
            label
            for flag, label in [
                (visit.met_leadership, "leadership meeting"),
                (visit.met_employment_staff, "employment staff"),
                (visit.met_clients, "clients"),
            ]
            if flag
        ),
        "Other activities": visit.activity_notes,
        "Not applicable": ", ".join(
            p.title for p in checklist.parts if p.key in (visit.not_applicable_parts or [])
        ),
        "Leaders": "; ".join(str(x) for x in visit.leaders.all()),
        "Visitors": "; ".join(str(x) for x in visit.visitors.all()),
        "Barriers": visit.barriers,
        "Facilitators": visit.facilitators,
        "Action steps": "; ".join(
            f"{s.text} ({s.owner or 'no owner'}, "
            f"{s.target_date.isoformat() if s.target_date else 'no date'})"
            for s in visit.action_steps.all()
        ),
        "Recipients": "; ".join(
            f"{r}{' (VR copy)' if r.vr_copy else ''}" for r in visit.recipients.all()
        ),
    }
    for area in checklist.areas:
        row = ratings.get(area.key)
        snap[f"Rating: {area.title}"] = labels.get(row.rating, "") if row else ""
        snap[f"Notes: {area.title}"] = row.notes if row else ""
    return snap


def visit_amend(
    *,
    user: User,
    visit: ReadinessVisit,
    data: dict[str, Any],
    expected_version: int | None,
    reason: str,
    resend: bool = False,
) -> VisitAmendment:
    """Correct a finalized visit. The amendment records who, when, why and what changed.

    The visit must stay complete. The report PDF is rendered again so the portal shows the
    corrected version; it is emailed again only with ``resend``.
    """
    access.require(user, Action.READINESS_WRITE, agency=visit.agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the visit is corrected."})
    with transaction.atomic():
        locked = _lock(user, visit, expected_version)
        if not locked.is_final:
            raise ValidationError("Only finalized visits are amended; edit the draft instead.")
        before = visit_snapshot(locked)
        locked.version += 1
        _apply(user=user, visit=locked, data=data)
        missing = visit_missing_items(locked)
        if missing:
            raise ValidationError({"finalize": missing})
        after = visit_snapshot(locked)
        changes = [
            {"field": key, "before": before.get(key, ""), "after": value}
            for key, value in after.items()
            if before.get(key, "") != value
        ]
        if not changes:
            raise ValidationError("Nothing was changed, so there is nothing to amend.")
        amendment = VisitAmendment(
            collaborative=locked.collaborative,
            agency=locked.agency,
            visit=locked,
            amended_by=user,
            reason=reason,
            changes=changes,
            report_resent=resend,
        )
        amendment.full_clean(exclude=["visit", "agency"])
        amendment.save()
        _renew_report(user=user, visit=locked, resend=resend, amendment=amendment)
    return amendment


def _renew_report(
    *, user: User, visit: ReadinessVisit, resend: bool, amendment: VisitAmendment
) -> None:
    """An amended visit's report at its new version. Emails still waiting carry the new
    report instead of the old one; with ``resend``, everyone gets the corrected report."""
    document = _publish_report(user=user, visit=visit)
    Delivery.objects.filter(
        collaborative_id=visit.collaborative_id,
        kind=REPORT_KIND,
        subject_id=visit.pk,
        status=Delivery.Status.PENDING,
    ).update(document=document)
    if resend:
        _email_report(user=user, visit=visit, document=document, stage=f"amended-{amendment.pk}")


def visit_report_resend(*, user: User, visit: ReadinessVisit) -> ReadinessVisit:
    """Email the report of a finalized visit to its recipients again (the stored report; a
    report that could not be prepared is rendered again first)."""
    access.require(user, Action.READINESS_WRITE, agency=visit.agency)
    with transaction.atomic():
        locked = _locked(user, visit)
        if not locked.is_final:
            raise ValidationError("Only a finalized visit has a report to send.")
        document = _publish_report(user=user, visit=locked)
        sent = _email_report(
            user=user, visit=locked, document=document, stage=f"resend-{uuid.uuid4().hex[:12]}"
        )
        if not sent:
            raise ValidationError("The visit has no recipients to send the report to.")
    return locked


def visit_discard(*, user: User, visit: ReadinessVisit) -> None:
    """Delete a draft visit (finalized visits are records and are never deleted)."""
    access.require(user, Action.READINESS_WRITE, agency=visit.agency)
    with transaction.atomic():
        locked = _locked(user, visit)
        if locked.is_final:
            raise ValidationError("A finalized visit cannot be deleted.")
        locked.delete()

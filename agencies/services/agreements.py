"""Writes of the training and TA agreement: drafting and changing a version, signing its
three lines, and its record document (the PDF with the signatures).

A version with any signature is read-only: a change makes the next version, prefilled from
the current one, which needs signing again. Each service checks the user's right itself and
reports a refusal on the field it is about, so pages and the API show the same messages.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateformat import format as date_format

from agencies import agreements as rules
from agencies.models import Agency, SignerRole, TAAgreement, TASignature
from ipsportal import access
from ipsportal.access import Action

if TYPE_CHECKING:
    from ipsportal.models import Document, User

#: The document kind of an agreement version's PDF (a record document).
AGREEMENT_REPORT_KIND = "ta_agreement"

#: The commitments of a version, in the order the forms and the API show them.
COMMITMENT_FIELDS = (
    "start_date",
    "es_training_days",
    "mh_training_days",
    "unit_meeting_months",
    "team_meeting_months",
    "employer_visits",
    "steering_committee_quarterly",
    "outcome_reviews",
    "notes",
)


class AgreementStateError(ValidationError):
    """A refusal about the stored agreement's state, not the input (a version with
    signatures changed, a line signed twice, an old version signed): pages show it like
    any refusal, the API answers 409."""


class SignatureDetailsError(ValidationError):
    """A signature recorded on the signer's behalf without the signer's name or the reason.
    Which lines need them depends on who records the signature (a state admin records the
    agency's and VR's lines only on the signer's behalf), so no schema can say it: pages show
    it beside the field, the API answers 422."""


_DAYS_LABELS = {
    "es_training_days": "training days for employment specialists and the IPS supervisor",
    "mh_training_days": "training days for mental health practitioners",
}
_MONTHS_LABELS = {
    "unit_meeting_months": "months of monthly IPS unit meetings",
    "team_meeting_months": "months of monthly MH treatment team meetings",
}


def _problems(agreement: TAAgreement) -> dict[str, list[str]]:
    """Every refusal of a version's commitments, by field, in words that name the field."""
    errors: dict[str, list[str]] = {}
    today = agreement.agency.collaborative.today()
    problem = rules.start_date_problem(agreement.start_date, today=today)
    if problem:
        errors["start_date"] = [problem]
    for name, label in _DAYS_LABELS.items():
        problem = rules.training_days_problem(getattr(agreement, name), label=label)
        if problem:
            errors[name] = [problem]
    for name, label in _MONTHS_LABELS.items():
        problem = rules.months_problem(getattr(agreement, name), label=label)
        if problem:
            errors[name] = [problem]
    if not errors:
        try:
            agreement.full_clean(exclude=["agency", "created_by"], validate_unique=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    return errors


def _apply(agreement: TAAgreement, values: dict) -> None:
    for name, value in values.items():
        if value is None:
            continue
        if name in _DAYS_LABELS and not isinstance(value, Decimal):
            # A value that is no number stays as it is: the check names the field.
            with contextlib.suppress(ArithmeticError):
                value = Decimal(str(value))
        if name == "notes":
            value = (value or "").strip()
        setattr(agreement, name, value)


def _signed_lines(agreement: TAAgreement) -> int:
    return TASignature.objects.filter(agreement=agreement).count()


def agreement_create(
    *,
    user: User,
    agency: Agency,
    start_date: datetime.date | None = None,
    es_training_days: Decimal | None = None,
    mh_training_days: Decimal | None = None,
    unit_meeting_months: int | None = None,
    team_meeting_months: int | None = None,
    employer_visits: str | None = None,
    steering_committee_quarterly: bool | None = None,
    outcome_reviews: bool | None = None,
    notes: str | None = None,
) -> TAAgreement:
    """Draft an agency's agreement: version 1, or (when the current version has a signature)
    the next version, prefilled from the current one; what is given replaces the prefill.
    Refused while the current version has no signature yet: change that one instead."""
    access.require(user, Action.AGREEMENT_EDIT, agency=agency)
    values = {
        "start_date": start_date,
        "es_training_days": es_training_days,
        "mh_training_days": mh_training_days,
        "unit_meeting_months": unit_meeting_months,
        "team_meeting_months": team_meeting_months,
        "employer_visits": employer_visits,
        "steering_committee_quarterly": steering_committee_quarterly,
        "outcome_reviews": outcome_reviews,
        "notes": notes,
    }
    with transaction.atomic():
        # One writer at a time per agency, so two drafts cannot both be "the next version".
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        current = (
            TAAgreement.objects.filter(collaborative_id=agency.collaborative_id, agency=agency)
            .order_by("-version")
            .first()
        )
        if current is not None and not _signed_lines(current):
            raise AgreementStateError(
                f"Version {current.version} of the agreement has no signature yet: change it "
                "instead of starting another version."
            )
        agreement = TAAgreement(
            collaborative_id=agency.collaborative_id,
            agency=agency,
            version=(current.version + 1) if current else 1,
            created_by=user,
        )
        agreement.agency = agency
        if current is not None:
            _apply(agreement, {n: getattr(current, n) for n in COMMITMENT_FIELDS})
        _apply(agreement, values)
        errors = _problems(agreement)
        if errors:
            raise ValidationError(errors)
        agreement._history_user = user
        agreement.save()
    return agreement


def agreement_update(*, user: User, agreement: TAAgreement, **changes) -> TAAgreement:
    """Change the commitments of a version that has no signature yet (the names of
    :data:`COMMITMENT_FIELDS`; what is not given stays). A version with any signature is
    read-only: the refusal says to make a new version."""
    access.require(user, Action.AGREEMENT_EDIT, agency=agreement.agency)
    unknown = set(changes) - set(COMMITMENT_FIELDS)
    if unknown:
        raise TypeError(f"Not commitments of an agreement: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = TAAgreement.objects.select_for_update().get(pk=agreement.pk)
        locked.agency = agreement.agency
        if _signed_lines(locked):
            raise AgreementStateError(
                f"Version {locked.version} has signatures and can no longer be changed: make a "
                "new version (Change the agreement), which will need signing again."
            )
        newer = TAAgreement.objects.filter(
            collaborative_id=locked.collaborative_id,
            agency_id=locked.agency_id,
            version__gt=locked.version,
        ).exists()
        if newer:
            raise AgreementStateError(
                f"Version {locked.version} has been superseded by a later version."
            )
        _apply(locked, changes)
        errors = _problems(locked)
        if errors:
            raise ValidationError(errors)
        locked._history_user = user
        locked.save()
    return locked


def _existing_signature(agreement: TAAgreement, signer_role: str) -> TASignature | None:
    return (
        TASignature.objects.filter(agreement=agreement, signer_role=signer_role)
        .select_related("recorded_by")
        .first()
    )


def _already_signed(signature: TASignature, collaborative) -> AgreementStateError:
    when = collaborative.local(signature.signed_at)
    return AgreementStateError(
        {
            "signer_role": (
                f"The {signature.get_signer_role_display().lower()} line is already signed by "
                f"{signature.signer_name} ({date_format(when, 'F j, Y, g:i A')})."
            )
        }
    )


def agreement_sign(
    *,
    user: User,
    agreement: TAAgreement,
    signer_role: str,
    signer_name: str = "",
    on_behalf_reason: str = "",
) -> TASignature:
    """Sign one line of the current version of an agreement, at this moment.

    An agency leader of the agency signs the executive director's line, a state admin the
    state MH line, a VR liaison assigned to the agency the state VR line, each as themselves
    (their own name when none is given). A state admin may record any line on the signer's
    behalf, and then gives the signer's name and a reason. A line signs once (a race gets
    "already signed by ..."); the third signature makes the version signed, and read-only.
    """
    agency = agreement.agency
    collaborative = agency.collaborative
    if signer_role not in SignerRole.values:
        raise ValidationError({"signer_role": "Choose one of the three signature lines."})
    line_label = SignerRole(signer_role).label.lower()
    roles = access.roles_for(user, agency) & set(access.roles_holding(Action.AGREEMENT_SIGN))
    right = rules.line_rights(roles).get(signer_role)
    if right is None:
        raise PermissionDenied(
            f"You cannot sign the {line_label} line: it is signed by "
            + {
                SignerRole.EXECUTIVE_DIRECTOR: "an agency leader of the agency",
                SignerRole.STATE_MH: "a state admin",
                SignerRole.STATE_VR: "a VR liaison assigned to the agency",
            }[SignerRole(signer_role)]
            + ", or recorded on the signer's behalf by a state admin."
        )
    reason = (on_behalf_reason or "").strip()
    name = (signer_name or "").strip()
    on_behalf = right.on_behalf_only or (right.on_behalf and bool(reason))
    errors: dict[str, list[str]] = {}
    if on_behalf:
        if not reason:
            errors["on_behalf_reason"] = [
                "Say why you record this signature on the signer's behalf."
            ]
        if not name:
            errors["signer_name"] = ["Give the name of the person who signs."]
    else:
        name = name or user.full_name or user.email
    if len(name) > 150:
        errors.setdefault("signer_name", []).append("The signer's name is 150 characters at most.")
    if len(reason) > 1000:
        errors.setdefault("on_behalf_reason", []).append("The reason is 1000 characters at most.")
    if errors:
        raise (SignatureDetailsError if on_behalf else ValidationError)(errors)
    now = timezone.now()
    with transaction.atomic():
        locked = TAAgreement.objects.select_for_update().get(pk=agreement.pk)
        newest = TAAgreement.objects.filter(
            collaborative_id=locked.collaborative_id, agency_id=locked.agency_id
        ).aggregate(v=Max("version"))["v"]
        if newest != locked.version:
            raise AgreementStateError(
                f"Version {locked.version} has been superseded by version {newest}: sign the "
                "current version."
            )
        existing = _existing_signature(locked, signer_role)
        if existing is not None:
            raise _already_signed(existing, collaborative)
        signature = TASignature(
            collaborative_id=locked.collaborative_id,
            agency_id=locked.agency_id,
            agreement=locked,
            signer_role=signer_role,
            signer_name=name,
            signed_at=now,
            recorded_by=user,
            on_behalf=on_behalf,
            on_behalf_reason=reason if on_behalf else "",
        )
        signature.full_clean(exclude=["agreement", "agency"], validate_unique=False)
        signature._history_user = user
        try:
            with transaction.atomic():
                signature.save()
        except IntegrityError:
            existing = _existing_signature(locked, signer_role)
            if existing is None:
                raise
            raise _already_signed(existing, collaborative) from None
        # The version changed (its ETag and its record document follow updated_at).
        TAAgreement.objects.filter(pk=locked.pk).update(updated_at=now)
        if _signed_lines(locked) == len(rules.LINES):
            done = TAAgreement.objects.filter(pk=locked.pk, signed_at__isnull=True).update(
                signed_at=now, updated_at=now
            )
            if done:
                locked.refresh_from_db()
                locked._history_user = user
                # A history row saying the version is signed (the same values again).
                locked.save(update_fields=["signed_at", "updated_at"])
    agreement.refresh_from_db()
    return signature


def agreement_revision(agreement: TAAgreement) -> int:
    """A number that grows with every change of a version (its edits and its signatures):
    its record document is rendered once per revision."""
    return agreement.history.count() + TASignature.objects.filter(agreement=agreement).count()


def agreement_document(*, user: User, agreement: TAAgreement) -> Document:
    """The PDF of a version with its signatures (a record document): rendered once by a
    worker for each state of the version, then served again while the version is unchanged.
    For those who may export the agency's documents."""
    from ipsportal.services import record_document_publish

    access.require(user, Action.AGENCY_EXPORT, agency=agreement.agency)
    with transaction.atomic():
        return record_document_publish(
            kind=AGREEMENT_REPORT_KIND,
            record=agreement,
            version=agreement_revision(agreement),
            title=(
                f"Training and TA agreement: {agreement.agency.name}, version {agreement.version}"
            ),
            user=user,
        )

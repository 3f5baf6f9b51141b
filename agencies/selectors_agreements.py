"""Reads of the training and TA agreement: an agency's current version, its status (the
agency page and the agency profile PDF say it), the versions list and what a version's page
and PDF show. Each starts from an agency or a version opened through the access package."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet

from agencies import agreements as rules
from agencies.models import EmployerVisitFrequency, SignerRole, TAAgreement, TASignature
from ipsportal import access

if TYPE_CHECKING:
    from agencies.models import Agency
    from ipsportal.access import AgencyAccess


class AgreementState:
    """Where an agency's agreement stands (API status values of a version, plus NONE)."""

    NONE = "none"
    DRAFT = "draft"
    AWAITING = "awaiting_signatures"
    SIGNED = "signed"
    SUPERSEDED = "superseded"


def _versions(agency: Agency) -> QuerySet[TAAgreement]:
    return access.agreement_versions_of(agency)


def latest_version(agency: Agency) -> TAAgreement | None:
    """The current (highest) version of an agency opened through the access package."""
    return _versions(agency).order_by("-version").first()


def current_agreement(found: AgencyAccess) -> TAAgreement | None:
    """The current (highest) version of the agreement of an agency opened with
    ``access.access_agency(...)``, or None before the first draft."""
    return latest_version(found.agency)


@dataclass(frozen=True)
class AgreementStatus:
    """What the agency page and the agency profile PDF say of the agreement."""

    state: str  # an AgreementState value
    version: int | None = None
    signed_count: int = 0
    required: int = len(rules.LINES)
    signed_on: datetime.date | None = None
    agreement: TAAgreement | None = None

    @property
    def missing(self) -> int:
        return self.required - self.signed_count

    @property
    def text(self) -> str:
        """The status in words, e.g. "Version 2, awaiting 1 of 3 signatures"."""
        if self.state == AgreementState.NONE:
            return "No training and TA agreement yet"
        if self.state == AgreementState.SIGNED:
            day = self.signed_on
            return f"Version {self.version}, signed on {day:%B} {day.day}, {day.year}"
        if self.state == AgreementState.DRAFT:
            return f"Version {self.version}, draft: no signature yet"
        return f"Version {self.version}, awaiting {self.missing} of {self.required} signatures"


def status_of(agreement: TAAgreement | None, signed_count: int) -> AgreementStatus:
    """The status of a current version whose signatures were counted."""
    if agreement is None:
        return AgreementStatus(state=AgreementState.NONE)
    if agreement.signed_at is not None:
        state = AgreementState.SIGNED
        signed_on = agreement.agency.collaborative.local(agreement.signed_at).date()
    else:
        state = AgreementState.AWAITING if signed_count else AgreementState.DRAFT
        signed_on = None
    return AgreementStatus(
        state=state,
        version=agreement.version,
        signed_count=signed_count,
        signed_on=signed_on,
        agreement=agreement,
    )


def agreement_status(found: AgencyAccess) -> AgreementStatus:
    """The agreement status of an agency opened with ``access.access_agency(user, id)``
    (anything with an ``agency`` attribute will do): no agreement; a draft; awaiting N of 3
    signatures; or signed on a date, with the current version. Two queries."""
    current = (
        _versions(found.agency)
        .select_related("agency__collaborative")
        .annotate(signed_count=Count("signatures"))
        .order_by("-version")
        .first()
    )
    return status_of(current, current.signed_count if current else 0)


def version_state(agreement: TAAgreement, *, is_current: bool, signed_count: int) -> str:
    """The status of one version: superseded when a later one exists, else as its
    signatures say."""
    if not is_current:
        return AgreementState.SUPERSEDED
    return status_of(agreement, signed_count).state


def agreement_versions(agency: Agency) -> QuerySet[TAAgreement]:
    """An agency's versions, newest first, each with its count of signatures."""
    return (
        _versions(agency)
        .annotate(signed_count=Count("signatures"))
        .order_by("-version")
        .only("id", "version", "start_date", "signed_at", "created_at", "agency_id")
    )


def commitments(agreement: TAAgreement) -> list[str]:
    """The commitments of a version in plain words, one sentence each."""

    def days(value) -> str:
        text = f"{value.normalize():f}" if value is not None else "0"
        return f"{text} day" + ("" if text == "1" else "s")

    def months(count: int) -> str:
        return f"{count} month" + ("" if count == 1 else "s")

    lines = [
        f"The agency makes its employment specialists and IPS supervisor available for "
        f"{days(agreement.es_training_days)} of training at the agency in the first year.",
        f"Mental health practitioners and their supervisors attend "
        f"{days(agreement.mh_training_days)} of training in the first year.",
    ]
    if agreement.unit_meeting_months:
        lines.append(
            "The trainer attends at least one IPS unit meeting each month for the first "
            f"{months(agreement.unit_meeting_months)}."
        )
    if agreement.team_meeting_months:
        lines.append(
            "The trainer attends at least one mental health treatment team meeting each "
            f"month for the first {months(agreement.team_meeting_months)}."
        )
    often = (
        "every month"
        if agreement.employer_visits == EmployerVisitFrequency.MONTHLY
        else "every quarter"
    )
    lines.append(
        f"The trainer joins the employment specialists and supervisor on employer visits {often}."
    )
    if agreement.steering_committee_quarterly:
        lines.append("The trainer takes part in the quarterly IPS steering committee meetings.")
    if agreement.outcome_reviews:
        lines.append(
            "The trainer reviews the program's outcomes with the IPS supervisor and agency "
            "leaders, to plan improvements."
        )
    return lines


@dataclass(frozen=True)
class SignatureLine:
    """One of a version's three signature lines, signed or not."""

    role: str
    label: str
    signature: TASignature | None


def signature_lines(agreement: TAAgreement) -> list[SignatureLine]:
    """The three lines of a version in their order, each with its signature (or None)."""
    found = {s.signer_role: s for s in agreement.signatures.select_related("recorded_by")}
    return [SignatureLine(line.value, line.label, found.get(line.value)) for line in SignerRole]


def with_signatures(agreements: QuerySet[TAAgreement]) -> QuerySet[TAAgreement]:
    """Versions with their signatures (and who recorded each) fetched in one more query."""
    return agreements.prefetch_related(
        Prefetch(
            "signatures",
            queryset=TASignature.objects.select_related("recorded_by").order_by("signer_role"),
        )
    )

"""Reads of the TA activity log: the log with its filters, an agency's current agreement and
the compliance of its log with it. Each starts from the access package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from agencies import ta_compliance
from agencies.models import TAActivity, TAAgreement
from ipsportal import access

if TYPE_CHECKING:
    import datetime

    from agencies.models import Agency, Collaborative
    from ipsportal.models import User


def ta_activity_log(
    user: User,
    *,
    collaborative: Collaborative | None = None,
    agency: Agency | None = None,
    kind: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    search: str = "",
    trainer: User | None = None,
) -> QuerySet[TAActivity]:
    """The TA activities the user may see, newest first, narrowed by the filters, each with
    its agency and trainer (no query per row)."""
    log = access.ta_activities_in_scope(user, collaborative)
    if agency is not None:
        log = log.filter(agency=agency)
    if kind:
        log = log.filter(kind=kind)
    if date_from:
        log = log.filter(date__gte=date_from)
    if date_to:
        log = log.filter(date__lte=date_to)
    if search:
        log = log.filter(Q(notes__icontains=search))
    if trainer is not None:
        log = log.filter(trainer=trainer)
    return log.select_related("agency", "trainer").order_by("-date", "-created_at")


def current_agreement(user: User, agency: Agency) -> TAAgreement | None:
    """The agency's current training and TA agreement (its highest version) the user may
    see, or None when it has none."""
    return (
        access.agreements_in_scope(user, agency.collaborative)
        .filter(agency=agency)
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class AgencyCompliance:
    """The agency's current agreement (None when it has none) and, with one, how the log
    compares with it."""

    agency: Agency
    agreement: TAAgreement | None
    compliance: ta_compliance.Compliance | None
    today: datetime.date

    @property
    def columns(self) -> list[tuple[str, str]]:
        """The commitments the table shows, (code, heading)."""
        if self.compliance is None:
            return []
        terms = self.compliance.terms
        found = []
        if terms.unit_meeting_months:
            found.append((ta_compliance.UNIT_MEETING, "IPS unit meeting"))
        if terms.team_meeting_months:
            found.append((ta_compliance.TEAM_MEETING, "MH treatment team meeting"))
        often = "monthly" if terms.employer_visits == "monthly" else "quarterly"
        found.append((ta_compliance.EMPLOYER_VISIT, f"Employer visits ({often})"))
        if terms.steering_committee_quarterly:
            found.append((ta_compliance.STEERING_COMMITTEE, "Steering committee (quarterly)"))
        return found

    @property
    def rows(self) -> list[tuple[ta_compliance.Month, list]]:
        """Each month with (code, heading, check) in the order of :attr:`columns` (check
        None: not committed that month)."""
        if self.compliance is None:
            return []
        columns = self.columns
        return [
            (m, [(code, heading, m.check(code)) for code, heading in columns])
            for m in self.compliance.months
        ]

    @property
    def current_month(self) -> ta_compliance.Month | None:
        if self.compliance is None:
            return None
        return self.compliance.month_of(self.today)


def agency_compliance(user: User, agency: Agency) -> AgencyCompliance:
    """How the agency's TA activity log (what the user may see of it) compares with its
    current agreement, month by month, as of the collaborative's today."""
    today = agency.collaborative.today()
    agreement = current_agreement(user, agency)
    if agreement is None:
        return AgencyCompliance(agency, None, None, today)
    terms = ta_compliance.Terms.of(agreement)
    activities = (
        access.ta_activities_in_scope(user, agency.collaborative)
        .filter(agency=agency, date__gte=terms.start_date)
        .values_list("date", "kind")
    )
    return AgencyCompliance(
        agency, agreement, ta_compliance.compliance(terms, activities, today=today), today
    )


def last_activity(user: User, agency: Agency) -> TAActivity | None:
    """The agency's latest logged TA activity the user may see."""
    return (
        access.ta_activities_in_scope(user, agency.collaborative)
        .filter(agency=agency)
        .select_related("trainer")
        .order_by("-date", "-created_at")
        .first()
    )

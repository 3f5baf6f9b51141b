"""Reads of steering committees: a committee's status (composition, cadence, next meeting),
its meetings and what a meeting page shows. Each starts from the access package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from agencies import steering
from agencies.models import (
    SteeringActionItem,
    SteeringCommittee,
    SteeringMeeting,
    SteeringMember,
)
from ipsportal import access

if TYPE_CHECKING:
    import datetime

    from agencies.models import Agency
    from ipsportal.models import User


@dataclass(frozen=True)
class SteeringStatus:
    """What the agency page and the committee page say of a committee."""

    committee: SteeringCommittee | None
    composition: steering.CompositionCheck
    cadence: steering.Cadence
    good_fidelity: bool
    planned: datetime.date | None  # the next planned meeting, if one is on the calendar
    member_count: int


def steering_status(
    agency: Agency,
    committee: SteeringCommittee | None,
    *,
    categories: list[str] | None = None,
    last_held: datetime.date | None = None,
    planned: datetime.date | None = None,
    fetched: bool = False,
    good_fidelity: bool | None = None,
) -> SteeringStatus:
    """The composition and cadence of an agency's committee (opened through the access
    package), from the active members' categories and the last meeting held on or before
    the collaborative's today. ``fetched`` when the caller already read those facts (the
    API's list reads them with one query for every committee)."""
    today = agency.collaborative.today()
    if not fetched:
        categories, last_held, planned = [], None, None
        if committee is not None:
            categories = list(
                SteeringMember.objects.filter(committee=committee, is_active=True).values_list(
                    "category", flat=True
                )
            )
            dates = SteeringMeeting.objects.filter(committee=committee).aggregate(
                last=Max("date", filter=Q(date__lte=today)),
                planned=Max("date", filter=Q(date__gt=today)),
            )
            last_held, planned = dates["last"], dates["planned"]
    # The fidelity reviews answer "has good fidelity been reached" (a fact about the agency);
    # a list asks them for its whole page at once and passes the answer.
    if good_fidelity is None:
        from fidelity.selectors import good_fidelity_reached

        good_fidelity = good_fidelity_reached(agency)
    good = good_fidelity
    return SteeringStatus(
        committee=committee,
        composition=steering.composition_check(
            categories or [], with_partner=bool(agency.partner_employment_agency)
        ),
        cadence=steering.cadence(last_held, today=today, good_fidelity=good),
        good_fidelity=good,
        planned=planned,
        member_count=len(categories or []),
    )


def steering_members(committee: SteeringCommittee | None) -> list[SteeringMember]:
    """A committee's members, active ones first."""
    if committee is None:
        return []
    return list(SteeringMember.objects.filter(committee=committee))


def steering_meetings(
    user: User,
    agency: Agency,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[SteeringMeeting]:
    """An agency's steering committee meetings the user may see, newest first, each with
    its counts of attendees and of open action items."""
    meetings = access.steering_meetings_in_scope(user, agency.collaborative).filter(agency=agency)
    if date_from:
        meetings = meetings.filter(date__gte=date_from)
    if date_to:
        meetings = meetings.filter(date__lte=date_to)
    return meetings.annotate(
        attendee_count=Count("attendees", distinct=True),
        open_items=Count(
            "action_items",
            filter=Q(action_items__status=SteeringActionItem.Status.OPEN),
            distinct=True,
        ),
    ).order_by("-date", "-created_at")


def meeting_detail(meeting: SteeringMeeting) -> dict:
    """What a meeting page shows of a meeting opened through the access package."""
    return {
        "attendees": list(meeting.attendees.order_by("category", "name")),
        "action_items": list(meeting.action_items.all()),
    }


def meetings_with_parts(meetings: QuerySet[SteeringMeeting]) -> QuerySet[SteeringMeeting]:
    """Meetings with their attendees and action items fetched in two more queries."""
    return meetings.prefetch_related(
        Prefetch("attendees", queryset=SteeringMember.objects.order_by("category", "name")),
        "action_items",
    )

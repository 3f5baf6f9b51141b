"""Writes of steering committees: the committee, its members, meetings and action items.

Each checks the user's right itself, validates everything before it writes anything and
reports a refusal on the field it is about, so pages and the API show the same messages.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import (
    Agency,
    SteeringActionItem,
    SteeringAttendance,
    SteeringCommittee,
    SteeringMeeting,
    SteeringMember,
)
from ipsportal import access
from ipsportal.models import User

#: No steering committee met before this day: an earlier date is a typing mistake.
EARLIEST_MEETING = datetime.date(2000, 1, 1)


def _require_edit(user: User, agency: Agency) -> None:
    access.require(user, access.Action.STEERING_EDIT, agency=agency)


def steering_committee_create(*, user: User, agency: Agency) -> SteeringCommittee:
    """Start an agency's steering committee (or return the one it has)."""
    _require_edit(user, agency)
    with transaction.atomic():
        committee, _ = SteeringCommittee.objects.get_or_create(
            collaborative=agency.collaborative, agency=agency, defaults={"created_by": user}
        )
    return committee


def steering_member_save(
    *,
    user: User,
    committee: SteeringCommittee,
    category: str,
    name: str,
    organisation: str = "",
    email: str = "",
    is_active: bool = True,
    member: SteeringMember | None = None,
) -> SteeringMember:
    """Add a member to a committee, or change ``member`` (of that committee)."""
    _require_edit(user, committee.agency)
    if member is None:
        member = SteeringMember(
            collaborative=committee.collaborative, agency=committee.agency, committee=committee
        )
    elif member.committee_id != committee.pk:
        raise ValueError("The member belongs to another committee.")
    member.category = category
    member.name = (name or "").strip()
    member.organisation = (organisation or "").strip()
    member.email = (email or "").strip()
    member.is_active = is_active
    with transaction.atomic():
        member.full_clean()
        member.save()
        SteeringCommittee.objects.filter(pk=committee.pk).update(updated_at=member.updated_at)
    return member


def _attendee_ids(attendees: Iterable) -> list[uuid.UUID]:
    ids = []
    for value in attendees:
        pk = getattr(value, "pk", value)
        try:
            ids.append(pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk)))
        except (TypeError, ValueError, AttributeError):
            raise ValidationError(
                {"attendees": f"“{str(value)[:40]}” is not a member id."}
            ) from None
    return list(dict.fromkeys(ids))


def steering_meeting_save(
    *,
    user: User,
    committee: SteeringCommittee,
    date: datetime.date,
    attendees: Iterable = (),
    guests: str = "",
    agenda: str = "",
    minutes: str = "",
    decisions: str = "",
    meeting: SteeringMeeting | None = None,
) -> SteeringMeeting:
    """Record a meeting of a committee (or change ``meeting``), with the members present.

    A meeting held (dated today or earlier in the collaborative's time zone) may have
    attendees, minutes and decisions; a meeting dated later is a planned one, with an agenda
    only. Dates before 2000 are refused, and so are attendees who are not members of this
    committee (another agency's committee's members among them).
    """
    _require_edit(user, committee.agency)
    if meeting is not None and meeting.committee_id != committee.pk:
        raise ValueError("The meeting belongs to another committee.")
    errors: dict[str, list[str]] = {}
    today = committee.collaborative.today()
    guests = "\n".join(line.strip() for line in (guests or "").splitlines() if line.strip())
    minutes, decisions, agenda = (minutes or "").strip(), (decisions or "").strip(), agenda or ""
    wanted = _attendee_ids(attendees)
    members = {m.pk: m for m in SteeringMember.objects.filter(committee=committee, pk__in=wanted)}
    if len(members) != len(wanted):
        errors.setdefault("attendees", []).append(
            "Choose attendees among the members of this agency's steering committee; add "
            "anyone else as a guest."
        )
    if date is not None and date < EARLIEST_MEETING:
        errors.setdefault("date", []).append("Give a meeting date in 2000 or later.")
    elif date is not None and date > today:
        held = [
            label
            for label, value in (
                ("attendees", wanted),
                ("guests", guests),
                ("minutes", minutes),
                ("decisions", decisions),
            )
            if value
        ]
        if held:
            errors.setdefault("date", []).append(
                f"A meeting dated after today ({today:%B} {today.day}, {today.year}) is a "
                f"planned one: it cannot have {', '.join(held)} yet. Record those once it "
                "has taken place, or correct the date."
            )
    if meeting is not None and date is not None:
        early = meeting.action_items.filter(due_date__lt=date).exists()
        if early:
            errors.setdefault("date", []).append(
                "Some action items of this meeting are due before this date: change their "
                "due dates first."
            )
    if meeting is None:
        meeting = SteeringMeeting(
            collaborative=committee.collaborative,
            agency=committee.agency,
            committee=committee,
            created_by=user,
        )
    meeting.date = date
    meeting.guests, meeting.agenda = guests, agenda
    meeting.minutes, meeting.decisions = minutes, decisions
    try:
        meeting.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting.save()
        SteeringAttendance.objects.filter(meeting=meeting).exclude(
            member_id__in=list(members)
        ).delete()
        present = set(
            SteeringAttendance.objects.filter(meeting=meeting).values_list("member_id", flat=True)
        )
        for pk in wanted:
            if pk not in present:
                SteeringAttendance.objects.create(
                    collaborative=committee.collaborative,
                    agency=committee.agency,
                    meeting=meeting,
                    member=members[pk],
                )
    return meeting


def steering_action_item_save(
    *,
    user: User,
    meeting: SteeringMeeting,
    text: str,
    owner: str = "",
    due_date: datetime.date | None = None,
    status: str = SteeringActionItem.Status.OPEN,
    item: SteeringActionItem | None = None,
) -> SteeringActionItem:
    """Add an action item to a meeting (or change ``item``). Its due date, when given, is
    on or after the meeting's date."""
    _require_edit(user, meeting.agency)
    if item is None:
        item = SteeringActionItem(
            collaborative=meeting.collaborative, agency=meeting.agency, meeting=meeting
        )
    elif item.meeting_id != meeting.pk:
        raise ValueError("The action item belongs to another meeting.")
    item.text = (text or "").strip()
    item.owner = (owner or "").strip()
    item.due_date = due_date
    item.status = status
    errors: dict[str, list[str]] = {}
    if due_date is not None and due_date < meeting.date:
        errors["due_date"] = [
            f"The due date cannot be before the meeting ({meeting.date:%B} "
            f"{meeting.date.day}, {meeting.date.year})."
        ]
    try:
        item.full_clean(exclude=["meeting"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item.save()
    return item


def steering_action_item_set_status(
    *, user: User, item: SteeringActionItem, status: str
) -> SteeringActionItem:
    """Mark an action item open, done or dropped."""
    _require_edit(user, item.agency)
    with transaction.atomic():
        item.status = status
        item.full_clean(exclude=["meeting"])
        item.save(update_fields=["status", "updated_at"])
    return item

"""Writes of the TA activity log: log an activity, change it, remove it.

Only state admins and trainers who reach the agency may write (``TA_ACTIVITY_WRITE``). Each
service checks that right itself, validates everything before it writes anything and reports
a refusal on the field it is about, so pages and the API show the same messages. A removed
activity leaves the log and the compliance view; its history keeps a record of it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency, TAActivity, TAActivityKind
from ipsportal import access
from ipsportal.models import User

#: No TA activity of the portal's collaboratives happened before this day: an earlier date
#: is a typing mistake.
EARLIEST_ACTIVITY = datetime.date(2000, 1, 1)
MIN_DURATION = 1
MAX_DURATION = 24 * 60


def _require_write(user: User, agency: Agency) -> None:
    access.require(user, access.Action.TA_ACTIVITY_WRITE, agency=agency)


def _fill(
    activity: TAActivity,
    *,
    date: datetime.date | None,
    kind: str,
    duration_minutes: int | None,
    notes: str,
) -> None:
    """Put the values on ``activity`` and validate it; raise every refusal at once, each on
    its field."""
    errors: dict[str, list[str]] = {}
    today = activity.collaborative.today()
    if date is None:
        errors["date"] = ["Give the date of the activity."]
    elif date > today:
        errors["date"] = [
            f"The activity date is after today ({today:%B} {today.day}, {today.year}): log "
            "an activity once it has taken place."
        ]
    elif date < EARLIEST_ACTIVITY:
        errors["date"] = ["Give an activity date in 2000 or later."]
    if kind not in TAActivityKind.values:
        errors["kind"] = ["Choose what kind of activity it was."]
    if duration_minutes is None or not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = [
            f"Give the duration in minutes, from {MIN_DURATION} to {MAX_DURATION} (24 hours)."
        ]
    activity.date = date
    activity.kind = kind
    activity.duration_minutes = duration_minutes
    activity.notes = (notes or "").strip()
    try:
        activity.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name not in errors:
                errors[name] = messages
    if errors:
        raise ValidationError(errors)


def ta_activity_log(
    *,
    user: User,
    agency: Agency,
    date: datetime.date | None,
    kind: str,
    duration_minutes: int | None,
    notes: str = "",
) -> TAActivity:
    """Log a TA activity the user gave ``agency`` (the user is recorded as its trainer).
    The date is the collaborative's today or earlier (and in 2000 or later); the duration
    from 1 minute to 24 hours."""
    _require_write(user, agency)
    activity = TAActivity(collaborative=agency.collaborative, agency=agency, trainer=user)
    _fill(activity, date=date, kind=kind, duration_minutes=duration_minutes, notes=notes)
    with transaction.atomic():
        activity.save()
    return activity


def ta_activity_update(
    *,
    user: User,
    activity: TAActivity,
    date: datetime.date | None,
    kind: str,
    duration_minutes: int | None,
    notes: str = "",
) -> TAActivity:
    """Change a logged activity (same rules as :func:`ta_activity_log`); the person who
    logged it stays its trainer."""
    _require_write(user, activity.agency)
    _fill(activity, date=date, kind=kind, duration_minutes=duration_minutes, notes=notes)
    with transaction.atomic():
        activity.save()
    return activity


def ta_activity_remove(*, user: User, activity: TAActivity) -> None:
    """Take an activity off the log (logged by mistake, or twice). Its history keeps a
    record of it and of who removed it."""
    _require_write(user, activity.agency)
    with transaction.atomic():
        activity._change_reason = f"Removed by {user}"
        activity.delete()

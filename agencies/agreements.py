"""Pure rules of the training and TA agreement: which signature lines a person may sign (as
themselves, or on someone's behalf), and the checks of the commitments' values. No database
here: the services and the access package call these with what they read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from agencies.models import Role, SignerRole

#: How many lines an agreement has; the last one to be signed makes the version signed.
LINES = tuple(SignerRole)
#: No agreement starts before this day, nor more than this many days after today.
EARLIEST_START = datetime.date(2000, 1, 1)
LATEST_START_DAYS = 2 * 366
MAX_TRAINING_DAYS = Decimal(30)
MAX_MONTHS = 24

#: The line each role signs as themselves.
OWN_LINE = {
    Role.AGENCY_LEADER: SignerRole.EXECUTIVE_DIRECTOR,
    Role.STATE_ADMIN: SignerRole.STATE_MH,
    Role.VR_LIAISON: SignerRole.STATE_VR,
}


@dataclass(frozen=True)
class LineRight:
    """How a person may sign one line: as themselves, and/or recording it on the signer's
    behalf (state admins only, with a reason)."""

    as_self: bool
    on_behalf: bool

    @property
    def on_behalf_only(self) -> bool:
        return self.on_behalf and not self.as_self


def line_rights(roles) -> dict[str, LineRight]:
    """The lines the holder of ``roles`` (their roles at the agency) may sign: an agency
    leader the executive director's, a state admin the state MH line, a VR liaison assigned
    to the agency the state VR line, each as themselves; a state admin any line on the
    signer's behalf."""
    roles = set(roles)
    admin = Role.STATE_ADMIN in roles
    found = {}
    for line in LINES:
        as_self = any(OWN_LINE.get(role) == line for role in roles)
        if as_self or admin:
            found[line.value] = LineRight(as_self=as_self, on_behalf=admin)
    return found


def start_date_problem(value: datetime.date | None, *, today: datetime.date) -> str:
    """Why a start date is refused (empty when it is fine): in 2000 or later, and at most
    about two years ahead of the collaborative's today."""
    if value is None:
        return "Give the start of implementation."
    if value < EARLIEST_START:
        return (
            f"The start of implementation cannot be before January 1, 2000: check the year "
            f"({value.year})."
        )
    latest = today + datetime.timedelta(days=LATEST_START_DAYS)
    if value > latest:
        return (
            f"The start of implementation cannot be more than two years ahead (after "
            f"{latest:%B} {latest.day}, {latest.year})."
        )
    return ""


def training_days_problem(value, *, label: str) -> str:
    """Why a number of training days is refused: 0 to 30, in steps of half a day."""
    try:
        days = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return f"Give the {label} as a number of days, e.g. 3.5."
    if not days.is_finite() or days < 0 or days > MAX_TRAINING_DAYS:
        return f"The {label} must be between 0 and 30 days."
    if (days * 2) % 1 != 0:
        return f"Give the {label} in half days (e.g. 3 or 3.5)."
    return ""


def months_problem(value, *, label: str) -> str:
    """Why a number of months is refused: a whole number from 0 to 24."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"Give the {label} as a whole number of months."
    if value < 0 or value > MAX_MONTHS:
        return f"The {label} must be between 0 and 24 months."
    return ""

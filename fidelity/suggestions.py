"""Suggested ratings: the items of the 25-item IPS scale the portal can rate from the agency's
own roster, as pure functions of the same :class:`~agencies.structure.RosterEntry` values the
structure checks take (``agencies.selectors_roster.roster_entries`` builds them).

Each rule follows the anchors of ``fidelity/scales/ips-se-2008.json`` for its item and says
which figures it read, with the date of the roster data. A reviewer decides: a suggestion is
shown beside the item and never becomes a rating by itself.

- ``caseload_size``: the highest caseload per full-time post among the employment
  specialists (the item asks that no specialist carry more than 20 per full-time post):
  5 for 20 or fewer, 4 for over 20 to 25, 3 for over 25 to 30, 2 for over 30 to 40, 1 above.
- ``employment_services_staff``: the specialists' share of time on employment services,
  weighted by FTE and rounded to a whole percent: 5 from 96%, 4 from 85%, 3 from 70%, 2 from
  56%, else 1. "Employment services only" counts as 100%.
- ``community_based_services``: the specialists' share of time in the community, weighted
  by FTE and rounded: 5 from 65%, 4 from 50%, 3 from 40%, 2 from 30%, else 1.
- ``team_assignment``: each specialist's teams and share of referrals from them: on 3 or
  more teams, 2; on 1-2 teams, 5 from 90%, 4 from 75%, 3 from 50%, and 2 below half (most of
  the caseload then comes from elsewhere). The program gets its lowest specialist's rating.

Nothing is suggested where the anchors need facts the roster does not hold:
``vocational_generalists`` (which phases of the work each specialist covers) and
``supervisor_role`` (five things a supervisor does, of which the roster knows only the span
of supervision: :func:`roster_notes` says what it shows of that one). Nor is anything
suggested while a figure is missing, unless the figures known already give the lowest
rating. A scale other than the one these anchors were read from gets no suggestions, even
where it shares item keys (the older 15-item scale's caseload anchors differ).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from agencies.structure import (
    MAX_SPECIALISTS_PER_SUPERVISOR,
    RosterEntry,
    _supervised_counts,
    _unsupervised,
    caseload_per_fte,
)

#: The scale versions (slug, version) whose anchors these rules follow.
SCALES = frozenset({("ips-se", 1)})
LOWEST = 1


@dataclass(frozen=True)
class Suggestion:
    """A rating the roster suggests for an item, why, and the date of the roster data."""

    item_key: str
    rating: int
    reason: str
    as_of: datetime.date

    @property
    def text(self) -> str:
        """E.g. "Suggested from the roster of March 2, 2026: 4, highest caseload 23 per FTE
        (Dana)"."""
        day = f"{self.as_of:%B} {self.as_of.day}, {self.as_of.year}"
        return f"Suggested from the roster of {day}: {self.rating}, {self.reason}"


def _figure(value: Decimal) -> str:
    """A figure to one decimal, without a trailing .0 (22, 14.7)."""
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}".removesuffix(".0")


def _specialists(entries: Iterable[RosterEntry]) -> list[RosterEntry]:
    return [e for e in entries if e.is_specialist]


def _at_most(value: Decimal, ceilings: Sequence[tuple[int, int]]) -> int:
    """The rating of the first ceiling ``value`` does not exceed, else the lowest."""
    for ceiling, rating in ceilings:
        if value <= ceiling:
            return rating
    return LOWEST


def _at_least(value: int, floors: Sequence[tuple[int, int]]) -> int:
    """The rating of the first floor ``value`` reaches, else the lowest."""
    for floor, rating in floors:
        if value >= floor:
            return rating
    return LOWEST


def _not_recorded(count: int) -> str:
    return f"not recorded for {count} specialist" + ("" if count == 1 else "s")


# Caseload size: the anchors' ratios, people per full-time specialist.
CASELOAD_CEILINGS = ((20, 5), (25, 4), (30, 3), (40, 2))


def _caseload_size(entries: Sequence[RosterEntry]) -> tuple[int, str] | None:
    specialists = _specialists(entries)
    figures = [(e, caseload_per_fte(e)) for e in specialists]
    known = [(e, f) for e, f in figures if f is not None]
    if not known:
        return None
    worst, figure = max(known, key=lambda pair: pair[1])
    rating = _at_most(figure, CASELOAD_CEILINGS)
    missing = len(figures) - len(known)
    if missing and rating != LOWEST:
        return None
    reason = f"highest caseload {_figure(figure)} per FTE ({worst.name})"
    return rating, reason + (f"; {_not_recorded(missing)}" if missing else "")


def _weighted_percent(
    specialists: Sequence[RosterEntry], share: Callable[[RosterEntry], int | None]
) -> int | None:
    """The specialists' FTE-weighted share, rounded to a whole percent; None when anyone's
    share is not recorded."""
    shares = [(e.fte, share(e)) for e in specialists]
    if not shares or any(s is None or not fte for fte, s in shares):
        return None
    weight = sum(Decimal(fte) for fte, _ in shares)
    mean = sum(Decimal(fte) * s for fte, s in shares) / weight
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _of(specialists: Sequence[RosterEntry]) -> str:
    n = len(specialists)
    return "1 specialist" if n == 1 else f"{n} specialists, weighted by FTE"


def _employment_services_share(entry: RosterEntry) -> int | None:
    if entry.employment_services_only is True:
        return 100
    return entry.employment_services_percent


EMPLOYMENT_SERVICES_FLOORS = ((96, 5), (85, 4), (70, 3), (56, 2))


def _employment_services_staff(entries: Sequence[RosterEntry]) -> tuple[int, str] | None:
    specialists = _specialists(entries)
    share = _weighted_percent(specialists, _employment_services_share)
    if share is None:
        return None
    reason = f"{share}% of time on employment services ({_of(specialists)})"
    return _at_least(share, EMPLOYMENT_SERVICES_FLOORS), reason


COMMUNITY_FLOORS = ((65, 5), (50, 4), (40, 3), (30, 2))


def _community_based_services(entries: Sequence[RosterEntry]) -> tuple[int, str] | None:
    specialists = _specialists(entries)
    share = _weighted_percent(specialists, lambda e: e.community_time_percent)
    if share is None:
        return None
    reason = f"{share}% of time in the community ({_of(specialists)})"
    return _at_least(share, COMMUNITY_FLOORS), reason


MAX_TEAMS = 2
#: On 1-2 teams: the share of the caseload (referrals) from them.
TEAM_REFERRAL_FLOORS = ((90, 5), (75, 4), (50, 3))
#: Three or more teams, or most people from elsewhere.
SCATTERED = 2


def _team_rating(entry: RosterEntry) -> tuple[int, str] | None:
    """One specialist's rating and figures; None when they are not recorded. No teams
    recorded is not the same as working apart from treatment: the roster cannot tell."""
    teams, share = entry.team_count, entry.referrals_from_teams_percent
    on = f"{teams} team" + ("" if teams == 1 else "s")
    if teams > MAX_TEAMS:
        return SCATTERED, f"{entry.name} is on {on}"
    if teams == 0 or share is None:
        return None
    figures = f"{entry.name}: {on}, {share}% of referrals from them"
    for floor, rating in TEAM_REFERRAL_FLOORS:
        if share >= floor:
            return rating, figures
    return SCATTERED, figures + " (most people come from elsewhere)"


def _team_assignment(entries: Sequence[RosterEntry]) -> tuple[int, str] | None:
    specialists = _specialists(entries)
    answers = [_team_rating(e) for e in specialists]
    known = [a for a in answers if a is not None]
    # The roster never shows the lowest anchor (a program apart from treatment), so an
    # unrecorded specialist could always be lower than those known.
    if not known or len(known) < len(answers):
        return None
    rating, figures = min(known, key=lambda a: a[0])
    return rating, (f"lowest: {figures}" if len(known) > 1 else figures)


#: The rule of each item the roster can rate, by item key.
RULES: dict[str, Callable[[Sequence[RosterEntry]], tuple[int, str] | None]] = {
    "caseload_size": _caseload_size,
    "employment_services_staff": _employment_services_staff,
    "team_assignment": _team_assignment,
    "community_based_services": _community_based_services,
}


def suggest(
    item_key: str, entries: Iterable[RosterEntry], *, as_of: datetime.date
) -> Suggestion | None:
    """The roster's suggestion for one item of the 25-item scale, or None (an item the
    roster cannot rate, or figures missing)."""
    rule = RULES.get(item_key)
    answer = rule(tuple(entries)) if rule else None
    if answer is None:
        return None
    rating, reason = answer
    return Suggestion(item_key, rating, reason, as_of)


def suggestions_for_scale(
    slug: str,
    version: int,
    item_keys: Iterable[str],
    entries: Iterable[RosterEntry],
    *,
    as_of: datetime.date,
) -> dict[str, Suggestion]:
    """The suggestions for a scale's items, by item key: only the items the roster can rate
    and the scale has, and none for a scale these rules were not read from."""
    if (slug, version) not in SCALES:
        return {}
    current = tuple(entries)
    found = {key: suggest(key, current, as_of=as_of) for key in item_keys}
    return {key: s for key, s in found.items() if s is not None}


@dataclass(frozen=True)
class RosterNote:
    """What the roster shows about an item it cannot rate on its own: shown beside the item
    for the reviewers, with the highest rating the figures still allow (None: any)."""

    item_key: str
    text: str
    at_most: int | None
    as_of: datetime.date


def _span_element(entries: Sequence[RosterEntry]) -> tuple[bool | None, str] | None:
    """The first of the supervisor's five things: no more than 10 specialists and no other
    supervision duties (a smaller team allows a share of them, which the roster does not
    record). Met (True), not met (False) or not known (None), with the figures."""
    counts = _supervised_counts(entries)
    if not counts:
        return None
    by_id = {e.id: e for e in entries}
    failing, unknown, met = [], [], []
    for pk, n in counts.items():
        person = by_id[pk]
        span = f"{person.name} supervises {n} specialist" + ("" if n == 1 else "s")
        if n > MAX_SPECIALISTS_PER_SUPERVISOR:
            failing.append(span)
        elif n == MAX_SPECIALISTS_PER_SUPERVISOR and person.supervises_ips_only is False:
            failing.append(f"{span} and has other duties")
        elif n == 0:
            unknown.append(span)
        elif person.supervises_ips_only is True:
            met.append(f"{span}, IPS only")
        elif person.supervises_ips_only is False:
            unknown.append(f"{span} and has other duties (how much is not recorded)")
        else:
            unknown.append(f"{span}; other duties not recorded")
    if failing:
        return False, "; ".join(failing)
    unsupervised = _unsupervised(entries)
    if unsupervised:
        n = len(unsupervised)
        unknown.append(f"no supervisor recorded for {n} specialist" + ("" if n == 1 else "s"))
    if unknown:
        return None, "; ".join(unknown)
    return True, "; ".join(met)


def _supervisor_role_note(entries: Sequence[RosterEntry]) -> tuple[str, int | None] | None:
    answer = _span_element(entries)
    if answer is None:
        return None
    met, figures = answer
    verdict = {True: "met", False: "not met", None: "not known"}[met]
    text = (
        f"Of the five things the item counts, the roster shows only the span of supervision "
        f"({verdict}: {figures}); the other four need the visit"
    )
    return text, (4 if met is False else None)


#: The notes on items the roster cannot rate, by item key.
NOTES: dict[str, Callable[[Sequence[RosterEntry]], tuple[str, int | None] | None]] = {
    "supervisor_role": _supervisor_role_note,
}


def roster_notes(
    slug: str,
    version: int,
    item_keys: Iterable[str],
    entries: Iterable[RosterEntry],
    *,
    as_of: datetime.date,
) -> dict[str, RosterNote]:
    """What the roster shows about the scale's items it cannot rate, by item key (only for
    the scale these rules were read from)."""
    if (slug, version) not in SCALES:
        return {}
    current = tuple(entries)
    notes = {}
    for key in item_keys:
        note = NOTES[key](current) if key in NOTES else None
        if note is not None:
            notes[key] = RosterNote(key, note[0], note[1], as_of)
    return notes

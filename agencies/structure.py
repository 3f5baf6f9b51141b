"""The IPS structure checks, computed from an agency's roster.

Pure functions of plain values: no database, no clock. A selector builds the
:class:`RosterEntry` values of the people currently on the program; the same functions can
then answer for a fidelity review (a suggested rating) from the figures it holds.

Each check has a stable ``code`` and answers met (True), not met (False) or "not enough data"
(None). A check never says met without the figures it needs: a rule broken by a known figure
is not met, whatever else is missing; otherwise a missing figure leaves it undecided.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

SUPERVISOR = "ips_supervisor"
SPECIALIST = "employment_specialist"

#: The standards, as the checks compare them.
MAX_CASELOAD_PER_FTE = 20
MAX_SPECIALISTS_PER_SUPERVISOR = 10
IPS_ONLY_FROM_SPECIALISTS = 5
MAX_SUPERVISOR_CASELOAD = 3
MIN_EMPLOYMENT_SERVICES_PERCENT = 96
MIN_COMMUNITY_PERCENT = 65
MAX_TEAMS = 2
MIN_REFERRALS_PERCENT = 90


@dataclass(frozen=True)
class RosterEntry:
    """One person currently on an agency's IPS program, as the checks see them."""

    id: object
    name: str
    role: str
    fte: Decimal | None = None
    caseload: int | None = None
    community_time_percent: int | None = None
    employment_services_only: bool | None = None
    employment_services_percent: int | None = None
    supervises_ips_only: bool | None = None
    supervisor_id: object | None = None
    team_count: int = 0
    referrals_from_teams_percent: int | None = None

    @property
    def is_specialist(self) -> bool:
        return self.role == SPECIALIST

    @property
    def is_supervisor(self) -> bool:
        return self.role == SUPERVISOR


@dataclass(frozen=True)
class CheckResult:
    """One structure check: its code, the standard in words, the agency's figure, the answer."""

    code: str
    standard: str
    value: str
    met: bool | None
    #: False where the standard has nothing to judge (no supervisor large enough for it):
    #: ``met`` is then True, since nothing breaks it, but nobody is told "met".
    applies: bool = True

    @property
    def status(self) -> str:
        if not self.applies:
            return "not_applicable"
        return {True: "met", False: "not_met", None: "no_data"}[self.met]

    @property
    def status_label(self) -> str:
        if not self.applies:
            return "Does not apply"
        return {True: "Met", False: "Not met", None: "Not enough data"}[self.met]


NO_SPECIALISTS = "No employment specialists on the roster"
NO_SUPERVISORS = "No IPS supervisor on the roster"


def _verdict(per_person: Iterable[bool | None]) -> bool | None:
    """Every person meets it: True; someone known not to: False; else None (also for none)."""
    answers = list(per_person)
    if not answers:
        return None
    if any(a is False for a in answers):
        return False
    if any(a is None for a in answers):
        return None
    return True


def _missing(entries: Sequence[RosterEntry], known: Callable[[RosterEntry], bool]) -> str:
    names = [e.name for e in entries if not known(e)]
    if not names:
        return ""
    return f"; not recorded for {_names(names)}"


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _number(value: Decimal | float) -> str:
    return f"{Decimal(value).quantize(Decimal('0.1'))}".rstrip("0").rstrip(".")


def caseload_per_fte(entry: RosterEntry) -> Decimal | None:
    """A person's caseload scaled to full time (caseload / FTE), or None when unknown."""
    if entry.caseload is None or not entry.fte:
        return None
    return Decimal(entry.caseload) / Decimal(entry.fte)


def check_caseload(entries: Sequence[RosterEntry]) -> CheckResult:
    """Each employment specialist's caseload is 20 or fewer per full-time post."""
    specialists = [e for e in entries if e.is_specialist]
    standard = f"{MAX_CASELOAD_PER_FTE} or fewer people per full-time employment specialist"
    code = "es_caseload"
    scaled = [(e, caseload_per_fte(e)) for e in specialists]
    met = _verdict(None if s is None else s <= MAX_CASELOAD_PER_FTE for _, s in scaled)
    known = [(e, s) for e, s in scaled if s is not None]
    if not specialists:
        return CheckResult(code, standard, NO_SPECIALISTS, None)
    if not known:
        return CheckResult(code, standard, "Caseloads not recorded", None)
    worst, figure = max(known, key=lambda pair: pair[1])
    value = f"Highest: {_number(figure)} per FTE ({worst.name})" + _missing(
        specialists, lambda e: caseload_per_fte(e) is not None
    )
    return CheckResult(code, standard, value, met)


def _supervised_counts(entries: Sequence[RosterEntry]) -> dict[object, int]:
    supervisors = {e.id: 0 for e in entries if e.is_supervisor}
    for e in entries:
        if e.is_specialist and e.supervisor_id in supervisors:
            supervisors[e.supervisor_id] += 1
    return supervisors


def _unsupervised(entries: Sequence[RosterEntry]) -> list[RosterEntry]:
    supervisors = {e.id for e in entries if e.is_supervisor}
    return [e for e in entries if e.is_specialist and e.supervisor_id not in supervisors]


def check_supervisor_ratio(entries: Sequence[RosterEntry]) -> CheckResult:
    """Each IPS supervisor supervises no more than 10 employment specialists."""
    code = "supervisor_ratio"
    standard = (
        f"A supervisor supervises no more than {MAX_SPECIALISTS_PER_SUPERVISOR} employment "
        "specialists"
    )
    counts = _supervised_counts(entries)
    if not counts:
        return CheckResult(code, standard, NO_SUPERVISORS, None)
    unsupervised = _unsupervised(entries)
    most = max(counts.values())
    if most > MAX_SPECIALISTS_PER_SUPERVISOR:
        met = False
    elif unsupervised or not any(e.is_specialist for e in entries):
        met = None
    else:
        met = True
    value = f"Most supervised by one supervisor: {most}"
    if unsupervised:
        value += f"; no supervisor recorded for {_names([e.name for e in unsupervised])}"
    return CheckResult(code, standard, value, met)


def check_supervisor_ips_only(entries: Sequence[RosterEntry]) -> CheckResult:
    """A supervisor of 5 or more employment specialists has no duties besides IPS."""
    code = "supervisor_ips_only"
    standard = (
        f"A supervisor of {IPS_ONLY_FROM_SPECIALISTS} or more employment specialists "
        "supervises IPS only"
    )
    counts = _supervised_counts(entries)
    if not counts:
        return CheckResult(code, standard, NO_SUPERVISORS, None)
    by_id = {e.id: e for e in entries}
    large = [by_id[pk] for pk, n in counts.items() if n >= IPS_ONLY_FROM_SPECIALISTS]
    if not large:
        if _unsupervised(entries):
            # One of them may yet bring a supervisor to five.
            return CheckResult(
                code, standard, "Not every specialist has a supervisor recorded", None
            )
        return CheckResult(
            code,
            standard,
            f"No supervisor has {IPS_ONLY_FROM_SPECIALISTS} or more employment specialists",
            True,
            applies=False,
        )
    met = _verdict(e.supervises_ips_only for e in large)
    others = [e.name for e in large if e.supervises_ips_only is False]
    unknown = [e.name for e in large if e.supervises_ips_only is None]
    if others:
        value = f"Other duties: {_names(others)}"
    elif unknown:
        value = f"Not recorded for {_names(unknown)}"
    else:
        value = f"IPS only: {_names([e.name for e in large])}"
    return CheckResult(code, standard, value, met)


def check_supervisor_caseload(entries: Sequence[RosterEntry]) -> CheckResult:
    """An IPS supervisor carries a caseload of 3 or fewer."""
    code = "supervisor_caseload"
    standard = f"A supervisor's own caseload is {MAX_SUPERVISOR_CASELOAD} or fewer"
    supervisors = [e for e in entries if e.is_supervisor]
    if not supervisors:
        return CheckResult(code, standard, NO_SUPERVISORS, None)
    met = _verdict(
        None if e.caseload is None else e.caseload <= MAX_SUPERVISOR_CASELOAD for e in supervisors
    )
    known = [e for e in supervisors if e.caseload is not None]
    if not known:
        return CheckResult(code, standard, "Caseloads not recorded", None)
    worst = max(known, key=lambda e: e.caseload)
    value = f"Highest: {worst.caseload} ({worst.name})" + _missing(
        supervisors, lambda e: e.caseload is not None
    )
    return CheckResult(code, standard, value, met)


def employment_services_only(entry: RosterEntry) -> bool | None:
    """Whether a person does employment services only: the yes/no where given, else their
    share of time on employment services (96% or more counts)."""
    if entry.employment_services_only is not None:
        return entry.employment_services_only
    if entry.employment_services_percent is not None:
        return entry.employment_services_percent >= MIN_EMPLOYMENT_SERVICES_PERCENT
    return None


def check_employment_services_only(entries: Sequence[RosterEntry]) -> CheckResult:
    """Employment specialists provide employment services only."""
    code = "es_employment_services_only"
    standard = (
        "Employment specialists provide employment services only "
        f"({MIN_EMPLOYMENT_SERVICES_PERCENT}% or more of their time)"
    )
    specialists = [e for e in entries if e.is_specialist]
    if not specialists:
        return CheckResult(code, standard, NO_SPECIALISTS, None)
    answers = [employment_services_only(e) for e in specialists]
    met = _verdict(answers)
    known = sum(1 for a in answers if a is not None)
    if not known:
        return CheckResult(code, standard, "Not recorded", None)
    only = sum(1 for a in answers if a)
    value = f"{only} of {known} employment services only" + _missing(
        specialists, lambda e: employment_services_only(e) is not None
    )
    return CheckResult(code, standard, value, met)


def check_community_time(entries: Sequence[RosterEntry]) -> CheckResult:
    """Each employment specialist spends 65% or more of their time in the community."""
    code = "es_community_time"
    standard = (
        f"Employment specialists spend {MIN_COMMUNITY_PERCENT}% or more of their time in the "
        "community"
    )
    specialists = [e for e in entries if e.is_specialist]
    if not specialists:
        return CheckResult(code, standard, NO_SPECIALISTS, None)
    met = _verdict(
        None
        if e.community_time_percent is None
        else e.community_time_percent >= MIN_COMMUNITY_PERCENT
        for e in specialists
    )
    known = [e for e in specialists if e.community_time_percent is not None]
    if not known:
        return CheckResult(code, standard, "Not recorded", None)
    lowest = min(known, key=lambda e: e.community_time_percent)
    value = f"Lowest: {lowest.community_time_percent}% ({lowest.name})" + _missing(
        specialists, lambda e: e.community_time_percent is not None
    )
    return CheckResult(code, standard, value, met)


def team_assignment_met(entry: RosterEntry) -> bool | None:
    """On 1-2 treatment teams with 90% or more of referrals from them; None when the teams or
    the share of referrals are not recorded (a known breach of either still answers False)."""
    teams = None if entry.team_count == 0 else entry.team_count <= MAX_TEAMS
    share = entry.referrals_from_teams_percent
    referrals = None if share is None else share >= MIN_REFERRALS_PERCENT
    if teams is False or referrals is False:
        return False
    if teams is None or referrals is None:
        return None
    return True


def check_team_assignment(entries: Sequence[RosterEntry]) -> CheckResult:
    """Each employment specialist is on one or two MH treatment teams, with 90% or more of
    their referrals from those teams."""
    code = "es_team_assignment"
    standard = (
        f"Each employment specialist is on 1-{MAX_TEAMS} mental health treatment teams, with "
        f"{MIN_REFERRALS_PERCENT}% or more of referrals from them"
    )
    specialists = [e for e in entries if e.is_specialist]
    if not specialists:
        return CheckResult(code, standard, NO_SPECIALISTS, None)
    answers = [(e, team_assignment_met(e)) for e in specialists]
    met = _verdict(a for _, a in answers)
    failing = [e.name for e, a in answers if a is False]
    unknown = [e.name for e, a in answers if a is None]
    if failing:
        value = f"Not met for {_names(failing)}"
    elif unknown:
        value = f"Teams or referrals not recorded for {_names(unknown)}"
    else:
        most = max(e.team_count for e in specialists)
        lowest = min(e.referrals_from_teams_percent for e in specialists)
        value = f"Up to {most} teams each; lowest share of referrals {lowest}%"
    return CheckResult(code, standard, value, met)


#: Every structure check, in the order the panel shows them.
CHECKS: tuple[Callable[[Sequence[RosterEntry]], CheckResult], ...] = (
    check_caseload,
    check_supervisor_ratio,
    check_supervisor_ips_only,
    check_supervisor_caseload,
    check_employment_services_only,
    check_community_time,
    check_team_assignment,
)


def structure_checks(entries: Iterable[RosterEntry]) -> list[CheckResult]:
    """Every structure check for the people currently on an agency's program."""
    current = tuple(entries)
    return [check(current) for check in CHECKS]

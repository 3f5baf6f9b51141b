"""The implementation phases of an agency as data: what each phase means and what the
agency works on in it (after the collaborative's phase checklist), and which moves between
phases are allowed. Pure data and functions: no database."""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models.tenancy import ImplementationPhase

P = ImplementationPhase


@dataclass(frozen=True)
class ChecklistGroup:
    """One heading of a phase's checklist and the points under it."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class PhaseInfo:
    """A phase: its code and label, a one-sentence description and its checklist."""

    phase: str
    label: str
    description: str
    checklist: tuple[ChecklistGroup, ...]


@dataclass(frozen=True)
class PhaseMove:
    """A phase an agency may move to from its current one; ``back`` when it is earlier."""

    to_phase: str
    label: str
    back: bool


_PHASES: dict[str, tuple[str, tuple[ChecklistGroup, ...]]] = {
    P.EXPLORING: (
        "The agency is weighing IPS; a readiness visit looks at whether leaders, staff and "
        "clients are ready to start.",
        (
            ChecklistGroup(
                "Leadership",
                (
                    "Leaders can say how IPS differs from other ways of helping people work.",
                    "Leaders know how many of their clients have jobs, and want more to.",
                    "Leaders have a part in the rollout, including training.",
                    "Revenue and start-up money for the program have been thought through.",
                ),
            ),
            ChecklistGroup(
                "Partners and teams",
                (
                    "The relationship with VR (vendor status, joint work) is described.",
                    "Mental health practitioners meet in teams every week.",
                    "Employment staff can sit close to the teams they serve.",
                ),
            ),
            ChecklistGroup(
                "Staff and clients",
                (
                    "Employment staff know about IPS and believe people can work.",
                    "The supervisor has time for IPS and for mentoring in the field.",
                    "Clients have been asked what they think of the new program.",
                ),
            ),
        ),
    ),
    P.PRE: (
        "The agency has decided to start IPS and prepares: a team, funding, a link to the "
        "state and the first training.",
        (
            ChecklistGroup(
                "Implementation team",
                (
                    "Agency leaders and members of the IPS team.",
                    "VR, the state IPS team and the mental health employment liaison.",
                    "The leader of each treatment team to be served.",
                    "A client or family member.",
                ),
            ),
            ChecklistGroup(
                "Funding",
                (
                    "VR vendor status (it may need CARF accreditation).",
                    "State or county mental health money.",
                    "Medicaid for medically necessary services tied to work.",
                    "Grants.",
                ),
            ),
            ChecklistGroup(
                "State and training",
                (
                    "State IPS leadership knows of the agency's interest in joining the "
                    "collaborative.",
                    "Training and technical assistance are arranged with the state trainers "
                    "(and the online courses for practitioners and supervisors).",
                ),
            ),
            ChecklistGroup(
                "Steering committee",
                (
                    "A mix of stakeholders is invited: clients or families, the IPS "
                    "supervisor, the clinical director, VR, a senior agency leader, the "
                    "state team.",
                    "It meets at least every quarter while implementing.",
                ),
            ),
        ),
    ),
    P.EARLY: (
        "The IPS team is in place and starts working the IPS way, closely with the treatment "
        "teams and VR.",
        (
            ChecklistGroup(
                "IPS supervisor",
                (
                    "Full time, for at most ten employment specialists (IPS only above five).",
                    "Holds weekly group supervision on goals, employers and successes.",
                    "Goes out with specialists to meet employers every month.",
                    "Follows the monthly and quarterly outcomes and sets goals with the team.",
                ),
            ),
            ChecklistGroup(
                "Employment specialists",
                (
                    "Caseloads of 20 or fewer, employment services only, job development included.",
                    "At least 65% of their time out in the community.",
                    "The team reflects the cultures of the people served; lived experience "
                    "is welcome.",
                ),
            ),
            ChecklistGroup(
                "Mental health teams",
                (
                    "Each specialist serves one or two teams and gets most referrals from them.",
                    "Specialists share office space and attend the teams' weekly meetings.",
                    "Mental health and employment notes are in one client record.",
                ),
            ),
            ChecklistGroup(
                "VR and benefits",
                (
                    "VR counselors know the IPS principles, speed up eligibility and meet the "
                    "specialists monthly.",
                    "Clients can get benefits planning (SSI, SSDI, TANF, housing, Medicaid "
                    "and Medicare) from trained, up-to-date planners.",
                ),
            ),
        ),
    ),
    P.MID: (
        "The pieces work together: people are finding jobs and the first fidelity review is "
        "on the calendar.",
        (
            ChecklistGroup(
                "Working together",
                (
                    "People are helped into jobs and supported once they work.",
                    "Specialists build relationships with employers.",
                    "The partnership with VR and the place on the treatment teams are established.",
                    "Benefits planning is offered.",
                    "The steering committee is active.",
                    "The agency hears, across its programs, why work matters to recovery.",
                    "The baseline fidelity review is scheduled.",
                ),
            ),
        ),
    ),
    P.SUSTAINING: (
        "The program runs well and the work is keeping it going for the long term.",
        (
            ChecklistGroup(
                "Keeping it going",
                (
                    "Several funding sources (VR, Medicaid, grants, local money, donations).",
                    "A culture of employment: work is seen as part of recovery.",
                    "Support from senior leaders, all the way down.",
                    "Experienced staff, with few employment specialists leaving.",
                    "Active in the collaborative and the international learning community.",
                ),
            ),
        ),
    ),
}

#: The phases in their order, earliest first.
ORDER: tuple[str, ...] = tuple(ImplementationPhase.values)


def phase_info(phase: str) -> PhaseInfo:
    """The description and checklist of ``phase`` (a value of ImplementationPhase)."""
    description, checklist = _PHASES[phase]
    return PhaseInfo(phase, ImplementationPhase(phase).label, description, checklist)


def all_phases() -> list[PhaseInfo]:
    """Every phase in order, earliest first."""
    return [phase_info(p) for p in ORDER]


def is_move_back(from_phase: str, to_phase: str) -> bool:
    """Whether going from ``from_phase`` to ``to_phase`` returns to an earlier phase."""
    return ORDER.index(to_phase) < ORDER.index(from_phase)


def allowed_moves(from_phase: str) -> list[PhaseMove]:
    """The phases an agency in ``from_phase`` may move to: every other phase, in order.
    Going back is allowed (a program may lose its footing), and each move says if it is."""
    return [
        PhaseMove(p, ImplementationPhase(p).label, is_move_back(from_phase, p))
        for p in ORDER
        if p != from_phase
    ]


def move_problems(from_phase: str, to_phase: str) -> dict[str, str]:
    """What is wrong with moving from ``from_phase`` to ``to_phase``, by field name (empty
    when the move is allowed)."""
    problems: dict[str, str] = {}
    if from_phase not in ORDER:
        problems["from_phase"] = "Give the phase the agency is in now."
    if to_phase not in ORDER:
        problems["to_phase"] = "Choose one of the implementation phases."
    elif to_phase == from_phase:
        label = ImplementationPhase(to_phase).label
        problems["to_phase"] = f"The agency is already in {label}: choose another phase."
    return problems


def move_label(from_phase: str, to_phase: str) -> str:
    """The move in words, e.g. "Early implementation to Mid-implementation", with
    "(back)" when it returns to an earlier phase."""
    words = f"{ImplementationPhase(from_phase).label} to {ImplementationPhase(to_phase).label}"
    return f"{words} (back)" if is_move_back(from_phase, to_phase) else words

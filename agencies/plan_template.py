"""The standard implementation plan a new plan starts from: each area with its usual action
steps, in short wording. Steps are only a starting point: they can be edited, marked not
applicable or removed."""

from agencies.models.plans import ImplementationArea as A

PLAN_TEMPLATE: list[tuple[str, list[str]]] = [
    (
        A.FUNDING,
        [
            "Look into VR funding: what the state VR agency needs for the program to become "
            "a provider (an accreditation may be needed).",
            "Look into state or county mental health funding.",
            "Check which employment-related services Medicaid can pay for in the state.",
            "Look for grants.",
            "Name a source of funding for each step of the employment process.",
        ],
    ),
    (
        A.SUPERVISION,
        [
            "One full-time supervisor for at most 10 IPS team members.",
            "A supervisor of 5 or more people supervises IPS only.",
            "The supervisor carries a small caseload at most (2-3 people).",
            "Hold weekly group supervision on client goals, employers and successes.",
            "The supervisor goes with each employment specialist to meet employers monthly.",
            "Review the team's and each specialist's outcomes quarterly and set goals.",
        ],
    ),
    (
        A.ES_POSITIONS,
        [
            "Keep caseloads at 20 or fewer.",
            "Each specialist provides the whole range of employment services, job "
            "development included.",
            "Employment specialists provide employment services only.",
            "Specialists spend at least 65% of their hours in the community.",
            "The team reflects, or learns about, the cultures of the people it serves.",
            "Consider people with lived experience as specialists or peers.",
        ],
    ),
    (
        A.TRAINING,
        [
            "Train the IPS team, VR counselors and MH practitioners in the IPS principles.",
            "Train the IPS team on building employer relationships (invite VR).",
            "Train the IPS team on choices about disclosing a disability at work.",
            "Train the IPS team in active listening.",
            "Train MH practitioners in helping people think about work.",
            "Train the IPS team on job supports (invite VR).",
            "Give an IPS overview to family and client advocacy groups.",
            "Plan further training with the state trainers.",
        ],
    ),
    (
        A.MH_INTEGRATION,
        [
            "Assign each specialist to 1-2 MH teams that send 90% or more of their referrals.",
            "Give specialists office space alongside the MH practitioners.",
            "Specialists attend the whole weekly meeting of each of their MH teams.",
            "Keep mental health and employment documents in one client record.",
        ],
    ),
    (
        A.VR_COLLABORATION,
        [
            "VR counselors learn the IPS principles, speed up eligibility where they can and "
            "exclude almost no one.",
            "VR counselors meet the IPS team at least monthly.",
            "Invite VR counselors to some MH team meetings.",
            "Ask the VR supervisor to assign 1-2 counselors to the IPS program.",
        ],
    ),
    (
        A.STEERING_COMMITTEE,
        [
            "Form a steering committee of families, clients, the IPS supervisor, the "
            "clinical director, VR and a senior agency leader (both agencies when two "
            "work together).",
            "Meet at least quarterly during implementation, twice a year once fidelity is good.",
            "Find ways for everyone eligible to hear about the IPS program.",
        ],
    ),
    (
        A.FIDELITY,
        [
            "Arrange a baseline fidelity review at 6 months, then every 6 months until "
            "fidelity is good, then yearly.",
            "Use trained reviewers from outside the agency, or train the inside reviewer.",
            "Write a fidelity action plan after each fidelity report.",
            "Build the fidelity review into the agency's quality assurance.",
        ],
    ),
    (
        A.BENEFITS,
        [
            "Find benefits planning for clients: how work affects benefits and subsidies.",
            "Make sure benefits planners are well trained and kept up to date.",
        ],
    ),
]

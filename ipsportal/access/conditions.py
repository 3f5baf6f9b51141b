"""What each grant of the matrix means, per model: the row conditions, declared once.

A grant other than ALWAYS narrows an action to some rows. What "final only" means depends
on the kind of object (a readiness visit's status, later a fidelity review's), so each model
that an action is about declares here:

- how its rows reach an agency (``agency``: the lookup to the agency, ``"pk"`` for the
  agency itself, a many-to-many for people who cover several agencies, or ``None`` for rows
  of the whole collaborative);
- the condition of each grant it supports (a ``Q``, or a function of the user giving one);
- which of its rows are *published* inside the agency: a row that is not (a draft visit)
  is outside the scope of anyone whose grants do not reach it, so they get 404; a published
  row they may not read gets 403.

:func:`ipsportal.access.scope.permitted` builds every "rows of this model the user may
<action>" query from these declarations; a model/grant pair without a declaration is an
error (:func:`undeclared_conditions`, run as a system check at start-up and in the tests),
never a silent yes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q

from agencies.models import Role
from ipsportal.access.matrix import ACTION_OBJECTS, PERMISSIONS, Action, Grant

if TYPE_CHECKING:
    from ipsportal.models import User

Condition = Q | Callable[["User"], Q]


@dataclass(frozen=True)
class Subject:
    """How the access rules see the rows of one model."""

    label: str
    #: The lookup from a row to its agency; "pk" for Agency; None: the whole collaborative.
    agency: str | None
    conditions: Mapping[Grant, Condition] = field(default_factory=dict)
    #: Rows visible inside the agency's scope (others are 404 to those who cannot read them).
    published: Condition = field(default_factory=Q)
    #: True when ``agency`` is a many-to-many (one row may cover several agencies).
    many: bool = False

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)

    def condition(self, grant: Grant, user: User) -> Q:
        """The row condition of ``grant`` for this user (everything for ALWAYS)."""
        if grant == Grant.ALWAYS:
            return Q()
        try:
            found = self.conditions[grant]
        except KeyError:
            raise ImproperlyConfigured(
                f"{self.label} declares no condition for the grant {grant.value!r}"
            ) from None
        return found(user) if callable(found) else found

    def published_rows(self, user: User) -> Q:
        """The condition of the rows that exist for everyone of the agency."""
        return self.published(user) if callable(self.published) else self.published


_AGENCY_ROLES = sorted(Role.agency_roles())


def _final_visit(user: User) -> Q:
    from readiness.models import VisitStatus

    return Q(status=VisitStatus.FINAL)


def _final_review(user: User) -> Q:
    from fidelity.models import ReviewStatus

    return Q(status=ReviewStatus.FINAL)


def _of_final_review(user: User) -> Q:
    from fidelity.models import ReviewStatus

    return Q(review__status=ReviewStatus.FINAL)


def _reviews_of(user: User):
    from fidelity.models import ReviewReviewer

    return ReviewReviewer.objects.filter(user=user).values("review_id")


def _reviewer_of(user: User) -> Q:
    return Q(pk__in=_reviews_of(user))


def _submitted_ratings(user: User) -> Q:
    from fidelity.models import SUBMITTED_STATUSES

    return Q(review__status__in=SUBMITTED_STATUSES)


def _own_or_submitted_ratings(user: User) -> Q:
    """A reviewer reads their own ratings at any time, and their fellow reviewers' of the
    same review once every reviewer has submitted: never before."""
    return Q(reviewer__user=user) | (_submitted_ratings(user) & Q(review_id__in=_reviews_of(user)))


#: Every model the access rules answer for, with what its grants mean.
SUBJECTS: dict[str, Subject] = {
    s.label: s
    for s in (
        Subject("agencies.Agency", agency="pk"),
        Subject("agencies.Region", agency=None),
        Subject("agencies.ImplementationPlan", agency="agency"),
        Subject("agencies.ImplementationStep", agency="agency"),
        Subject("agencies.StaffMember", agency="agency"),
        Subject("agencies.TreatmentTeam", agency="agency"),
        Subject("agencies.VRCounselor", agency="agency"),
        Subject("agencies.PhaseChange", agency="agency"),
        Subject("agencies.TAAgreement", agency="agency"),
        Subject("agencies.TASignature", agency="agency"),
        Subject("agencies.TAActivity", agency="agency"),
        Subject("agencies.SteeringCommittee", agency="agency"),
        Subject("agencies.SteeringMember", agency="agency"),
        Subject("agencies.SteeringMeeting", agency="agency"),
        Subject("agencies.SteeringActionItem", agency="agency"),
        Subject(
            "agencies.Membership",
            agency="agencies",
            many=True,
            conditions={Grant.AGENCY_STAFF_ONLY: Q(role__in=_AGENCY_ROLES)},
        ),
        Subject(
            "agencies.Invitation",
            agency="agencies",
            many=True,
            conditions={Grant.AGENCY_STAFF_ONLY: Q(role__in=_AGENCY_ROLES)},
        ),
        Subject(
            "readiness.ReadinessVisit",
            agency="agency",
            conditions={Grant.FINAL_ONLY: _final_visit},
            published=_final_visit,
        ),
        Subject(
            "fidelity.FidelityReview",
            agency="agency",
            conditions={
                Grant.FINAL_ONLY: _final_review,
                Grant.IF_ASSIGNED_REVIEWER: _reviewer_of,
            },
            published=_final_review,
        ),
        Subject(
            "fidelity.ReviewReviewer",
            agency="agency",
            conditions={Grant.FINAL_ONLY: _of_final_review},
            published=_of_final_review,
        ),
        Subject(
            "fidelity.ConsensusRating",
            agency="agency",
            conditions={Grant.FINAL_ONLY: _of_final_review},
            published=_of_final_review,
        ),
        # Someone else's own ratings are never "published": outside the condition they are
        # missing (404), so nobody learns that a colleague has rated an item.
        Subject(
            "fidelity.ReviewerRating",
            agency="agency",
            conditions={
                Grant.SUBMITTED_ONLY: _submitted_ratings,
                Grant.IF_ASSIGNED_REVIEWER: _own_or_submitted_ratings,
            },
            published=Q(pk__in=[]),
        ),
        Subject("notifications.Delivery", agency=None),
    )
}


def subject_of(model: type[Model] | str) -> Subject:
    """The declaration of a model; an undeclared model is a programming error."""
    label = model if isinstance(model, str) else model._meta.label
    try:
        return SUBJECTS[label]
    except KeyError:
        raise ImproperlyConfigured(
            f"{label} is not declared in ipsportal.access.conditions.SUBJECTS"
        ) from None


def undeclared_conditions(
    permissions: Mapping[Action, Mapping[Role, Grant]] = PERMISSIONS,
    objects: Mapping[Action, tuple[str, ...]] = ACTION_OBJECTS,
    subjects: Mapping[str, Subject] = SUBJECTS,
) -> list[str]:
    """Every (action, model, grant) where some role holds the grant and the model declares
    no condition for it; and every action or model the declarations leave out. Empty when
    the matrix and the conditions agree."""
    problems = []
    for action in permissions:
        if action not in objects:
            problems.append(f"{action.value}: no kind of object is declared for it")
    for action, labels in objects.items():
        held = set(permissions.get(action, {}).values()) - {Grant.ALWAYS}
        for label in labels:
            subject = subjects.get(label)
            if subject is None:
                problems.append(f"{action.value}: {label} is not declared as a subject")
                continue
            for grant in sorted(held - set(subject.conditions)):
                problems.append(
                    f"{action.value} on {label}: some role holds {grant.value!r} but "
                    f"{label} declares no condition for it"
                )
    return problems


def check_access_conditions(app_configs=None, **kwargs) -> list:
    """Django system check: the matrix's conditional grants are all declared per model."""
    from django.core.checks import Error

    return [
        Error(problem, id="ipsportal.E001", hint="Declare it in ipsportal/access/conditions.py")
        for problem in undeclared_conditions()
    ]

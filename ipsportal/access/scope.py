"""Memberships and scope: which agencies a user reaches, through which roles, with which
rights; and the one generic builder of "rows of this model the user may <action>"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import Http404

from agencies.models import Agency, Collaborative, Membership, MembershipAgency, Role
from ipsportal.access.conditions import Subject, subject_of
from ipsportal.access.matrix import ACTION_OBJECTS, PERMISSIONS, Action, Grant

if TYPE_CHECKING:
    from ipsportal.models import User


@dataclass(frozen=True)
class MembershipView:
    """A membership as the access rules need it, loaded once per request."""

    collaborative_id: object
    role: Role
    agency_ids: frozenset

    def covers(self, agency: Agency) -> bool:
        if agency.collaborative_id != self.collaborative_id:
            return False
        return self.role == Role.STATE_ADMIN or agency.pk in self.agency_ids


def memberships_of(user: User) -> list[MembershipView]:
    """The user's active memberships with the agencies each covers (cached on the user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_ips_memberships", None)
    if cached is not None:
        return cached
    rows = Membership.objects.filter(user=user, is_active=True).values_list(
        "pk", "collaborative_id", "role"
    )
    links: dict[object, set] = {}
    for membership_id, agency_id in _links([pk for pk, _, _ in rows]):
        links.setdefault(membership_id, set()).add(agency_id)
    result = [
        MembershipView(collab_id, Role(role), frozenset(links.get(pk, ())))
        for pk, collab_id, role in rows
    ]
    user._ips_memberships = result
    return result


def _links(membership_ids: list) -> Iterable[tuple]:
    # A link only counts inside the membership's own collaborative.
    return (
        MembershipAgency.objects.filter(membership_id__in=membership_ids)
        .filter(
            membership__collaborative_id=F("collaborative_id"),
            agency__collaborative_id=F("collaborative_id"),
        )
        .values_list("membership_id", "agency_id")
    )


def forget_memberships(user: User) -> None:
    """Drop the per-request cache after memberships change."""
    if hasattr(user, "_ips_memberships"):
        del user._ips_memberships


def collaboratives_of(user: User) -> QuerySet[Collaborative]:
    """The collaboratives the user belongs to."""
    # A deactivated person belongs nowhere, as in agencies_in_scope (a worker may still act
    # for them, e.g. rendering a report they requested before).
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Collaborative.objects.none()
    return Collaborative.objects.filter(
        memberships__user=user, memberships__is_active=True
    ).distinct()


def agencies_with_roles(
    user: User, roles: Iterable[Role], collaborative: Collaborative | None = None
) -> QuerySet[Agency]:
    """Agencies in the user's scope that the user reaches through one of ``roles``.

    The same rules as :func:`agencies_in_scope` (a state admin covers the whole
    collaborative, other roles their linked agencies, links count only inside their own
    collaborative), narrowed to the given roles; one query.
    """
    roles = set(roles)
    if not roles or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Agency.objects.none()
    admin = Membership.objects.filter(
        user=user,
        is_active=True,
        role=Role.STATE_ADMIN,
        collaborative_id=OuterRef("collaborative_id"),
    )
    assigned = MembershipAgency.objects.filter(
        agency_id=OuterRef("pk"),
        collaborative_id=OuterRef("collaborative_id"),
        membership__user=user,
        membership__is_active=True,
        membership__role__in=roles,
        membership__collaborative_id=OuterRef("collaborative_id"),
    )
    condition = Exists(assigned)
    if Role.STATE_ADMIN in roles:
        condition = condition | Exists(admin)
    qs = Agency.objects.filter(condition)
    if collaborative is not None:
        qs = qs.filter(collaborative=collaborative)
    return qs


def agencies_in_scope(user: User, collaborative: Collaborative | None = None) -> QuerySet[Agency]:
    """Agencies the user may see: all of a collaborative for state admins, the assigned ones
    for trainers, reviewers and VR liaisons, their own for agency staff.

    The scope is inside the query (``EXISTS`` on the memberships), so it composes with any
    further filter and costs one query.
    """
    return agencies_with_roles(user, Role, collaborative)


def roles_for(user: User, agency: Agency) -> set[Role]:
    """The roles through which the user reaches this agency."""
    return {m.role for m in memberships_of(user) if m.covers(agency)}


def roles_in(user: User, collaborative: Collaborative) -> set[Role]:
    """The roles the user holds in a collaborative."""
    return {m.role for m in memberships_of(user) if m.collaborative_id == collaborative.pk}


def grants(
    user: User,
    action: Action,
    agency: Agency | None = None,
    collaborative: Collaborative | None = None,
) -> set[Grant]:
    """How the user holds an action on an agency (or, for collaborative-wide actions, in a
    collaborative). An empty set means no right; a conditional grant says "some rows"."""
    table = PERMISSIONS[action]
    if agency is not None:
        roles = roles_for(user, agency)
    elif collaborative is not None:
        roles = roles_in(user, collaborative)
    else:
        raise ValueError("grants() needs an agency or a collaborative")
    return {table[r] for r in roles if r in table}


def holds(
    user: User,
    action: Action,
    agency: Agency | None = None,
    collaborative: Collaborative | None = None,
) -> bool:
    """True when the user holds the action there in any form, conditional ones included:
    some rows may be theirs. For opening a page that lists rows, which then come from
    :func:`rows`; never for deciding about one object (use ``can(..., obj=...)``)."""
    return bool(grants(user, action, agency=agency, collaborative=collaborative))


def can(
    user: User,
    action: Action,
    agency: Agency | None = None,
    collaborative: Collaborative | None = None,
    *,
    obj: Model | None = None,
) -> bool:
    """May the user do ``action``?

    With ``obj``, about that object: one ``EXISTS`` query with the same conditions as
    :func:`rows`. Without it, only an unconditional grant answers yes: a conditional one
    ("final only", "if assigned reviewer", ...) depends on the object, so it is refused here
    and no caller can pass an unassigned reviewer by accident.
    """
    if obj is not None:
        return rows(user, action, type(obj)).filter(pk=obj.pk).exists()
    return Grant.ALWAYS in grants(user, action, agency=agency, collaborative=collaborative)


def require(
    user: User,
    action: Action,
    agency: Agency | None = None,
    collaborative: Collaborative | None = None,
    *,
    obj: Model | None = None,
) -> None:
    """Like :func:`can`, but raise 403 (with the refusal in words) when the answer is no."""
    if not can(user, action, agency=agency, collaborative=collaborative, obj=obj):
        raise PermissionDenied(action.refusal())


# --------------------------------------------------------------------------------------------
# Rows of a model the user may <action>
# --------------------------------------------------------------------------------------------

#: A condition no row meets (Django leaves it out of an OR and answers without a query).
NOTHING = Q(pk__in=[])


def _active_memberships(user: User, roles: Iterable[Role]):
    return Membership.objects.filter(user=user, is_active=True, role__in=sorted(roles))


def _reach(
    user: User, subject: Subject, roles: set[Role], collaborative: Collaborative | None
) -> Q:
    """Rows of ``subject`` in the agencies (or collaboratives) that ``roles`` of the user
    reach. The memberships are a subquery, so the scope is inside the query."""
    if subject.agency is None:
        collaboratives = _active_memberships(user, roles).values("collaborative_id")
        return Q(collaborative_id__in=collaboratives)
    reach = NOTHING
    if Role.STATE_ADMIN in roles:
        # A state admin covers the whole collaborative, rows of no agency included (the
        # memberships of other state staff, for example).
        admin = _active_memberships(user, [Role.STATE_ADMIN]).values("collaborative_id")
        reach |= Q(collaborative_id__in=admin)
    assigned = roles - {Role.STATE_ADMIN}
    if assigned:
        agencies = agencies_with_roles(user, assigned, collaborative)
        if subject.agency == "pk":
            reach |= Q(pk__in=agencies)
        elif subject.many:
            # One row may cover several agencies: ask by key, so no row comes twice.
            keys = subject.model._default_manager.filter(
                **{f"{subject.agency}__in": agencies}
            ).values("pk")
            reach |= Q(pk__in=keys)
        else:
            reach |= Q(**{f"{subject.agency}__in": agencies})
    return reach


def _held_by_grant(
    user: User, action: Action, collaborative: Collaborative | None
) -> dict[Grant, set[Role]]:
    table = PERMISSIONS[action]
    if collaborative is None:
        held = {m.role for m in memberships_of(user)}
    else:
        held = roles_in(user, collaborative)
    found: dict[Grant, set[Role]] = {}
    for role in held:
        if role in table:
            found.setdefault(table[role], set()).add(role)
    return found


def permitted(
    user: User, action: Action, model: type[Model], collaborative: Collaborative | None = None
) -> Q:
    """The condition of the rows of ``model`` the user may ``action``: the OR over the
    user's roles of (the agencies that role reaches AND that role's grant's condition for
    this model). NOTHING when no role of the user holds the action.

    ``model`` must be a kind of object the action is about (``ACTION_OBJECTS``), and every
    conditional grant of the action must be declared for it; otherwise this raises rather
    than answer yes.
    """
    subject = subject_of(model)
    if subject.label not in ACTION_OBJECTS.get(action, ()):
        raise ImproperlyConfigured(
            f"{action.value} is not about {subject.label} (see ACTION_OBJECTS)"
        )
    condition = NOTHING
    for grant, roles in sorted(_held_by_grant(user, action, collaborative).items()):
        condition |= _reach(user, subject, roles, collaborative) & subject.condition(grant, user)
    if collaborative is not None:
        condition &= Q(collaborative_id=collaborative.pk)
    return condition


def rows(
    user: User, action: Action, model: type[Model], collaborative: Collaborative | None = None
) -> QuerySet:
    """The rows of ``model`` the user may ``action`` (optionally in one collaborative), as
    one query with the scope and the conditions inside it."""
    return model._default_manager.filter(permitted(user, action, model, collaborative))


def may(user: User, action: Action, model: type[Model]) -> ExpressionWrapper:
    """An annotation that is true on the rows the user may ``action``: fetch an object and
    what the user may do with it in one query."""
    return ExpressionWrapper(permitted(user, action, model), output_field=BooleanField())


def refuse(user: User, action: Action, model: type[Model], pk) -> None:
    """Raise the right refusal for a row the user may not ``action``: 403 when the row is
    published inside an agency the user reaches (it exists for them; they lack the right),
    else 404 (missing, or outside their scope, like a draft for a final-only reader)."""
    subject = subject_of(model)
    roles = {m.role for m in memberships_of(user)}
    if roles:
        visible = model._default_manager.filter(
            _reach(user, subject, roles, None) & subject.published_rows(user), pk=pk
        )
        if visible.exists():
            raise PermissionDenied(action.refusal())
    raise Http404(f"No such {model._meta.verbose_name}.")

"""The permission matrix and the access helpers of ``ipsportal.access``.

The expected matrix below is written from DESIGN.md's table, not copied from the code, and
the code's :data:`~ipsportal.access.PERMISSIONS` must equal it exactly. Then each role's
behaviour is checked with a real user: inside the scope (``tenant.agency``), outside it
(``tenant.other_agency`` for assigned and agency roles) and in another collaborative.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from agencies.models import Membership, MembershipAgency, Role
from ipsportal import access
from ipsportal.access import COLLABORATIVE_ACTIONS, PERMISSIONS, Action, Grant
from ipsportal.models import User
from tests.factories import grant, make_agency, make_user

R, A, G = Role, Action, Grant
ROLES = (
    R.STATE_ADMIN,
    R.STATE_TRAINER,
    R.FIDELITY_REVIEWER,
    R.VR_LIAISON,
    R.IPS_SUPERVISOR,
    R.AGENCY_LEADER,
    R.EMPLOYMENT_SPECIALIST,
)
Y = G.ALWAYS
FINAL = G.FINAL_ONLY
APPROVED = G.APPROVED_ONLY
IF_REVIEWER = G.IF_ASSIGNED_REVIEWER
SUBMITTED = G.SUBMITTED_ONLY
OWN = G.OWN_RECORDS
STAFF = G.AGENCY_STAFF_ONLY
NO = None

# fmt: off
#: DESIGN.md's matrix, split per kind of object. Where the table is silent, the cell
#: follows DOMAIN.md and says so.
EXPECTED: dict[Action, tuple] = {
    #                    admin  trainer      reviewer     VR        superv. leader  ES
    # "view agency, plans, ..."; ES: own agency (the scope sees to it). VR liaisons see the
    # agency itself: "approved data only" is about outcome reports (OUTCOMES_VIEW).
    A.AGENCY_VIEW:       (Y,    Y,           Y,           Y,        Y,      Y,      Y),
    # "edit agency profile, roster, plan, steering committee"
    A.AGENCY_EDIT:       (Y,    Y,           NO,          NO,       Y,      NO,     NO),
    # Not in the table: creating agencies and keeping the regions list is state-side work
    # (DOMAIN.md: admins run the collaborative, trainers do the agencies' set-up with them).
    A.AGENCY_CREATE:     (Y,    Y,           NO,          NO,       NO,     NO,     NO),
    # "export PDF/CSV" row, for the agency summary
    A.AGENCY_EXPORT:     (Y,    Y,           Y,           Y,        Y,      Y,      NO),
    A.REGION_MANAGE:     (Y,    Y,           NO,          NO,       NO,     NO,     NO),
    A.PLAN_VIEW:         (Y,    Y,           Y,           Y,        Y,      Y,      Y),
    A.PLAN_EDIT:         (Y,    Y,           NO,          NO,       Y,      NO,     NO),
    # "edit ... roster" row; reading it is the "view agency" row (ES: their own agency)
    A.ROSTER_VIEW:       (Y,    Y,           Y,           Y,        Y,      Y,      Y),
    A.ROSTER_EDIT:       (Y,    Y,           NO,          NO,       Y,      NO,     NO),
    # "edit ... steering committee"; reading it follows the plan's row
    A.STEERING_VIEW:     (Y,    Y,           Y,           Y,        Y,      Y,      Y),
    A.STEERING_EDIT:     (Y,    Y,           NO,          NO,       Y,      NO,     NO),
    # The agreement is read like the plan and kept by the plan's editors. Its three lines
    # are signed by agency leaders (the executive director), state admins (the state MH
    # representative; any line on someone's behalf) and VR liaisons (the VR representative).
    A.AGREEMENT_VIEW:    (Y,    Y,           Y,           Y,        Y,      Y,      Y),
    A.AGREEMENT_EDIT:    (Y,    Y,           NO,          NO,       Y,      NO,     NO),
    A.AGREEMENT_SIGN:    (Y,    NO,          NO,          Y,        NO,     Y,      NO),
    # The TA log is the trainer's (DOMAIN.md: "state trainer: technical assistance"); the
    # agency and its partners read it.
    A.TA_ACTIVITY_VIEW:  (Y,    Y,           Y,           Y,        Y,      Y,      Y),
    A.TA_ACTIVITY_WRITE: (Y,    Y,           NO,          NO,       NO,     NO,     NO),
    # "readiness visits: write" row; supervisors and leaders "read final"; reading is not in
    # the table for reviewers (state staff preparing reviews: all) and VR liaisons (VR gets a
    # copy of the final report: final only); ES: nothing.
    A.READINESS_VIEW:    (Y,    Y,           Y,           FINAL,    FINAL,  FINAL,  NO),
    A.READINESS_WRITE:   (Y,    Y,           NO,          NO,       NO,     NO,     NO),
    # "export PDF/CSV" for readiness data: what each role reads of it
    A.READINESS_EXPORT:  (Y,    Y,           Y,           FINAL,    FINAL,  FINAL,  NO),
    # final reviews are in the "view" row for everyone; VR and supervisors "read final"
    A.FIDELITY_VIEW:     (Y,    Y,           Y,           FINAL,    FINAL,  FINAL,  FINAL),
    # "fidelity review: score, reconcile, finalize"
    A.FIDELITY_SCORE:    (Y,    IF_REVIEWER, IF_REVIEWER, NO,       NO,     NO,     NO),
    # Independent scoring: a reviewer's own ratings are hidden from everyone else until
    # every reviewer has submitted; then the other reviewers and the admins read them.
    A.FIDELITY_RATINGS_VIEW: (SUBMITTED, IF_REVIEWER, IF_REVIEWER, NO, NO,  NO,     NO),
    A.ACTION_PLAN_EDIT:  (Y,    Y,           NO,          NO,       Y,      Y,      NO),
    # "view ... outcomes": VR liaisons approved data only
    A.OUTCOMES_VIEW:     (Y,    Y,           Y,           APPROVED, Y,      Y,      Y),
    A.OUTCOMES_ENTER:    (NO,   NO,          NO,          NO,       Y,      NO,     NO),
    A.OUTCOMES_APPROVE:  (Y,    Y,           NO,          NO,       NO,     NO,     NO),
    A.BILLING_WRITE:     (NO,   NO,          NO,          NO,       Y,      NO,     OWN),
    A.USERS_MANAGE:      (Y,    NO,          NO,          NO,       STAFF,  NO,     NO),
    # The outbox page: "a page for state admins" (the platform issue)
    A.DELIVERIES_VIEW:   (Y,    NO,          NO,          NO,       NO,     NO,     NO),
}
# fmt: on


def expected(action: Action, role: Role) -> set[Grant]:
    cell = EXPECTED[action][ROLES.index(role)]
    return set() if cell is None else {cell}


def fresh(user: User) -> User:
    """The user as a new request would load it (no cached memberships)."""
    return User.objects.get(pk=user.pk)


def ids(qs) -> set:
    return set(qs.values_list("pk", flat=True))


# -- the matrix -------------------------------------------------------------------------------


def test_it_writes_a_cell_for_every_action_and_role():
    assert set(EXPECTED) == set(Action)
    assert set(ROLES) == set(Role)
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


def test_it_holds_the_permission_matrix_of_the_design():
    wanted = {
        action: {role: cell for role, cell in zip(ROLES, row, strict=True) if cell is not None}
        for action, row in EXPECTED.items()
    }
    assert wanted == PERMISSIONS


def test_it_treats_only_agency_creation_regions_and_the_outbox_as_collaborative_wide():
    assert {A.AGENCY_CREATE, A.REGION_MANAGE, A.DELIVERIES_VIEW} == COLLABORATIVE_ACTIONS


# -- every (role, action) with a real user ---------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_it_answers_every_action_as_the_matrix_says(role, tenant, other_tenant):
    # grants() tells the cell; can() and require() without an object say yes only to an
    # unconditional grant: a conditional one depends on the object.
    user = fresh(tenant.user(role))
    wrong = []
    for action in Action:
        want = expected(action, role)
        unconditional = want == {Y}
        if action in COLLABORATIVE_ACTIONS:
            got = access.grants(user, action, collaborative=tenant.collaborative)
            if got != want:
                wrong.append(f"{action} in the collaborative: {got} != {want}")
            try:
                found = access.access_collaborative(user, tenant.collaborative.pk, action=action)
            except PermissionDenied:
                found = None
            if (found == tenant.collaborative) != unconditional:
                wrong.append(f"access_collaborative({action}) gave {found}")
            continue
        got = access.grants(user, action, agency=tenant.agency)
        if got != want:
            wrong.append(f"{action} on its agency: {got} != {want}")
        if access.can(user, action, agency=tenant.agency) != unconditional:
            wrong.append(f"can({action}) is not {unconditional}")
        if access.holds(user, action, agency=tenant.agency) != bool(want):
            wrong.append(f"holds({action}) is not {bool(want)}")
        try:
            access.require(user, action, agency=tenant.agency)
            required = True
        except PermissionDenied as exc:
            required = False
            if action.description not in str(exc):
                wrong.append(f"require({action}) refused without saying what: {exc}")
        if required != unconditional:
            wrong.append(f"require({action}) passed: {required}")
        # The collaborative-level answer (used by pages of the whole collaborative) agrees.
        at_collab = access.grants(user, action, collaborative=tenant.collaborative)
        if at_collab != want:
            wrong.append(f"{action} in the collaborative: {at_collab} != {want}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_it_opens_the_agency_to_read_for_all_and_to_edit_for_editors(role, tenant):
    user = fresh(tenant.user(role))
    found = access.access_agency(user, tenant.agency.pk)
    assert found.agency == tenant.agency
    assert found.can_edit == bool(expected(A.AGENCY_EDIT, role))
    assert found.can_export == bool(expected(A.AGENCY_EXPORT, role))
    assert found.can_edit_plan == bool(expected(A.PLAN_EDIT, role))
    assert found.can_read_readiness == bool(expected(A.READINESS_VIEW, role))
    assert found.can_write_readiness == bool(expected(A.READINESS_WRITE, role))
    if expected(A.AGENCY_EDIT, role):
        assert access.access_agency(user, str(tenant.agency.pk), write=True).agency == tenant.agency
    else:
        with pytest.raises(PermissionDenied):
            access.access_agency(user, tenant.agency.pk, write=True)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_it_grants_nothing_outside_the_scope(role, tenant, other_tenant):
    user = fresh(tenant.user(role))
    # Another agency of the same collaborative: in scope for state admins only.
    if role == R.STATE_ADMIN:
        assert access.access_agency(user, tenant.other_agency.pk).agency == tenant.other_agency
        for action in set(Action) - COLLABORATIVE_ACTIONS:
            assert access.grants(user, action, agency=tenant.other_agency) == expected(action, role)
    else:
        with pytest.raises(Http404):
            access.access_agency(user, tenant.other_agency.pk)
        with pytest.raises(Http404):
            access.access_agency(user, tenant.other_agency.pk, write=True)
        for action in set(Action) - COLLABORATIVE_ACTIONS:
            assert not access.can(user, action, agency=tenant.other_agency), action
    # Another collaborative: nothing, for everyone.
    for agency in (other_tenant.agency, other_tenant.other_agency):
        with pytest.raises(Http404):
            access.access_agency(user, agency.pk)
        for action in set(Action) - COLLABORATIVE_ACTIONS:
            assert access.grants(user, action, agency=agency) == set(), action
            with pytest.raises(PermissionDenied):
                access.require(user, action, agency=agency)
    for action in Action:
        assert access.grants(user, action, collaborative=other_tenant.collaborative) == set()
    with pytest.raises(Http404):
        access.access_collaborative(user, other_tenant.collaborative.pk)
    with pytest.raises(Http404):
        access.access_collaborative(user, other_tenant.collaborative.pk, action=A.AGENCY_CREATE)
    with pytest.raises(Http404):
        access.access_region(user, other_tenant.region.pk)


def test_it_answers_404_to_ids_that_are_not_uuids(tenant):
    user = tenant.user(R.STATE_ADMIN)
    for bad in ("7", "not-a-uuid", None, "", 12):
        with pytest.raises(Http404):
            access.access_agency(user, bad)
        with pytest.raises(Http404):
            access.access_collaborative(user, bad)


def test_it_needs_an_agency_or_a_collaborative_to_answer(tenant):
    with pytest.raises(ValueError):
        access.grants(tenant.user(R.STATE_ADMIN), A.AGENCY_VIEW)


# -- scope --------------------------------------------------------------------------------------


def test_it_scopes_agencies_by_role(tenant, other_tenant):
    both = {tenant.agency.pk, tenant.other_agency.pk}
    for role in ROLES:
        user = tenant.user(role)
        want = both if role == R.STATE_ADMIN else {tenant.agency.pk}
        assert ids(access.agencies_in_scope(user)) == want, role
        assert ids(access.agencies_in_scope(user, tenant.collaborative)) == want, role
        assert ids(access.agencies_in_scope(user, other_tenant.collaborative)) == set(), role
    for role, user in tenant.other_agency_users.items():
        assert ids(access.agencies_in_scope(user)) == {tenant.other_agency.pk}, role
    for user in other_tenant.users.values():
        assert not ids(access.agencies_in_scope(user)) & both


def test_it_scopes_nothing_for_an_anonymous_visitor(tenant):
    anonymous = AnonymousUser()
    assert not access.agencies_in_scope(anonymous).exists()
    assert not access.collaboratives_of(anonymous).exists()
    assert access.memberships_of(anonymous) == []
    assert access.grants(anonymous, A.AGENCY_VIEW, agency=tenant.agency) == set()
    with pytest.raises(Http404):
        access.access_agency(anonymous, tenant.agency.pk)


def test_it_counts_no_inactive_membership(tenant):
    for role in ROLES:
        Membership.objects.filter(user=tenant.user(role)).update(is_active=False)
        user = fresh(tenant.user(role))
        assert not access.agencies_in_scope(user).exists(), role
        assert not access.collaboratives_of(user).exists(), role
        assert access.roles_for(user, tenant.agency) == set(), role
        for action in Action:
            assert not access.can(user, action, collaborative=tenant.collaborative), role
        with pytest.raises(Http404):
            access.access_agency(user, tenant.agency.pk)


def test_it_counts_no_membership_of_an_inactive_user(tenant):
    user = tenant.user(R.STATE_ADMIN)
    User.objects.filter(pk=user.pk).update(is_active=False)
    user = fresh(user)
    assert not access.agencies_in_scope(user).exists()
    assert access.memberships_of(user) == []
    assert not access.collaboratives_of(user).exists()
    assert not access.regions_in_scope(user).exists()
    with pytest.raises(Http404):
        access.access_agency(user, tenant.agency.pk)
    with pytest.raises(Http404):
        access.access_collaborative(user, tenant.collaborative.pk)
    with pytest.raises(Http404):
        access.access_region(user, tenant.region.pk)


def _link_across(membership: Membership, agency, *, row_collaborative) -> None:
    # Bypasses the services, which refuse it: the access rules must hold even so.
    MembershipAgency.objects.create(
        collaborative=row_collaborative, membership=membership, agency=agency
    )


@pytest.mark.parametrize("row_side", ["membership", "agency"])
@pytest.mark.parametrize("role", [R.STATE_TRAINER, R.VR_LIAISON, R.IPS_SUPERVISOR])
def test_it_grants_nothing_through_a_link_across_collaboratives(
    role, row_side, tenant, other_tenant
):
    user = tenant.user(role)
    membership = Membership.objects.get(user=user, collaborative=tenant.collaborative)
    target = other_tenant.agency
    row_collaborative = tenant.collaborative if row_side == "membership" else target.collaborative
    _link_across(membership, target, row_collaborative=row_collaborative)
    user = fresh(user)
    assert ids(access.agencies_in_scope(user)) == {tenant.agency.pk}
    assert access.roles_for(user, target) == set()
    assert all(target.pk not in m.agency_ids for m in access.memberships_of(user))
    for action in set(Action) - COLLABORATIVE_ACTIONS:
        assert access.grants(user, action, agency=target) == set()
    with pytest.raises(Http404):
        access.access_agency(user, target.pk)


def test_it_unites_the_rights_of_several_roles(tenant):
    user = tenant.user(R.VR_LIAISON)
    grant(user, tenant.collaborative, R.IPS_SUPERVISOR, [tenant.agency])
    user = fresh(user)
    assert access.grants(user, A.OUTCOMES_VIEW, agency=tenant.agency) == {APPROVED, Y}
    # One unconditional grant among them is enough without an object.
    assert access.can(user, A.OUTCOMES_VIEW, agency=tenant.agency)
    assert access.grants(user, A.READINESS_VIEW, agency=tenant.agency) == {FINAL}
    assert not access.can(user, A.READINESS_VIEW, agency=tenant.agency)
    assert access.can(user, A.OUTCOMES_ENTER, agency=tenant.agency)
    assert access.roles_in(user, tenant.collaborative) == {R.VR_LIAISON, R.IPS_SUPERVISOR}


# -- regions --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_it_lets_only_region_managers_change_a_region(role, tenant):
    user = fresh(tenant.user(role))
    found = access.access_region(user, tenant.region.pk)
    assert found.region == tenant.region
    assert found.can_edit == bool(expected(A.REGION_MANAGE, role))
    assert ids(access.regions_in_scope(user)) == {tenant.region.pk}
    if expected(A.REGION_MANAGE, role):
        assert access.access_region(user, tenant.region.pk, write=True).region == tenant.region
    else:
        with pytest.raises(PermissionDenied):
            access.access_region(user, tenant.region.pk, write=True)


# -- people: memberships and invitations -------------------------------------------------------


def _memberships(tenant, *roles) -> set:
    return {
        Membership.objects.get(user=tenant.user(r), collaborative=tenant.collaborative).pk
        for r in roles
    }


def test_it_shows_admins_every_membership_and_supervisors_their_agency_staff(tenant, other_tenant):
    collab = tenant.collaborative
    everyone = ids(Membership.objects.filter(collaborative=collab))
    # A membership per role, the other agency's staff, the state roles assigned to it only.
    assert len(everyone) == len(R) + len(tenant.other_agency_users) + len(tenant.elsewhere_users)
    assert ids(access.memberships_in_scope(tenant.user(R.STATE_ADMIN), collab)) == everyone
    staff = _memberships(tenant, R.IPS_SUPERVISOR, R.AGENCY_LEADER, R.EMPLOYMENT_SPECIALIST)
    assert ids(access.memberships_in_scope(tenant.user(R.IPS_SUPERVISOR), collab)) == staff
    other_supervisor = tenant.other_agency_users[R.IPS_SUPERVISOR]
    other_staff = ids(
        Membership.objects.filter(user__in=tenant.other_agency_users.values(), collaborative=collab)
    )
    assert ids(access.memberships_in_scope(other_supervisor, collab)) == other_staff
    for role in (
        R.STATE_TRAINER,
        R.FIDELITY_REVIEWER,
        R.VR_LIAISON,
        R.AGENCY_LEADER,
        R.EMPLOYMENT_SPECIALIST,
    ):
        assert not access.memberships_in_scope(tenant.user(role), collab).exists(), role
    for user in [*tenant.elsewhere_users.values(), *other_tenant.users.values()]:
        assert not access.memberships_in_scope(user, collab).exists()


def test_it_lets_admins_invite_anyone_and_supervisors_agency_staff_only(tenant, other_tenant):
    collab = tenant.collaborative
    assert access.invitable_roles(tenant.user(R.STATE_ADMIN), collab) == list(Role)
    assert set(access.invitable_roles(tenant.user(R.IPS_SUPERVISOR), collab)) == set(
        Role.agency_roles()
    )
    for role in set(ROLES) - {R.STATE_ADMIN, R.IPS_SUPERVISOR}:
        assert access.invitable_roles(tenant.user(role), collab) == [], role
    assert access.invitable_roles(other_tenant.user(R.STATE_ADMIN), collab) == []


def _invite(tenant, role, agencies, by=R.STATE_ADMIN):
    from agencies import services

    invitation = services.invitation_create(
        invited_by=tenant.user(by),
        collaborative=tenant.collaborative,
        email=f"{role}.{len(agencies)}.{tenant.collaborative.slug}@example.org",
        role=role,
        agencies=agencies,
    )
    return invitation


def test_it_shows_admins_every_invitation_and_supervisors_those_of_their_agency(
    tenant, other_tenant
):
    mine = _invite(tenant, R.EMPLOYMENT_SPECIALIST, [tenant.agency], by=R.IPS_SUPERVISOR)
    theirs = _invite(tenant, R.AGENCY_LEADER, [tenant.other_agency])
    state = _invite(tenant, R.STATE_TRAINER, [tenant.agency])
    elsewhere = _invite(other_tenant, R.EMPLOYMENT_SPECIALIST, [other_tenant.agency])
    admin = tenant.user(R.STATE_ADMIN)
    assert ids(access.invitations_in_scope(admin)) == {mine.pk, theirs.pk, state.pk}
    assert ids(access.invitations_in_scope(admin, tenant.collaborative)) == {
        mine.pk,
        theirs.pk,
        state.pk,
    }
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    assert ids(access.invitations_in_scope(supervisor)) == {mine.pk}
    assert access.access_invitation(supervisor, mine.pk).invitation == mine
    for invitation in (theirs, state, elsewhere):
        with pytest.raises(Http404):
            access.access_invitation(supervisor, invitation.pk)
    for role in set(ROLES) - {R.STATE_ADMIN, R.IPS_SUPERVISOR}:
        assert not access.invitations_in_scope(tenant.user(role)).exists(), role
    for user in other_tenant.users.values():
        assert not ids(access.invitations_in_scope(user)) & {mine.pk, theirs.pk, state.pk}
        with pytest.raises(Http404):
            access.access_invitation(user, mine.pk)


@pytest.mark.parametrize("row_side", ["membership", "agency"])
def test_it_lets_no_link_across_collaboratives_widen_a_supervisors_people(
    row_side, tenant, other_tenant
):
    # A supervisor of agency one who also reaches agency two as a trainer, and who is a
    # supervisor in another collaborative whose membership got linked to agency two by a
    # bad row: only agency one's staff and invitations are theirs to manage.
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    grant(supervisor, tenant.collaborative, R.STATE_TRAINER, [tenant.other_agency])
    elsewhere = grant(supervisor, other_tenant.collaborative, R.IPS_SUPERVISOR)
    row_collaborative = (
        other_tenant.collaborative if row_side == "membership" else tenant.collaborative
    )
    _link_across(elsewhere, tenant.other_agency, row_collaborative=row_collaborative)
    agency_two_staff = ids(Membership.objects.filter(user__in=tenant.other_agency_users.values()))
    invitation = _invite(tenant, R.EMPLOYMENT_SPECIALIST, [tenant.other_agency])
    supervisor = fresh(supervisor)
    managed = ids(access.memberships_in_scope(supervisor, tenant.collaborative))
    assert not managed & agency_two_staff
    assert invitation.pk not in ids(access.invitations_in_scope(supervisor))
    with pytest.raises(Http404):
        access.access_invitation(supervisor, invitation.pk)


# -- reports and plans ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_it_opens_plan_steps_in_scope_and_edits_them_with_the_right(role, tenant, other_tenant):
    from tests.route_fixtures import build

    build(tenant)
    user = fresh(tenant.user(role))
    found = access.access_plan(user, tenant.agency.pk)
    assert (found.agency, found.plan) == (tenant.agency, tenant.plan)
    assert found.can_edit == bool(expected(A.PLAN_EDIT, role))
    assert access.access_plan_step(user, tenant.plan_step.pk).step == tenant.plan_step
    if expected(A.PLAN_EDIT, role):
        step = access.access_plan_step(user, tenant.plan_step.pk, write=True).step
        assert step == tenant.plan_step
    else:
        with pytest.raises(PermissionDenied):
            access.access_plan_step(user, tenant.plan_step.pk, write=True)
    outsider = fresh(other_tenant.user(role))
    with pytest.raises(Http404):
        access.access_plan_step(outsider, tenant.plan_step.pk)
    with pytest.raises(Http404):
        access.access_plan(outsider, tenant.agency.pk)


def test_it_keeps_a_new_agency_out_of_the_scope_of_assigned_roles_until_assigned(tenant):
    new = make_agency(tenant.collaborative)
    assert new.pk in ids(access.agencies_in_scope(tenant.user(R.STATE_ADMIN)))
    for role in set(ROLES) - {R.STATE_ADMIN}:
        assert new.pk not in ids(access.agencies_in_scope(tenant.user(role))), role
    trainer = make_user()
    grant(trainer, tenant.collaborative, R.STATE_TRAINER, [new])
    assert ids(access.agencies_in_scope(trainer)) == {new.pk}

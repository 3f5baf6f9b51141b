"""Managing people: changing a membership's role and agencies, deactivating and reactivating
it. The refusals (each with its positive twin), the end of sessions and API tokens for real,
the history, and changes based on an older version."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies import selectors_people, services
from agencies.models import Membership, MembershipAgency, Role
from tests.factories import grant, make_agency, make_user

R = Role


def membership(tenant, role, *, other=False) -> Membership:
    users = tenant.other_agency_users if other else tenant.users
    return Membership.objects.get(collaborative=tenant.collaborative, user=users[role], role=role)


def field_errors(exc: ValidationError) -> dict[str, str]:
    return {k: " ".join(v) for k, v in exc.message_dict.items()}


def refused(field: str, call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    errors = field_errors(caught.value)
    assert field in errors, errors
    return errors[field]


# -- state admins ------------------------------------------------------------------------


def test_it_lets_a_state_admin_change_a_trainers_agencies_and_records_who_did_it(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    trainer = membership(tenant, R.STATE_TRAINER)
    services.membership_update(user=admin, membership=trainer, agencies=[tenant.other_agency])
    assert set(trainer.agencies.all()) == {tenant.other_agency}
    trainer.refresh_from_db()
    assert trainer.version == 2
    links = MembershipAgency.history.filter(membership_id=trainer.pk)
    added = links.get(history_type="+", agency_id=tenant.other_agency.pk)
    removed = links.get(history_type="-", agency_id=tenant.agency.pk)
    assert added.history_user == admin and removed.history_user == admin
    words = [e.what for e in selectors_people.membership_history(trainer)]
    assert f"Agency added: {tenant.other_agency.name}" in words
    assert f"Agency removed: {tenant.agency.name}" in words


def test_it_records_the_old_and_the_new_role(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    es.user.memberships.filter(role=R.AGENCY_LEADER).delete()
    services.membership_update(user=admin, membership=es, role=R.AGENCY_LEADER)
    last = Membership.history.filter(id=es.pk).order_by("-history_date").first()
    assert last.role == R.AGENCY_LEADER and last.history_user == admin
    assert last.prev_record.role == R.EMPLOYMENT_SPECIALIST
    entries = selectors_people.membership_history(es)
    assert entries[0].what == "Role changed from Employment specialist to Agency leader"
    assert entries[0].by == admin.display_name


def test_it_refuses_a_role_change_that_breaks_the_agency_rules_and_saves_nothing(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    trainer = membership(tenant, R.STATE_TRAINER)
    message = refused(
        "agencies",
        lambda: services.membership_update(user=admin, membership=trainer, role=R.STATE_ADMIN),
    )
    assert "choose none" in message
    trainer.refresh_from_db()
    assert trainer.role == R.STATE_TRAINER and trainer.version == 1
    # Its twin: with the agencies taken away, the same change is saved.
    services.membership_update(user=admin, membership=trainer, role=R.STATE_ADMIN, agencies=[])
    trainer.refresh_from_db()
    assert trainer.role == R.STATE_ADMIN and not trainer.agencies.exists()


def test_it_refuses_a_role_the_person_already_holds(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    grant(es.user, tenant.collaborative, R.AGENCY_LEADER, [tenant.agency])
    message = refused(
        "role",
        lambda: services.membership_update(user=admin, membership=es, role=R.AGENCY_LEADER),
    )
    assert "already has the role Agency leader" in message


# -- nobody changes their own role or deactivates themselves ----------------------------------


def test_it_refuses_a_change_of_ones_own_role_but_another_admin_may(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    second = make_user(full_name="Second Admin")
    second_membership = grant(second, tenant.collaborative, R.STATE_ADMIN)
    own = membership(tenant, R.STATE_ADMIN)
    message = refused(
        "role",
        lambda: services.membership_update(
            user=admin, membership=own, role=R.STATE_TRAINER, agencies=[tenant.agency]
        ),
    )
    assert "your own role" in message
    own.refresh_from_db()
    assert own.role == R.STATE_ADMIN
    services.membership_update(
        user=second, membership=own, role=R.STATE_TRAINER, agencies=[tenant.agency]
    )
    own.refresh_from_db()
    assert own.role == R.STATE_TRAINER
    assert second_membership.role == R.STATE_ADMIN


def test_it_refuses_to_deactivate_oneself_but_another_admin_may(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    second = make_user(full_name="Second Admin")
    grant(second, tenant.collaborative, R.STATE_ADMIN)
    own = membership(tenant, R.STATE_ADMIN)
    message = refused(
        "is_active", lambda: services.membership_deactivate(user=admin, membership=own)
    )
    assert "deactivate yourself" in message
    own.refresh_from_db()
    assert own.is_active
    services.membership_deactivate(user=second, membership=own)
    own.refresh_from_db()
    assert not own.is_active


# -- the last active state admin --------------------------------------------------------------


def test_it_keeps_the_last_active_state_admin_of_a_collaborative(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    own = membership(tenant, R.STATE_ADMIN)
    message = refused(
        "role",
        lambda: services.membership_update(
            user=admin, membership=own, role=R.STATE_TRAINER, agencies=[tenant.agency]
        ),
    )
    assert "last active state admin" in message
    message = refused(
        "is_active", lambda: services.membership_deactivate(user=admin, membership=own)
    )
    assert "last active state admin" in message
    own.refresh_from_db()
    assert own.is_active and own.role == R.STATE_ADMIN


def test_it_lets_an_admin_demote_another_while_one_admin_remains(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    second = grant(make_user(), tenant.collaborative, R.STATE_ADMIN)
    services.membership_deactivate(user=admin, membership=second)
    second.refresh_from_db()
    assert not second.is_active
    # The deactivated admin counts no more: the remaining one is now the last.
    own = membership(tenant, R.STATE_ADMIN)
    message = refused(
        "is_active", lambda: services.membership_deactivate(user=admin, membership=own)
    )
    assert "last active state admin" in message


def test_it_refuses_a_deactivated_admin_who_acts_after_losing_the_role(tenant):
    """Two admins demoting each other at once: the changes run one after the other, and the
    second finds its author no longer an admin; the collaborative keeps one."""
    first_user = tenant.user(R.STATE_ADMIN)
    first = membership(tenant, R.STATE_ADMIN)
    second_user = make_user()
    second = grant(second_user, tenant.collaborative, R.STATE_ADMIN)
    services.membership_deactivate(user=first_user, membership=second)
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(user=second_user, membership=first)
    assert (
        Membership.objects.filter(
            collaborative=tenant.collaborative, role=R.STATE_ADMIN, is_active=True
        ).count()
        == 1
    )


def test_it_refuses_a_change_based_on_an_older_version(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    trainer = membership(tenant, R.STATE_TRAINER)
    services.membership_update(
        user=admin,
        membership=trainer,
        agencies=[tenant.agency, tenant.other_agency],
        expected_version=1,
    )
    with pytest.raises(services.MembershipConflict):
        services.membership_deactivate(user=admin, membership=trainer, expected_version=1)
    trainer.refresh_from_db()
    assert trainer.is_active and trainer.version == 2
    services.membership_deactivate(user=admin, membership=trainer, expected_version=2)
    trainer.refresh_from_db()
    assert not trainer.is_active and trainer.version == 3


# -- IPS supervisors: agency roles of their agency only ----------------------------------


def test_it_lets_a_supervisor_change_the_role_of_their_agencys_staff(tenant):
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    services.membership_update(user=supervisor, membership=es, role=R.AGENCY_LEADER)
    es.refresh_from_db()
    assert es.role == R.AGENCY_LEADER


def test_it_refuses_a_supervisor_giving_a_state_role(tenant):
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    message = refused(
        "role",
        lambda: services.membership_update(user=supervisor, membership=es, role=R.STATE_TRAINER),
    )
    assert "agency role" in message
    es.refresh_from_db()
    assert es.role == R.EMPLOYMENT_SPECIALIST


def test_it_refuses_a_supervisor_giving_an_agency_they_do_not_supervise(tenant):
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    message = refused(
        "agencies",
        lambda: services.membership_update(
            user=supervisor, membership=es, agencies=[tenant.other_agency]
        ),
    )
    assert tenant.other_agency.name in message
    assert set(es.agencies.all()) == {tenant.agency}
    # Its twin: a supervisor of both agencies may move the person.
    grant(supervisor, tenant.collaborative, R.IPS_SUPERVISOR, [tenant.other_agency])
    services.membership_update(user=supervisor, membership=es, agencies=[tenant.other_agency])
    assert set(es.agencies.all()) == {tenant.other_agency}


def test_it_keeps_supervisors_off_state_staff_and_other_agencies(tenant):
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    for target in (
        membership(tenant, R.STATE_TRAINER),
        membership(tenant, R.STATE_ADMIN),
        membership(tenant, R.EMPLOYMENT_SPECIALIST, other=True),
    ):
        with pytest.raises(PermissionDenied):
            services.membership_deactivate(user=supervisor, membership=target)
        target.refresh_from_db()
        assert target.is_active


@pytest.mark.parametrize(
    "role", [R.STATE_TRAINER, R.FIDELITY_REVIEWER, R.VR_LIAISON, R.AGENCY_LEADER]
)
def test_it_refuses_people_management_to_other_roles(tenant, role):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(user=tenant.user(role), membership=es)


# -- deactivation ends sessions and API tokens -------------------------------------------


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token_client(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_it_logs_out_a_person_whose_last_membership_is_deactivated(tenant):
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    browser = _signed_in(es.user)
    api = _token_client(es.user)
    assert browser.get(reverse("home")).status_code == 200
    assert api.get("/api/v1/me/").status_code == 200
    services.membership_deactivate(user=tenant.user(R.STATE_ADMIN), membership=es)
    response = browser.get(reverse("home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in browser.session
    assert api.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(user=es.user).exists()
    # Other people stay signed in.
    assert _signed_in(tenant.user(R.AGENCY_LEADER)).get(reverse("home")).status_code == 200


def test_it_keeps_the_sign_ins_of_a_person_with_another_active_membership(tenant, other_tenant):
    """The chosen rule: someone who still works in another collaborative stays signed in
    there (and keeps their token); the deactivated role stops counting at once."""
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    grant(es.user, other_tenant.collaborative, R.EMPLOYMENT_SPECIALIST, [other_tenant.agency])
    browser = _signed_in(es.user)
    api = _token_client(es.user)
    detail = reverse("agencies:detail", args=[tenant.agency.pk])
    assert browser.get(detail).status_code == 200
    services.membership_deactivate(user=tenant.user(R.STATE_ADMIN), membership=es)
    assert browser.get(detail).status_code == 404
    other = reverse("agencies:detail", args=[other_tenant.agency.pk])
    assert browser.get(other).status_code == 200
    assert api.get(f"/api/v1/agencies/{tenant.agency.pk}/").status_code == 404
    assert api.get(f"/api/v1/agencies/{other_tenant.agency.pk}/").status_code == 200


def test_it_reactivates_a_membership_and_the_person_signs_in_again(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    services.membership_deactivate(user=admin, membership=es)
    services.membership_reactivate(user=admin, membership=es)
    es.refresh_from_db()
    assert es.is_active and es.version == 3
    browser = _signed_in(es.user)
    assert browser.get(reverse("agencies:detail", args=[tenant.agency.pk])).status_code == 200
    words = [e.what for e in selectors_people.membership_history(es)]
    assert words[:2] == ["Reactivated", "Deactivated"]


def test_it_lets_only_agencies_of_the_collaborative_in(tenant, other_tenant):
    admin = tenant.user(R.STATE_ADMIN)
    trainer = membership(tenant, R.STATE_TRAINER)
    foreign = make_agency(other_tenant.collaborative)
    refused(
        "agencies",
        lambda: services.membership_update(user=admin, membership=trainer, agencies=[foreign]),
    )
    assert set(trainer.agencies.all()) == {tenant.agency}


def test_it_gives_a_reactivated_invitee_a_new_version(tenant):
    admin = tenant.user(R.STATE_ADMIN)
    es = membership(tenant, R.EMPLOYMENT_SPECIALIST)
    services.membership_deactivate(user=admin, membership=es)
    invitation = services.invitation_create(
        invited_by=admin,
        collaborative=tenant.collaborative,
        email=es.user.email,
        role=R.EMPLOYMENT_SPECIALIST,
        agencies=[tenant.agency],
    )
    token = services.invitation_link_renew(invitation)
    services.invitation_accept_as(token=token, user=es.user)
    es.refresh_from_db()
    assert es.is_active and es.version == 3

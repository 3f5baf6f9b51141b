"""The agencies services: the writes the pages and the API share."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies import services
from agencies.models import (
    Agency,
    ImplementationPhase,
    Invitation,
    Membership,
    MembershipAgency,
    Region,
    Role,
)
from ipsportal import access
from ipsportal.models import User
from tests.factories import PASSWORD, make_agency, make_user

NEW_PASSWORD = "quiet-harbor-window-58"


def test_it_takes_keyword_arguments_only(tenant):
    with pytest.raises(TypeError):
        services.agency_create(tenant.user(Role.STATE_ADMIN), tenant.collaborative, {})


def test_it_creates_an_agency_with_a_free_slug(tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    first = services.agency_create(
        user=admin, collaborative=tenant.collaborative, data={"name": "Oak & Elm Services"}
    )
    assert first.slug == "oak-elm-services"
    # Another name that slugifies the same way gets the next free slug.
    second = services.agency_create(
        user=admin, collaborative=tenant.collaborative, data={"name": "Oak Elm Services"}
    )
    assert second.slug == "oak-elm-services-2"
    assert first.collaborative == second.collaborative == tenant.collaborative


def test_it_ignores_fields_a_caller_may_not_set(tenant, other_tenant):
    agency = services.agency_create(
        user=tenant.user(Role.STATE_ADMIN),
        collaborative=tenant.collaborative,
        data={"name": "Sneaky", "collaborative": other_tenant.collaborative, "slug": "x"},
    )
    assert agency.collaborative == tenant.collaborative
    assert agency.slug == "sneaky"


def test_it_checks_the_right_to_create(tenant, other_tenant):
    with pytest.raises(PermissionDenied):
        services.agency_create(
            user=tenant.user(Role.IPS_SUPERVISOR),
            collaborative=tenant.collaborative,
            data={"name": "Nope"},
        )
    with pytest.raises(PermissionDenied):
        services.agency_create(
            user=other_tenant.user(Role.STATE_ADMIN),
            collaborative=tenant.collaborative,
            data={"name": "Nope"},
        )
    assert not Agency.objects.filter(name="Nope").exists()


def test_it_validates_before_saving(tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    with pytest.raises(ValidationError) as error:
        services.agency_create(
            user=admin,
            collaborative=tenant.collaborative,
            data={"name": "Bad Phase", "implementation_phase": "nonsense"},
        )
    assert "implementation_phase" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.agency_create(
            user=admin, collaborative=tenant.collaborative, data={"name": tenant.agency.name}
        )
    assert not Agency.objects.filter(name="Bad Phase").exists()
    assert Agency.objects.filter(name=tenant.agency.name).count() == 1


def test_it_refuses_a_region_of_another_collaborative(tenant, other_tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    with pytest.raises(ValidationError) as error:
        services.agency_create(
            user=admin,
            collaborative=tenant.collaborative,
            data={"name": "Cross", "region": other_tenant.region},
        )
    assert "region" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.agency_update(
            user=admin, agency=tenant.agency, data={"region": other_tenant.region}
        )
    tenant.agency.refresh_from_db()
    assert tenant.agency.region == tenant.region


def test_it_updates_an_agency_for_editors_only(tenant):
    before = tenant.agency.implementation_phase
    agency = services.agency_update(
        user=tenant.user(Role.IPS_SUPERVISOR),
        agency=tenant.agency,
        data={"implementation_phase": ImplementationPhase.MID, "city": "Nevada"},
    )
    agency.refresh_from_db()
    # The phase moves only through agency_phase_change (recorded with who and when).
    assert before != ImplementationPhase.MID
    assert agency.implementation_phase == before
    assert agency.city == "Nevada"
    with pytest.raises(PermissionDenied):
        services.agency_update(
            user=tenant.user(Role.AGENCY_LEADER), agency=tenant.agency, data={"city": "Nope"}
        )
    tenant.agency.refresh_from_db()
    assert tenant.agency.city == "Nevada"


def test_it_records_the_history_of_an_agency(tenant):
    services.agency_update(
        user=tenant.user(Role.STATE_ADMIN), agency=tenant.agency, data={"city": "Lebanon"}
    )
    assert tenant.agency.history.first().city == "Lebanon"
    assert tenant.agency.history.count() == 2


def test_it_saves_regions_for_state_staff_only(tenant):
    region = services.region_save(
        user=tenant.user(Role.STATE_TRAINER),
        collaborative=tenant.collaborative,
        data={"name": "Lake Area"},
    )
    assert region.collaborative == tenant.collaborative
    services.region_save(
        user=tenant.user(Role.STATE_ADMIN),
        collaborative=tenant.collaborative,
        data={"liaison_name": "Kim Lee"},
        region=region,
    )
    region.refresh_from_db()
    assert (region.name, region.liaison_name) == ("Lake Area", "Kim Lee")
    with pytest.raises(PermissionDenied):
        services.region_save(
            user=tenant.user(Role.FIDELITY_REVIEWER),
            collaborative=tenant.collaborative,
            data={"name": "Nope"},
        )
    with pytest.raises(ValidationError):
        services.region_save(
            user=tenant.user(Role.STATE_ADMIN),
            collaborative=tenant.collaborative,
            data={"name": "Lake Area"},
        )
    assert Region.objects.filter(collaborative=tenant.collaborative).count() == 2


def test_it_creates_an_invitation_that_stores_only_a_hash(tenant):
    invitation = services.invitation_create(
        invited_by=tenant.user(Role.STATE_ADMIN),
        collaborative=tenant.collaborative,
        email="  New.Person@EXAMPLE.org ",
        role=Role.STATE_TRAINER,
        agencies=[tenant.agency],
    )
    # The link's token is made when the email is sent; nobody knows the first hash's token.
    first_hash = invitation.token_hash
    token = services.invitation_link_renew(invitation)
    invitation.refresh_from_db()
    assert invitation.token_hash != first_hash
    assert invitation.email == "new.person@example.org"
    assert invitation.token_hash == Invitation.hash_token(token)
    assert token not in invitation.token_hash
    assert len(token) >= 40
    assert invitation.status == "pending"
    assert services.invitation_find(token) == invitation
    assert services.invitation_find("") is None
    assert services.invitation_find(invitation.token_hash) is None


def test_it_refuses_roles_the_inviter_may_not_give(tenant):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            invited_by=tenant.user(Role.IPS_SUPERVISOR),
            collaborative=tenant.collaborative,
            email="x@example.org",
            role=Role.STATE_TRAINER,
            agencies=[tenant.agency],
        )
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            invited_by=tenant.user(Role.STATE_TRAINER),
            collaborative=tenant.collaborative,
            email="x@example.org",
            role=Role.EMPLOYMENT_SPECIALIST,
            agencies=[tenant.agency],
        )
    assert not Invitation.objects.exists()


def test_it_refuses_agencies_outside_the_inviters_scope(tenant, other_tenant):
    for agency in (tenant.other_agency, other_tenant.agency):
        with pytest.raises(ValidationError) as error:
            services.invitation_create(
                invited_by=tenant.user(Role.IPS_SUPERVISOR),
                collaborative=tenant.collaborative,
                email="x@example.org",
                role=Role.EMPLOYMENT_SPECIALIST,
                agencies=[agency],
            )
        assert "agencies" in error.value.message_dict
    assert not Invitation.objects.exists()


def _invite(tenant, email="newcomer@example.org", role=Role.AGENCY_LEADER, agencies=None):
    """An invitation and the token of its link, as the worker makes it when it emails it."""
    invitation = services.invitation_create(
        invited_by=tenant.user(Role.STATE_ADMIN),
        collaborative=tenant.collaborative,
        email=email,
        role=role,
        agencies=[tenant.agency] if agencies is None else agencies,
    )
    return invitation, services.invitation_link_renew(invitation)


def test_it_accepts_an_invitation_once(tenant):
    invitation, token = _invite(tenant)
    user = services.invitation_accept(token=token, password=NEW_PASSWORD, full_name="New Comer")
    assert user.check_password(NEW_PASSWORD)
    assert access.roles_for(user, tenant.agency) == {Role.AGENCY_LEADER}
    assert access.roles_for(user, tenant.other_agency) == set()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password="other-" + NEW_PASSWORD, full_name="X")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.full_name == "New Comer"


def test_it_creates_nothing_when_the_password_is_weak(tenant):
    _, token = _invite(tenant)
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password="12345", full_name="Weak")
    assert not User.objects.filter(email="newcomer@example.org").exists()
    assert services.invitation_find(token) is not None


def test_it_keeps_an_existing_password_when_accepting_as_that_person(tenant, other_tenant):
    existing = other_tenant.user(Role.VR_LIAISON)
    _, token = _invite(tenant, email=existing.email, role=Role.VR_LIAISON)
    # The link alone cannot replace the password of an existing account.
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password=NEW_PASSWORD, full_name="X")
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)
    # Nor can someone else's account use it.
    with pytest.raises(PermissionDenied):
        services.invitation_accept_as(token=token, user=tenant.user(Role.VR_LIAISON))

    services.invitation_accept_as(token=token, user=existing)
    assert access.roles_for(existing, tenant.agency) == {Role.VR_LIAISON}
    assert access.roles_for(existing, other_tenant.agency) == {Role.VR_LIAISON}
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)
    with pytest.raises(ValidationError):
        services.invitation_accept_as(token=token, user=existing)


def test_it_reactivates_a_former_membership_on_acceptance(tenant):
    leader = tenant.user(Role.AGENCY_LEADER)
    Membership.objects.filter(user=leader).update(is_active=False)
    _, token = _invite(tenant, email=leader.email)
    services.invitation_accept_as(token=token, user=leader)
    assert Membership.objects.get(user=leader).is_active
    assert MembershipAgency.objects.filter(membership__user=leader).count() == 1


def test_it_revokes_a_pending_invitation_once(tenant):
    invitation, token = _invite(tenant)
    admin = tenant.user(Role.STATE_ADMIN)
    assert services.invitation_revoke(user=admin, invitation=invitation) is True
    assert services.invitation_revoke(user=admin, invitation=invitation) is False
    assert services.invitation_find(token) is None


def test_it_grants_memberships_within_the_collaborative_only(tenant, other_tenant):
    user = make_user()
    with pytest.raises(ValidationError):
        services.membership_grant(
            user=user,
            collaborative=tenant.collaborative,
            role=Role.STATE_TRAINER,
            agencies=[other_tenant.agency],
        )
    assert not Membership.objects.filter(user=user).exists()
    extra = make_agency(tenant.collaborative)
    services.membership_grant(
        user=user,
        collaborative=tenant.collaborative,
        role=Role.STATE_TRAINER,
        agencies=[tenant.agency, extra],
    )
    assert set(access.agencies_in_scope(user)) == {tenant.agency, extra}


def test_it_reports_a_name_taken_by_a_concurrent_save_on_the_name_field(tenant):
    # As when another request saved the name between this one's full_clean() and its save:
    # the database refuses, and the refusal reaches the person as a field error.
    from agencies.models import Agency
    from agencies.services.tenancy import _save_named

    twin = Agency(collaborative=tenant.collaborative, name=tenant.agency.name.upper(), slug="t-1")
    with pytest.raises(ValidationError) as caught:
        _save_named(twin)
    assert caught.value.message_dict == {"name": ["An agency with this name already exists here."]}
    assert not Agency.objects.filter(slug="t-1").exists()
    twin.name = "A name nobody has"
    _save_named(twin)
    assert Agency.objects.filter(slug="t-1").exists()

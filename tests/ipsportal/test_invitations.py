"""Inviting people into a role: the email, the one-time link, and who may invite whom."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agencies.models import Invitation, Membership, Role
from ipsportal.middleware import SESSION_KEY as ACTIVE_COLLABORATIVE
from ipsportal.models import User
from tests.factories import PASSWORD, grant

NEW_PASSWORD = "river-otter-lantern-93"


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """POST the invitation form as whoever ``client`` is logged in as; the email is sent on
    commit, so the callbacks run."""

    def post(**data):
        data.setdefault("full_name", "")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("agencies:invite"), data)

    return post


def _link_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_it_shows_the_people_page_to_a_state_admin(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    response = client.get(reverse("agencies:people"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Invite someone" in body
    assert tenant.user(Role.IPS_SUPERVISOR).email in body


def test_it_refuses_the_people_page_to_a_trainer(client, tenant):
    client.force_login(tenant.user(Role.STATE_TRAINER))
    assert client.get(reverse("agencies:people")).status_code == 403
    response = client.post(
        reverse("agencies:invite"), {"email": "x@example.org", "role": Role.STATE_ADMIN}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_it_emails_a_one_time_link_that_makes_a_member(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    response = invite(
        email="Jo.Newcomer@Example.org",
        full_name="Jo Newcomer",
        role=Role.EMPLOYMENT_SPECIALIST,
        agencies=[tenant.agency.pk],
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agencies:people")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jo.newcomer@example.org"]
    assert tenant.agency.name in message.body
    path = _link_path(message)
    # Only the token's hash is stored, never the token itself.
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == Invitation.hash_token(token)
    assert token not in invitation.token_hash

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "Employment specialist" in page.content.decode()
    assert "jo.newcomer@example.org" in page.content.decode()

    done = client.post(
        path, {"full_name": "Jo Newcomer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("home")
    user = User.objects.get(email="jo.newcomer@example.org")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[ACTIVE_COLLABORATIVE] == str(tenant.collaborative.pk)
    membership = Membership.objects.get(user=user)
    assert membership.collaborative == tenant.collaborative
    assert membership.role == Role.EMPLOYMENT_SPECIALIST
    assert list(membership.agencies.all()) == [tenant.agency]
    assert user.full_name == "Jo Newcomer"
    assert user.check_password(NEW_PASSWORD)

    # The person now sees their own agency and only that.
    home = client.get(reverse("agencies:list")).content.decode()
    assert tenant.agency.name in home
    assert tenant.other_agency.name not in home

    # The link worked once.
    client.logout()
    again = client.get(path)
    assert again.status_code == 404
    assert "not valid" in again.content.decode()
    replay = client.post(
        path, {"full_name": "Someone", "password1": "x-" + NEW_PASSWORD, "password2": "x"}
    )
    assert replay.status_code == 404
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_it_lets_an_invitation_expire_after_fourteen_days(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        invite(email="late@example.org", role=Role.STATE_ADMIN)
        path = _link_path(mail.outbox[0])
        client.logout()
        traveller.shift(datetime.timedelta(days=13, hours=23))
        assert client.get(path).status_code == 200
        traveller.shift(datetime.timedelta(hours=2))
        response = client.get(path)
        assert response.status_code == 404
        assert "not valid" in response.content.decode()
        client.post(
            path, {"full_name": "Late", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert not User.objects.filter(email="late@example.org").exists()


def test_it_stops_a_withdrawn_invitation(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    invite(email="withdrawn@example.org", role=Role.STATE_ADMIN)
    path = _link_path(mail.outbox[0])
    invitation = Invitation.objects.get()
    response = client.post(reverse("agencies:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"

    client.logout()
    assert client.get(path).status_code == 404
    client.post(path, {"full_name": "W", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(email="withdrawn@example.org").exists()


def test_it_replaces_an_earlier_invitation_into_the_same_role(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    invite(email="twice@example.org", role=Role.STATE_ADMIN)
    invite(email="twice@example.org", role=Role.STATE_ADMIN)
    first, second = (_link_path(m) for m in mail.outbox)
    client.logout()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


@pytest.mark.parametrize(
    ("role", "pick", "message"),
    [
        (Role.EMPLOYMENT_SPECIALIST, "none", "exactly one agency"),
        (Role.IPS_SUPERVISOR, "both", "exactly one agency"),
        (Role.STATE_TRAINER, "none", "at least one agency"),
        (Role.VR_LIAISON, "none", "at least one agency"),
        (Role.STATE_ADMIN, "one", "choose none"),
    ],
)
def test_it_checks_the_agencies_each_role_needs(client, tenant, invite, role, pick, message):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    agencies = {
        "none": [],
        "one": [tenant.agency.pk],
        "both": [tenant.agency.pk, tenant.other_agency.pk],
    }[pick]
    response = invite(email="new@example.org", role=role, agencies=agencies)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("role", "pick"),
    [
        (Role.EMPLOYMENT_SPECIALIST, "one"),
        (Role.STATE_TRAINER, "both"),
        (Role.STATE_ADMIN, "none"),
    ],
)
def test_it_accepts_the_agencies_each_role_needs(client, tenant, invite, role, pick):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    agencies = {
        "none": [],
        "one": [tenant.agency.pk],
        "both": [tenant.agency.pk, tenant.other_agency.pk],
    }[pick]
    assert invite(email="new@example.org", role=role, agencies=agencies).status_code == 302
    invitation = Invitation.objects.get()
    assert set(invitation.agencies.values_list("pk", flat=True)) == set(agencies)


def test_it_gives_a_field_error_for_a_bad_email(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    response = invite(email="not-an-email", role=Role.STATE_ADMIN)
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_refuses_to_invite_someone_into_a_role_they_hold(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    holder = tenant.user(Role.STATE_TRAINER)
    response = invite(
        email=holder.email.upper(), role=Role.STATE_TRAINER, agencies=[tenant.agency.pk]
    )
    assert response.status_code == 400
    assert "already has this role" in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_lets_a_supervisor_invite_staff_of_their_own_agency(client, tenant, invite):
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    page = client.get(reverse("agencies:people")).content.decode()
    assert f'value="{Role.STATE_ADMIN.value}"' not in page
    assert tenant.other_agency.name not in page
    response = invite(
        email="es@example.org", role=Role.EMPLOYMENT_SPECIALIST, agencies=[tenant.agency.pk]
    )
    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.EMPLOYMENT_SPECIALIST


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        (Role.STATE_ADMIN, None),
        (Role.STATE_TRAINER, "own"),
        (Role.EMPLOYMENT_SPECIALIST, "other"),
        (Role.AGENCY_LEADER, "elsewhere"),
    ],
)
def test_it_keeps_a_supervisor_to_agency_roles_of_their_agency(
    client, tenant, other_tenant, invite, role, agency
):
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    agencies = {
        None: [],
        "own": [tenant.agency.pk],
        "other": [tenant.other_agency.pk],
        "elsewhere": [other_tenant.agency.pk],
    }[agency]
    response = invite(email="nope@example.org", role=role, agencies=agencies)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_lets_a_supervisor_withdraw_only_invitations_of_their_agency(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    invite(email="trainer@example.org", role=Role.STATE_TRAINER, agencies=[tenant.agency.pk])
    invite(
        email="es2@example.org", role=Role.EMPLOYMENT_SPECIALIST, agencies=[tenant.other_agency.pk]
    )
    trainer_invitation = Invitation.objects.get(email="trainer@example.org")
    other_agency_invitation = Invitation.objects.get(email="es2@example.org")

    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    for invitation in (trainer_invitation, other_agency_invitation):
        response = client.post(reverse("agencies:invitation_revoke", args=[invitation.pk]))
        assert response.status_code == 404
        invitation.refresh_from_db()
        assert invitation.revoked_at is None


def test_it_applies_the_password_rules_when_accepting(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    invite(email="weak@example.org", role=Role.STATE_ADMIN)
    path = _link_path(mail.outbox[0])
    client.logout()

    too_short = client.post(path, {"full_name": "Weak", "password1": "abc", "password2": "abc"})
    assert too_short.status_code == 200
    body = too_short.content.decode()
    assert "too short" in body
    assert 'id="id_password1"' in body
    mismatch = client.post(
        path, {"full_name": "Weak", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert "do not match" in mismatch.content.decode()
    common = client.post(
        path, {"full_name": "Weak", "password1": "password123", "password2": "password123"}
    )
    assert "too common" in common.content.decode()

    assert not User.objects.filter(email="weak@example.org").exists()
    assert Invitation.objects.get().status == "pending"
    assert SESSION_KEY not in client.session


def test_it_keeps_the_password_of_someone_who_already_has_an_account(
    client, tenant, other_tenant, invite
):
    # A trainer of another collaborative is invited into this one as a fidelity reviewer.
    existing = other_tenant.user(Role.STATE_TRAINER)
    client.force_login(tenant.user(Role.STATE_ADMIN))
    invite(email=existing.email, role=Role.FIDELITY_REVIEWER, agencies=[tenant.agency.pk])
    path = _link_path(mail.outbox[0])
    client.logout()

    # Anonymous: the page asks them to log in; the link cannot set a new password.
    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "already has an account" in body
    assert 'name="password1"' not in body
    hijack = client.post(
        path, {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert hijack.status_code == 403
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)
    assert not Membership.objects.filter(user=existing, collaborative=tenant.collaborative).exists()

    # Logged in as somebody else: refused, nothing granted.
    client.force_login(tenant.user(Role.STATE_TRAINER))
    assert client.post(path).status_code == 403
    assert not Membership.objects.filter(user=existing, collaborative=tenant.collaborative).exists()

    # Logged in with their own password: one click joins the second collaborative.
    client.logout()
    login = client.post(
        reverse("account_login") + f"?next={path}", {"login": existing.email, "password": PASSWORD}
    )
    assert login["Location"] == path
    assert client.get(path).status_code == 200
    joined = client.post(path)
    assert joined.status_code == 302
    assert joined["Location"] == reverse("home")
    assert client.session[ACTIVE_COLLABORATIVE] == str(tenant.collaborative.pk)
    membership = Membership.objects.get(user=existing, collaborative=tenant.collaborative)
    assert membership.role == Role.FIDELITY_REVIEWER
    assert list(membership.agencies.all()) == [tenant.agency]
    assert Membership.objects.filter(
        user=existing, collaborative=other_tenant.collaborative
    ).exists()
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)
    assert client.get(path).status_code == 404


def test_it_lets_an_account_without_a_password_choose_one(client, tenant, invite):
    # An account an operator created without a password completes itself through the link.
    User.objects.create_user(email="nopass@example.org", password=None)
    client.force_login(tenant.user(Role.STATE_ADMIN))
    invite(email="nopass@example.org", role=Role.STATE_ADMIN)
    path = _link_path(mail.outbox[0])
    client.logout()
    response = client.post(
        path, {"full_name": "No Pass", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(email="nopass@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(user=user, role=Role.STATE_ADMIN).exists()


def test_it_answers_not_valid_for_an_unknown_token(client, db):
    response = client.get(reverse("invitation_accept", args=["made-up-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_it_lists_pending_invitations_only(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    invite(email="pending@example.org", role=Role.STATE_ADMIN)
    invite(email="gone@example.org", role=Role.STATE_ADMIN)
    gone = Invitation.objects.get(email="gone@example.org")
    client.post(reverse("agencies:invitation_revoke", args=[gone.pk]))
    client.get(reverse("agencies:people"))  # shows (and so clears) the flash messages
    page = client.get(reverse("agencies:people")).content.decode()
    assert "pending@example.org" in page
    assert "gone@example.org" not in page


def test_it_makes_the_inviter_choose_a_role(client, tenant, invite):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    page = client.get(reverse("agencies:people")).content.decode()
    assert '<option value="" selected>Choose a role</option>' in page
    response = invite(email="someone@example.org", role="")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_keeps_a_supervisor_to_the_agency_they_supervise_even_with_another_role(
    client, tenant, invite
):
    # This supervisor is also a trainer assigned to the other agency: as a trainer they see
    # it, but they manage the staff of the agency they supervise only.
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    grant(supervisor, tenant.collaborative, Role.STATE_TRAINER, [tenant.other_agency])
    client.force_login(supervisor)
    page = client.get(reverse("agencies:people")).content.decode()
    assert f'value="{tenant.other_agency.pk}"' not in page
    response = invite(
        email="es3@example.org", role=Role.EMPLOYMENT_SPECIALIST, agencies=[tenant.other_agency.pk]
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert (
        invite(
            email="es3@example.org", role=Role.EMPLOYMENT_SPECIALIST, agencies=[tenant.agency.pk]
        ).status_code
        == 302
    )

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from agencies.models import Collaborative, Invitation, Membership, Role


def test_it_creates_a_collaborative_and_invites_its_first_state_admin(
    client, db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_collaborative",
            "--name",
            "Prairie State IPS",
            "--slug",
            "prairie",
            "--state",
            "IL",
            "--admin-email",
            "Director@Example.org",
            "--billing-scheme",
            "missouri",
        )
    collaborative = Collaborative.objects.get(slug="prairie")
    assert collaborative.billing_scheme == "missouri"
    invitation = Invitation.objects.get(collaborative=collaborative)
    assert (invitation.email, invitation.role) == ("director@example.org", Role.STATE_ADMIN)
    [message] = mail.outbox
    link = re.search(r"http://testserver(/invitations/\S+/)", message.body).group(1)
    # The link exists in the email only; the command says where it went.
    out = capsys.readouterr().out
    assert link not in out and "director@example.org" in out

    response = client.post(
        link,
        {
            "full_name": "Dana Director",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(collaborative=collaborative)
    assert (membership.user.email, membership.role) == ("director@example.org", "state_admin")


def test_it_prints_the_link_instead_of_emailing_it_when_asked(client, db, capsys):
    call_command(
        "create_collaborative",
        "--name",
        "Quiet State IPS",
        "--slug",
        "quiet",
        "--state",
        "IA",
        "--admin-email",
        "chief@example.org",
        "--no-email",
    )
    from ipsportal.notifications.models import Delivery

    assert not Delivery.objects.exists() and not mail.outbox
    link = re.search(r"http://testserver(/invitations/\S+/)", capsys.readouterr().out).group(1)
    assert client.get(link).status_code == 200


def test_it_creates_nothing_when_the_slug_is_taken(db):
    call_command(
        "create_collaborative",
        "--name",
        "One",
        "--slug",
        "same",
        "--state",
        "MO",
        "--admin-email",
        "a@example.org",
    )
    with pytest.raises(CommandError, match="slug"):
        call_command(
            "create_collaborative",
            "--name",
            "Two",
            "--slug",
            "same",
            "--state",
            "MO",
            "--admin-email",
            "b@example.org",
        )
    assert Collaborative.objects.count() == 1
    assert Invitation.objects.count() == 1

"""Logging in, out, and back in after a forgotten password (django-allauth, email as login)."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from agencies.models import Role
from ipsportal.models import User
from tests.factories import PASSWORD, grant, make_collaborative, make_user

NEW_PASSWORD = "a-brand-new-passphrase-77"


@pytest.fixture
def person(db):
    """A demo-like state admin: an account with a role in a collaborative."""
    user = make_user("pat.rivera@example.org", full_name="Pat Rivera")
    grant(user, make_collaborative("Auth Collaborative"), Role.STATE_ADMIN)
    return user


def _login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_it_logs_a_member_in_with_email_and_password(client, person):
    response = _login(client, "pat.rivera@example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(person.pk)
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome, Pat Rivera" in home.content.decode()


def test_it_ignores_the_case_of_the_email_at_login(client, person):
    response = _login(client, "Pat.RIVERA@Example.org", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(person.pk)


def test_it_explains_a_wrong_password(client, person):
    response = _login(client, "pat.rivera@example.org", "not-the-password")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    body = response.content.decode()
    assert "email address and/or password you specified are not correct" in body
    assert 'role="alert"' in body


def test_it_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_logs_out_only_on_post(client, person):
    client.force_login(person)
    # A link or an image must not be able to log someone out.
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert SESSION_KEY in client.session
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


def test_it_lets_a_person_reset_a_forgotten_password_by_email(client, person):
    response = client.post(reverse("account_reset_password"), {"email": "PAT.rivera@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat.rivera@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body)
    assert link, message.body

    # The emailed link stores the key in the session and redirects to a key-less URL.
    opened = client.get(link.group(1), follow=True)
    assert opened.status_code == 200
    assert "password1" in opened.content.decode()
    set_url = opened.redirect_chain[-1][0]
    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    assert SESSION_KEY not in client.session  # it does not log the person in by itself

    assert _login(client, "pat.rivera@example.org", PASSWORD).status_code == 200
    assert SESSION_KEY not in client.session
    assert _login(client, "pat.rivera@example.org", NEW_PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(person.pk)


def test_it_does_not_reuse_a_password_reset_link(client, person):
    client.post(reverse("account_reset_password"), {"email": person.email})
    path = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = client.get(path, follow=True)
    assert "password1" not in again.content.decode()
    assert "This link no longer works" in again.content.decode()


def test_it_applies_the_password_rules_on_reset(client, person):
    client.post(reverse("account_reset_password"), {"email": person.email})
    path = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_it_lets_a_logged_in_person_change_their_password(client, person):
    client.force_login(person)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # Changing the password keeps the current session (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE off).
    assert client.session[SESSION_KEY] == str(person.pk)


def test_it_has_no_public_sign_up(client, db):
    page = client.get("/accounts/signup/")
    assert "Sign Up Closed" in page.content.decode()
    client.post(
        "/accounts/signup/",
        {"email": "stranger@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not User.objects.filter(email="stranger@example.org").exists()
    assert SESSION_KEY not in client.session


def test_it_speaks_of_invitations_not_sign_up_on_the_login_page(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert "invitation" in page
    assert "sign up" not in page.lower()
    assert "Keep me logged in on this device" in page
    assert "ipsportal/favicon.svg" in page

"""The password-reset pages and mail speak in the portal's words, and an address without an
account gets a short note saying so and whom to ask, never a link to a sign-up that does not
exist."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_user

LIBRARY_WORDING = ("Reset My Password", "Password Reset", "Hello from", "Thank you for using")


@pytest.fixture
def person(db):
    return make_user("sam.ortiz@example.org", full_name="Sam Ortiz")


def test_it_writes_the_reset_mail_in_the_portals_words(client, person):
    client.post(
        reverse("account_reset_password"), {"email": person.email}, HTTP_HOST="127.0.0.1:8101"
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Choose a new password for IPS Portal"
    assert "sam.ortiz@example.org" in message.body
    assert "ignore this message" in message.body
    assert not any(words in message.subject + message.body for words in LIBRARY_WORDING)
    # The link follows the address the person used (here the port of `make run IPS_PORT=8101`).
    assert re.search(r"http://127\.0\.0\.1:8101/accounts/password/reset/key/\S+/", message.body)


def test_it_tells_an_unknown_address_it_has_no_account_and_whom_to_ask(client, person):
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    known = client.post(reverse("account_reset_password"), {"email": person.email})
    # The page answers alike, so it does not tell who has an account ...
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]

    # ... and the note goes to the mailbox, where only its owner reads it.
    note = mail.outbox[0]
    assert note.to == ["nobody@example.org"]
    assert note.subject == "No IPS Portal account uses this address"
    assert "state admin of your collaborative" in note.body
    assert "invitation" in note.body
    assert "signup" not in note.body and "sign up" not in note.body.lower()
    assert not re.search(r"https?://", note.body), "the note links to nothing"
    assert not any(words in note.subject + note.body for words in LIBRARY_WORDING)
    assert mail.outbox[1].subject == "Choose a new password for IPS Portal"


def test_it_words_the_reset_pages_in_the_portals_voice(client, person):
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "Forgot your password?" in page and "Email me a link" in page
    done = client.get(reverse("account_reset_password_done")).content.decode()
    assert "Check your email" in done

    client.post(reverse("account_reset_password"), {"email": person.email})
    path = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    opened = client.get(path, follow=True)
    form_page = opened.content.decode()
    assert "Choose a new password" in form_page and "Save new password" in form_page
    new_password = "a-brand-new-passphrase-77"
    client.post(
        opened.redirect_chain[-1][0], {"password1": new_password, "password2": new_password}
    )
    finished = client.get(reverse("account_reset_password_from_key_done")).content.decode()
    assert "Your password is changed" in finished

    spent = client.get(path, follow=True).content.decode()
    assert "This link no longer works" in spent
    assert 'href="/accounts/password/reset/"' in spent

    for body in (page, done, form_page, finished, spent):
        assert not any(words in body for words in LIBRARY_WORDING)

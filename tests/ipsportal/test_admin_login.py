"""The operators' admin site has no login of its own: the portal's login (allauth, with the
second factor when the account has one, and its throttling) is the only way in."""

import random
import time
import uuid
from urllib.parse import quote

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user

ADMIN = "/" + settings.ADMIN_URL
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def operator(db):
    return make_user(
        f"operator-{uuid.uuid4().hex[:10]}@example.org", is_staff=True, is_superuser=True
    )


def portal_login(client, email, password, next_url=ADMIN):
    return client.post(
        f"{reverse('account_login')}?next={quote(next_url)}",
        {"login": email, "password": password},
    )


def current_code() -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // mfa_settings.TOTP_PERIOD))


def test_it_sends_the_admin_login_to_the_portal_login(client, db):
    response = client.get(f"{ADMIN}login/?next={ADMIN}")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(ADMIN, safe='')}"

    page = client.get(ADMIN, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "Log in to IPS Portal" in page.content.decode()


def test_it_ignores_credentials_posted_to_the_admin_login(client, operator):
    response = client.post(
        f"{ADMIN}login/", {"username": operator.email, "password": PASSWORD, "next": ADMIN}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SESSION_KEY not in client.session
    assert client.get(ADMIN).status_code == 302


def test_it_lets_an_operator_into_the_admin_through_the_portal_login(client, operator):
    response = portal_login(client, operator.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == ADMIN
    page = client.get(ADMIN)
    assert page.status_code == 200
    assert "IPS Portal operations" in page.content.decode()


def test_it_asks_an_operator_with_two_factor_for_the_code_before_the_admin(client, operator):
    TOTP.activate(operator, SECRET)
    response = portal_login(client, operator.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone opens nothing, neither the admin nor the portal.
    assert SESSION_KEY not in client.session
    assert client.get(ADMIN).status_code == 302
    assert client.get("/").status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert SESSION_KEY not in client.session

    # Time stands still between reading the code off the "app" and typing it in.
    with time_machine.travel(time.time(), tick=False):
        response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302
    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_it_refuses_the_admin_to_a_signed_in_person_who_is_not_staff(client, db):
    person = make_user(f"member-{uuid.uuid4().hex[:10]}@example.org")
    client.force_login(person)
    page = client.get(ADMIN, follow=True)
    # No loop between the admin and the portal's login: a plain refusal.
    assert page.status_code == 403
    assert len(page.redirect_chain) == 1


def test_it_throttles_thirty_wrong_passwords_at_the_admin_login(settings, operator):
    settings.ACCOUNT_RATE_LIMITS = settings.SIGN_IN_RATE_LIMITS
    client = Client(REMOTE_ADDR="10." + ".".join(str(random.randint(0, 255)) for _ in range(3)))
    start = client.get(f"{ADMIN}login/?next={ADMIN}")["Location"]
    answers = [
        client.post(start, {"login": operator.email, "password": f"guess-{n}"}).content.decode()
        for n in range(30)
    ]
    assert all("are not correct" in a for a in answers[:5])
    assert all("Too many failed login attempts" in a for a in answers[5:])
    # The 31st login from that address within the minute is not even read (allauth's own
    # limit on logins per address), and is answered in the portal's words.
    refused = client.post(start, {"login": operator.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(ADMIN).status_code == 302

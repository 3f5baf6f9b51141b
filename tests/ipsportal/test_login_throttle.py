"""Failed logins are throttled per client address and per (account, address), so a stranger who
knows someone's email address slows only themselves; a much higher ceiling per account is
logged when reached (ipsportal.login_throttle).

The suite switches rate limits off (tests/conftest.py); these tests switch the portal's own
limits back on. The counters live in the cache (Redis when REDIS_URL is set, kept between
runs), so every test uses a fresh account and fresh client addresses."""

import datetime
import logging
import random
import re
import uuid

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from ipsportal import login_throttle
from tests.factories import PASSWORD, make_user

THROTTLED = "Too many failed login attempts"
WRONG = "email address and/or password you specified are not correct"


@pytest.fixture(autouse=True)
def rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = settings.SIGN_IN_RATE_LIMITS


@pytest.fixture(autouse=True)
def start_of_an_hour():
    # The counters count in fixed windows (a minute, five minutes, an hour): start each test
    # as one begins, or attempts that straddle two windows (on a busy machine) are counted
    # apart and the limit is never reached.
    hour = datetime.datetime.now(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(hour, tick=True):
        yield


@pytest.fixture
def person(db):
    return make_user(f"throttle-{uuid.uuid4().hex[:12]}@example.org")


def fresh_address() -> str:
    # From 10/8, random per test: earlier runs' counters in Redis never get in the way.
    return "10." + ".".join(str(random.randint(0, 255)) for _ in range(3))


def attempt(email: str, password: str, address: str, **headers) -> tuple[int, str, Client]:
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return response.status_code, response.content.decode(), client


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_it_lets_the_victim_log_in_while_an_attacker_elsewhere_is_throttled(person):
    attacker, victim = fresh_address(), fresh_address()
    for _ in range(5):
        status, body, _ = attempt(person.email, "a-wrong-guess-1", attacker)
        assert status == 200 and WRONG in body
    status, body, _ = attempt(person.email, "a-wrong-guess-2", attacker)
    assert THROTTLED in body
    # Throttled means the password is not even checked: the right one is refused there too.
    _, body, client = attempt(person.email, PASSWORD, attacker)
    assert THROTTLED in body and not logged_in(client)

    status, _, client = attempt(person.email, PASSWORD, victim)
    assert status == 302
    assert client.session[SESSION_KEY] == str(person.pk)


def test_it_lets_a_person_who_mistyped_in_and_does_not_count_the_success(person):
    address = fresh_address()
    for _ in range(4):
        assert WRONG in attempt(person.email, "a-typo-1", address)[1]
    status, _, client = attempt(person.email, PASSWORD, address)
    assert status == 302 and logged_in(client)
    # The successful attempt was given back: one more mistake is still only a mistake ...
    assert WRONG in attempt(person.email, "a-typo-2", address)[1]
    # ... and the sixth failure in the window is throttled.
    assert THROTTLED in attempt(person.email, "a-typo-3", address)[1]


def test_it_throttles_one_address_trying_many_accounts(db):
    sprayer, elsewhere = fresh_address(), fresh_address()
    accounts = [make_user(f"spray-{uuid.uuid4().hex[:12]}@example.org") for _ in range(11)]
    for account in accounts[:10]:
        assert WRONG in attempt(account.email, "Summer2026!", sprayer)[1]
    assert THROTTLED in attempt(accounts[10].email, "Summer2026!", sprayer)[1]
    # The address is throttled, not the accounts.
    status, _, client = attempt(accounts[0].email, PASSWORD, elsewhere)
    assert status == 302 and logged_in(client)


def test_it_counts_an_ipv6_network_as_one_address(person):
    prefix = f"2001:db8:{random.randint(0, 0xFFFF):x}:{random.randint(0, 0xFFFF):x}"
    for host in range(1, 6):
        assert WRONG in attempt(person.email, "a-wrong-guess", f"{prefix}::{host}")[1]
    assert THROTTLED in attempt(person.email, "a-wrong-guess", f"{prefix}::99")[1]
    status, _, _ = attempt(person.email, PASSWORD, f"2001:db8:ffff:{random.randint(0, 999)}::1")
    assert status == 302


def test_it_takes_the_client_address_from_a_trusted_proxy(settings, person):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy, attacker, victim = fresh_address(), fresh_address(), fresh_address()
    for _ in range(6):
        attempt(person.email, "a-wrong-guess", proxy, HTTP_X_FORWARDED_FOR=attacker)
    assert THROTTLED in attempt(person.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=attacker)[1]
    # The victim comes through the same proxy: only the attacker's address is throttled.
    status, _, _ = attempt(person.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=victim)
    assert status == 302


def test_it_refuses_and_logs_an_account_past_its_ceiling(person, caplog):
    caplog.set_level(logging.WARNING, logger="ipsportal.login_throttle")
    # 100 failures per hour from 25 addresses, each below its own limit of 5.
    for _ in range(25):
        address = fresh_address()
        for _ in range(4):
            assert WRONG in attempt(person.email, "a-distributed-guess", address)[1]
    assert not caplog.records

    # The ceiling holds for every address, the person's own too; that is why it is logged.
    _, body, client = attempt(person.email, PASSWORD, fresh_address())
    assert THROTTLED in body and not logged_in(client)
    attempt(person.email, PASSWORD, fresh_address())
    lines = [r for r in caplog.records if r.name == "ipsportal.login_throttle"]
    assert len(lines) == 1, "logged once per window, not on every refusal"
    assert lines[0].levelno == logging.WARNING
    message = lines[0].getMessage()
    assert person.email in message and "ceiling" in message and "100 per 3600 s" in message


def test_it_does_not_refuse_an_account_below_its_ceiling(person, caplog):
    caplog.set_level(logging.WARNING, logger="ipsportal.login_throttle")
    for _ in range(24):
        address = fresh_address()
        for _ in range(4):
            attempt(person.email, "a-distributed-guess", address)
    for _ in range(3):
        attempt(person.email, "a-distributed-guess", fresh_address())
    # 99 failures: the next attempt is still checked.
    status, _, client = attempt(person.email, PASSWORD, fresh_address())
    assert status == 302 and logged_in(client)
    assert not caplog.records


def test_it_lets_a_person_in_at_once_after_resetting_the_password(person):
    address = fresh_address()
    for _ in range(6):
        attempt(person.email, "forgot-it", address)
    assert THROTTLED in attempt(person.email, PASSWORD, address)[1]

    client = Client(REMOTE_ADDR=address)
    client.post(reverse("account_reset_password"), {"email": person.email})
    path = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase-77"
    client.post(set_url, {"password1": new_password, "password2": new_password})

    status, _, client = attempt(person.email, new_password, address)
    assert status == 302 and logged_in(client)


def test_it_does_not_throttle_when_rate_limits_are_off(settings, person):
    settings.ACCOUNT_RATE_LIMITS = False
    address = fresh_address()
    for _ in range(12):
        assert WRONG in attempt(person.email, "a-wrong-guess", address)[1]
    assert attempt(person.email, PASSWORD, address)[0] == 302


def test_it_reads_rates_as_allauth_writes_them():
    assert login_throttle.Rate.parse("5/5m") == login_throttle.Rate(5, 300)
    assert login_throttle.Rate.parse("100/h") == login_throttle.Rate(100, 3600)
    with pytest.raises(ValueError):
        login_throttle.Rate.parse("5/5 minutes")

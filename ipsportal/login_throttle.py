"""Throttling of failed logins, keyed so that a stranger slows only themselves.

allauth's own limit on failed logins counts per account alone, so anyone who knows a person's
email address can lock that person out from anywhere. Here failed logins are counted in the
cache (Redis in production, shared by every web process) in three ways, each with its own
rates (``ACCOUNT_RATE_LIMITS``, see the settings):

``login_failed_address``
    per client address, whatever account it tries (password spraying);
``login_failed_account_address``
    per (account, client address): the one a person mistyping their password meets;
``login_failed_account``
    per account across all addresses: a much higher ceiling against a brute force spread over
    many addresses. Reaching it is logged, since it also keeps the real person out until the
    window ends.

An attempt is counted before the password is checked (parallel guesses cannot slip past) and
given back when it succeeds, so a person's own successful logins never use up their allowance.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

ADDRESS = "login_failed_address"
ACCOUNT_ADDRESS = "login_failed_account_address"
ACCOUNT = "login_failed_account"
#: Checked in this order: an address already refused does not use up the account's ceiling.
SCOPES = (ADDRESS, ACCOUNT_ADDRESS, ACCOUNT)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """At most ``amount`` failed logins per ``seconds``."""

    amount: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"5/5m"``: five per five minutes (the units of allauth's rates: s, m, h, d)."""
        amount, _, period = text.strip().partition("/")
        unit = period[-1:]
        if unit not in _UNITS:
            raise ValueError(f"Unknown unit in the rate {text!r}")
        return cls(int(amount), int(period[:-1] or 1) * _UNITS[unit])

    def __str__(self) -> str:
        return f"{self.amount} per {self.seconds} s"


def rates(scope: str) -> list[Rate]:
    """The rates configured for ``scope``; none when rate limits are switched off."""
    from allauth.account import app_settings

    configured = app_settings.RATE_LIMITS.get(scope) or ""
    return [Rate.parse(part) for part in configured.split(",") if part.strip()]


def client_address(request: HttpRequest) -> str:
    """The client's address as allauth sees it (it honours ``ALLAUTH_TRUSTED_PROXY_COUNT``);
    an IPv6 address stands for its /64 network, which one household or server usually holds."""
    from allauth.account.adapter import get_adapter

    address = get_adapter(request).get_client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _digest(*parts: str) -> str:
    # Cache keys carry no email address in the clear.
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


@dataclass
class Attempt:
    """The counters one login attempt took; give them back if the password was right."""

    keys: list[str] = field(default_factory=list)

    def give_back(self) -> None:
        for key in self.keys:
            with contextlib.suppress(ValueError):  # the window ended meanwhile
                cache.decr(key)
        self.keys.clear()


class Throttled(Exception):
    """Too many failed logins in one of the scopes: refuse without checking the password."""


def _identities(address: str, account: str) -> dict[str, str]:
    return {
        ADDRESS: _digest(address),
        ACCOUNT_ADDRESS: _digest(account, address),
        ACCOUNT: _digest(account),
    }


def _key(scope: str, rate: Rate, identity: str, now: float) -> str:
    window = int(now // rate.seconds)
    return f"ips:login-failed:{scope}:{rate.seconds}:{identity}:{window}"


def attempt_begin(request: HttpRequest, login: str) -> Attempt:
    """Count a login attempt for ``login`` (the email address typed) from the request's client
    address in every scope, or raise :class:`Throttled` (taking nothing) if one is used up."""
    address = client_address(request)
    account = login.strip().lower()
    identities = _identities(address, account)
    attempt = Attempt()
    now = time.time()
    for scope in SCOPES:
        for rate in rates(scope):
            key = _key(scope, rate, identities[scope], now)
            # The key outlives its window a little, so a late give_back finds it.
            cache.add(key, 0, timeout=rate.seconds + 60)
            attempt.keys.append(key)
            if cache.incr(key) > rate.amount:
                attempt.give_back()
                if scope == ACCOUNT:
                    _log_ceiling(account, address, rate, key)
                raise Throttled(scope)
    return attempt


def account_address_clear(request: HttpRequest, login: str) -> None:
    """Forget the failed logins to ``login`` from the request's address (after the person
    proved they hold the mailbox by resetting the password). The per-address counter and the
    account's ceiling stay: they count what others did too."""
    account = login.strip().lower()
    identity = _identities(client_address(request), account)[ACCOUNT_ADDRESS]
    now = time.time()
    cache.delete_many(
        [_key(ACCOUNT_ADDRESS, rate, identity, now) for rate in rates(ACCOUNT_ADDRESS)]
    )


def _log_ceiling(account: str, address: str, rate: Rate, key: str) -> None:
    # Once per window: every further refusal would only repeat it.
    if cache.add(f"{key}:logged", True, timeout=rate.seconds + 60):
        logger.warning(
            "Failed logins to the account %r reached the ceiling of %s from all addresses "
            "(the last from %s); its logins are refused until the window ends.",
            account,
            rate,
            address,
        )

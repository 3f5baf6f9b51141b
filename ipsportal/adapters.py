from allauth.account.adapter import DefaultAccountAdapter

from ipsportal import login_throttle


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up: state admins and supervisors invite people into a role. Failed logins
    are throttled per address and per (account, address), see :mod:`ipsportal.login_throttle`."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def authenticate(self, request, **credentials):
        login = credentials.get("email") or credentials.get("username") or ""
        try:
            attempt = login_throttle.attempt_begin(request, login)
        except login_throttle.Throttled:
            raise self.validation_error("too_many_login_attempts") from None
        user = super().authenticate(request, **credentials)
        if user is not None:
            attempt.give_back()
        return user

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # allauth calls this after a successful password reset, for each of the user's
        # addresses: the person may log in again from where they are at once.
        super()._delete_login_attempts_cached_email(request, **credentials)
        login_throttle.account_address_clear(request, credentials.get("email", ""))

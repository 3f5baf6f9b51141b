from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up: state admins and supervisors invite people into a role."""

    def is_open_for_signup(self, request) -> bool:
        return False

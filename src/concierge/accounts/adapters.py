from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """People come from the organisation's directory or the admin: nobody signs up alone."""

    def is_open_for_signup(self, request) -> bool:
        return False

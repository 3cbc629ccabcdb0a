from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "concierge.accounts"
    label = "accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from concierge.accounts import checks  # noqa: F401  (registers the checks)
        from concierge.accounts.receivers import sign_in_succeeded
        from concierge.accounts.roles import ensure_role_groups

        user_logged_in.connect(sign_in_succeeded, dispatch_uid="concierge_sign_in_audit")
        from django.db.models.signals import m2m_changed

        from concierge.accounts.models import User
        from concierge.accounts.receivers import memberships_changed

        m2m_changed.connect(memberships_changed, sender=User.groups.through,
                            dispatch_uid="concierge_memberships_changed")
        from allauth.mfa.signals import authenticator_removed

        from concierge.accounts.mfa import mfa_forget_check

        authenticator_removed.connect(mfa_forget_check, dispatch_uid="concierge_mfa_removed")

        # After every app's migrations: permissions of later apps exist only once they ran.
        post_migrate.connect(ensure_role_groups, dispatch_uid="concierge_role_groups")

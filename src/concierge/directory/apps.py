from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "concierge.directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        # Registers the directory's fulfilment actions (directory.create_account, ...).
        from concierge.directory import actions  # noqa: F401

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do beyond ordering for themselves. Everyone is an employee."""

    EMPLOYEE = "employee", _("Employee")
    AGENT = "agent", _("Agent")
    CATALOG_MANAGER = "catalog_manager", _("Catalog manager")
    KNOWLEDGE_MANAGER = "knowledge_manager", _("Knowledge manager")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    ADMIN = "admin", _("Administrator")


# Roles held through a Django group of the same name (employee is implicit).
GROUP_ROLES = [Role.AGENT, Role.CATALOG_MANAGER, Role.KNOWLEDGE_MANAGER, Role.SERVICE_MANAGER,
               Role.ADMIN]


class Language(models.TextChoices):
    EN = "en", "English"
    DE = "de", "Deutsch"


class SignInOutcome(models.TextChoices):
    SUCCESS = "success", _("Signed in")
    FAILURE = "failure", _("Failed")
    LOCKED = "locked", _("Refused: too many failures")
    REFUSED = "refused", _("Refused")

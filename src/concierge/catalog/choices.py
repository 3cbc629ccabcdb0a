from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    """What submitting the item's form creates."""

    REQUEST = "request", _("Request")
    INCIDENT = "incident", _("Something is broken")

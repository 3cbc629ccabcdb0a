from django.db import models
from django.utils.translation import gettext_lazy as _


class StageStatus(models.TextChoices):
    """Where one approval stage of a request stands."""

    WAITING = "waiting", _("Not started")
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Not needed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    PENDING = "pending", _("Open")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("No longer needed")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail link")


class Mode(models.TextChoices):
    ANY = "any", _("Any one approver")
    ALL = "all", _("All approvers")
    QUORUM = "quorum", _("A number of approvers")

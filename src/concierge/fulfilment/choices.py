from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    """Who does a fulfilment task."""

    GROUP = "group", _("IT group")
    REQUESTER = "requester", _("The person it is for")
    ACTION = "action", _("Automatic")


class RequesterTask(models.TextChoices):
    """What a task for the employee asks of them."""

    CONFIRM_RECEIPT = "confirm_receipt", _("Confirm receipt")
    PICK_SLOT = "pick_slot", _("Pick an appointment")
    ANSWER = "answer", _("Answer a question")


class TaskStatus(models.TextChoices):
    WAITING = "waiting", _("Not yet")
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


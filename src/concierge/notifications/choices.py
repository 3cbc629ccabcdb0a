from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about; people choose per kind whether they also want e-mail."""

    REQUESTS = "requests", _("Updates on my requests")
    COMMENTS = "comments", _("Replies and comments")
    APPROVALS = "approvals", _("Decisions waiting for me")
    TASKS = "tasks", _("Tasks and reminders for me")
    KNOWLEDGE = "knowledge", _("Articles I own that need a review")


KIND_HELP = {
    Kind.REQUESTS: _("Submitted, approved, rejected, in progress, resolved."),
    Kind.COMMENTS: _("When the service desk or someone else writes on your request."),
    Kind.APPROVALS: _("Requests you are asked to approve, and reminders."),
    Kind.TASKS: _("Confirm receipt, pick an appointment, answer a question, overdue work."),
    Kind.KNOWLEDGE: _("For knowledge managers: review dates that have passed."),
}

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    REFUSED = "refused", _("Refused (too many attempts)")
    UNAVAILABLE = "unavailable", _("Directory not reachable")


class ChangeKind(models.TextChoices):
    """What a fulfilment step did (or will do, on its date) in the directory."""

    CREATE_ACCOUNT = "create_account", _("Create the account")
    DELETE_ACCOUNT = "delete_account", _("Delete the account")
    ENABLE_ACCOUNT = "enable_account", _("Enable the account")
    DISABLE_ACCOUNT = "disable_account", _("Disable the account")
    ADD_TO_GROUP = "add_to_group", _("Add to a group")
    REMOVE_FROM_GROUP = "remove_from_group", _("Remove from a group")


INVERSE = {
    ChangeKind.CREATE_ACCOUNT: ChangeKind.DELETE_ACCOUNT,
    ChangeKind.ENABLE_ACCOUNT: ChangeKind.DISABLE_ACCOUNT,
    ChangeKind.DISABLE_ACCOUNT: ChangeKind.ENABLE_ACCOUNT,
    ChangeKind.ADD_TO_GROUP: ChangeKind.REMOVE_FROM_GROUP,
    ChangeKind.REMOVE_FROM_GROUP: ChangeKind.ADD_TO_GROUP,
}


class ChangeStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    UNDONE = "undone", _("Undone")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


CHANGE_COLOUR = {ChangeStatus.SCHEDULED: "amber", ChangeStatus.DONE: "green",
                 ChangeStatus.UNDONE: "grey", ChangeStatus.CANCELLED: "grey",
                 ChangeStatus.FAILED: "red"}

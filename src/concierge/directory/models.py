import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concierge.directory.choices import CHANGE_COLOUR, AuditResult, ChangeKind, ChangeStatus


class AuditEvent(models.Model):
    """One attempt at a directory operation: a sign-in, a reset step, a password change.

    Written for successes and failures alike; never holds a password or a code. ``login`` is
    what the person typed (they may not have an account), ``user`` the portal account if known.
    """

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("what"), max_length=60)
    result = models.CharField(_("result"), max_length=12, choices=AuditResult.choices)
    login = models.CharField(_("name given"), max_length=254, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("person"))
    dn = models.CharField(_("directory entry"), max_length=500, blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["login", "created_at"])]
        verbose_name = _("directory audit event")
        verbose_name_plural = _("directory audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.result}"


class DirectoryChange(models.Model):
    """A change a fulfilment step made in the directory, or will make on ``due_on``.

    Agents can undo a done change: the inverse change is applied and recorded as a new row
    pointing back at it (``undoes``).
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="directory_changes")
    task = models.ForeignKey("fulfilment.Task", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="directory_changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    dn = models.CharField(max_length=500)
    group = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ChangeStatus.choices,
                              default=ChangeStatus.SCHEDULED)
    undoes = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="undone_by")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ticket", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        verbose_name = _("directory change")
        verbose_name_plural = _("directory changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dn} {self.group}".strip()

    @property
    def status_colour(self) -> str:
        return CHANGE_COLOUR.get(self.status, "grey")

    @property
    def can_be_undone(self) -> bool:
        return self.status == ChangeStatus.DONE and self.kind != ChangeKind.DELETE_ACCOUNT


class ResetChallenge(models.Model):
    """One self-service reset from the sign-in page, from the name typed to the new password.

    Made for every attempt, whether or not the account exists (``dn`` is then empty), so the
    answers look the same. The code sent to the person is stored only as a keyed hash.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    login = models.CharField(max_length=254)
    dn = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+")
    address = models.GenericIPAddressField(null=True, blank=True)
    code_hash = models.CharField(max_length=128, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.login} {self.created_at:%Y-%m-%d %H:%M}"

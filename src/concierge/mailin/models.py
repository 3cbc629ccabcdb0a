from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concierge.mailin.choices import MessageStatus


class InboundMessage(models.Model):
    """One e-mail that reached the support address, kept whatever became of it.

    ``status`` says what happened: processed (a ticket or a message on one), dropped (a loop,
    an auto-reply, an unknown sender, someone writing to a ticket that is not theirs) or failed
    (a mail we could not read); ``reason`` says why. ``raw`` is the message as received, so
    nothing is lost and a failed one can be looked at in the admin, until the retention job
    deletes it (see ``services.inbound_retention_apply``).
    """

    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True, db_index=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    envelope_from = models.CharField(_("envelope sender"), max_length=254, blank=True)
    recipients = models.CharField(_("to"), max_length=1000, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices,
                              default=MessageStatus.RECEIVED)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("sender"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="inbound_messages",
                               verbose_name=_("ticket"))
    comment = models.ForeignKey("tickets.Comment", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("message"))
    raw = models.BinaryField(_("message as received"))
    # Set when the retention job deleted ``raw`` (RETENTION_MAIL_SOURCE_DAYS); the rest stays.
    raw_deleted_at = models.DateTimeField(_("source deleted"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["from_address", "-received_at"]),
                   models.Index(fields=["status", "-received_at"]),
                   # The retention job's search: sources still kept, oldest first.
                   models.Index(fields=["received_at"], name="inbound_source_kept_idx",
                                condition=models.Q(raw_deleted_at__isnull=True))]
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject or '(no subject)'}"

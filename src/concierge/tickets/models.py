import re
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.catalog.models import CatalogItem
from concierge.core.i18n import choice_label
from concierge.sla.engine import clock_state
from concierge.tickets.choices import (
    CANCELLABLE_STATUSES,
    OPEN_STATUSES,
    STATUS_COLOUR,
    TICKET_PREFIX,
    Priority,
    TicketKind,
    TicketStatus,
)

NUMBER_RE = re.compile(r"^\s*(?:(REQ|INC)-?)?0*(\d{1,12})\s*$", re.IGNORECASE)


class Ticket(models.Model):
    """A request or an incident, with the answers and price as they were when submitted.

    ``answers`` is a list of ``{"key", "type", "label", "value", "display", "step"}`` where
    ``label`` and ``display`` keep every language's text, so later edits of the form never change
    what was asked. The number (``REQ-000123``) is derived from the primary key.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=TicketKind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices,
                              default=TicketStatus.SUBMITTED)
    priority = models.CharField(_("priority"), max_length=1, choices=Priority.choices,
                                default=Priority.MEDIUM)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="tickets_requested", verbose_name=_("requester"))
    requested_for = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="tickets_received",
                                      verbose_name=_("requested for"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="tickets")
    item = models.ForeignKey(CatalogItem, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="tickets", verbose_name=_("service"))
    item_name = models.JSONField(_("service name"), default=dict)
    answers = models.JSONField(_("answers"), default=list)
    price_once = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    price_monthly = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    delivery_days = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    due_at = models.DateTimeField(_("expected by"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # Who works on it (the service desk, see desk/).
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="tickets_assigned",
                                 verbose_name=_("assignee"))
    group = models.ForeignKey("auth.Group", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="tickets", verbose_name=_("group"))
    # Links between tickets: a duplicate points at the ticket that is kept; a child at its parent.
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="duplicates", verbose_name=_("duplicate of"))
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="children", verbose_name=_("parent"))
    # Service levels (see sla/): deadlines in wall-clock time, moved on when the clock is paused.
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("clock paused"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(default=0)
    # Waiting for the requester: when the reminder went out (auto-close follows later).
    waiting_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "-created_at"]),
            models.Index(fields=["requested_for", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            # Cover the desk's queues (filter, order, count) without reading the rows: all
            # tickets, and assigned to someone (or nobody).
            models.Index(fields=["assignee", "status", "organisation", "group", "created_at"],
                         name="ticket_desk_assignee_idx"),
            models.Index(fields=["group", "status", "-created_at"]),
            models.Index(fields=["status", "resolution_due_at"]),
            models.Index(fields=["status", "organisation", "group", "assignee", "created_at"],
                         name="ticket_desk_queue_idx"),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    # Faster than Django's own (see choice_label); list pages show these on every row.
    def get_kind_display(self) -> str:
        return choice_label(TicketKind, self.kind)

    def get_status_display(self) -> str:
        return choice_label(TicketStatus, self.status)

    def get_priority_display(self) -> str:
        return choice_label(Priority, self.priority)

    @property
    def number(self) -> str:
        return f"{TICKET_PREFIX.get(self.kind, 'REQ')}-{self.pk or 0:06d}"

    @property
    def status_colour(self) -> str:
        return STATUS_COLOUR.get(self.status, "grey")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def can_be_cancelled(self) -> bool:
        return self.status in CANCELLABLE_STATUSES

    @property
    def sla_state(self) -> str | None:
        """on_time, at_risk, breached or paused (None without a service-level target)."""
        return clock_state(
            now=timezone.now(), paused_at=self.sla_paused_at,
            response_due=self.response_due_at, responded_at=self.first_response_at,
            response_warn=self.response_warn_at, resolution_due=self.resolution_due_at,
            resolved_at=self.resolved_at, resolution_warn=self.resolution_warn_at)


class Draft(models.Model):
    """A request form someone started and has not submitted yet (one per person and item)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="drafts")
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="drafts")
    answers = models.JSONField(default=dict)
    step = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="one_draft_per_item")]

    def __str__(self) -> str:
        return f"Draft {self.item} by {self.user}"


class Comment(models.Model):
    """A message on a ticket: a public reply, or an internal note (``is_public=False``) that only
    agents ever see."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(_("message"))
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.ticket.number}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the uploaded name on disk: it is kept in ``name`` and given back on download.
    return f"attachments/{instance.key.hex[:2]}/{instance.key.hex}"


class Attachment(models.Model):
    """An uploaded file, on a draft, a ticket or a comment; served only by a checked view."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="attachments")
    question_key = models.CharField(max_length=40, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="attachments")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="attachments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tickets:attachment", args=[self.key])


class Activity(models.Model):
    """One thing that happened to a ticket, by whom, with a dotted action name."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    action = models.CharField(max_length=60)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.action} on {self.ticket_id}"

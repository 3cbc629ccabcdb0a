from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concierge.fulfilment.choices import RequesterTask, TaskKind, TaskStatus


class Task(models.Model):
    """One piece of work that delivers a request: for an IT group, the employee, or automatic.

    Copied from the item's fulfilment plan when the request may go ahead; ``after`` holds the
    keys of tasks that must be done first.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="tasks")
    key = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField()
    title = models.JSONField(default=dict)
    kind = models.CharField(max_length=12, choices=TaskKind.choices)
    requester_task = models.CharField(max_length=20, choices=RequesterTask.choices, blank=True)
    group = models.ForeignKey("auth.Group", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="fulfilment_tasks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="fulfilment_tasks")
    action = models.CharField(max_length=60, blank=True)
    params = models.JSONField(default=dict, blank=True)
    question = models.JSONField(default=dict, blank=True)
    answer = models.TextField(blank=True)
    after = models.JSONField(default=list, blank=True)
    due_days = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=12, choices=TaskStatus.choices,
                              default=TaskStatus.WAITING)
    due_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["ticket", "position"]
        constraints = [models.UniqueConstraint(fields=["ticket", "key"],
                                               name="one_task_per_key")]
        indexes = [models.Index(fields=["status", "group"]),
                   models.Index(fields=["status", "assignee"])]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.key}"

    def get_absolute_url(self) -> str:
        return reverse("fulfilment:task", args=[self.pk])


class Slot(models.Model):
    """An appointment an IT group offers (e.g. to swap a laptop); one task may take it."""

    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="slots",
                              verbose_name=_("group"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    task = models.OneToOneField(Task, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="slot")

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")

    def __str__(self) -> str:
        return f"{self.group} {self.starts_at:%Y-%m-%d %H:%M}"

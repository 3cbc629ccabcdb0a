from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.approvals.choices import Channel, Decision, Mode, StageStatus


class Approval(models.Model):
    """One stage of approval of one request, copied from the item's policy when submitted."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="approvals")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=40)
    title = models.JSONField(default=dict)
    approvers_rule = models.CharField(max_length=120)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ANY)
    quorum = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=StageStatus.choices,
                              default=StageStatus.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ticket", "position"]
        constraints = [models.UniqueConstraint(fields=["ticket", "position"],
                                               name="one_stage_per_position")]
        verbose_name = _("approval stage")
        verbose_name_plural = _("approval stages")

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.key}"

    @property
    def needed(self) -> int:
        """Approvals it takes to pass this stage, given its votes."""
        voters = sum(1 for vote in self.votes.all() if vote.decision != Decision.WITHDRAWN)
        if self.mode == Mode.ALL:
            return voters
        if self.mode == Mode.QUORUM:
            return min(self.quorum, voters)
        return 1


class Vote(models.Model):
    """One approver's part in a stage: open until they approve or reject."""

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="votes")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="approval_votes", verbose_name=_("approver"))
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("deputy for"))
    decision = models.CharField(max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["approval", "pk"]
        constraints = [models.UniqueConstraint(fields=["approval", "approver"],
                                               name="one_vote_per_approver")]
        indexes = [models.Index(fields=["approver", "decision"])]

    def __str__(self) -> str:
        return f"{self.approver} on {self.approval}"

    def get_absolute_url(self) -> str:
        return reverse("approvals:detail", args=[self.pk])


class Delegation(models.Model):
    """While someone is away, their deputy approves in their place."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="delegations", verbose_name=_("person"))
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="deputising", verbose_name=_("deputy"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self) -> str:
        return f"{self.user} → {self.deputy} ({self.starts_on} - {self.ends_on})"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end must not be before the start.")})
        if self.deputy_id and self.deputy_id == self.user_id:
            raise ValidationError({"deputy": _("Please choose someone else as your deputy.")})

    @property
    def is_active(self) -> bool:
        return self.starts_on <= timezone.localdate() <= self.ends_on

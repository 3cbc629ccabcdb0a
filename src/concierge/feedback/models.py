from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concierge.feedback.choices import Channel, SurveyStatus

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Survey(models.Model):
    """The requester's verdict on one resolution of a ticket.

    One row per resolution (``resolved_at`` is the ticket's at the time), so a ticket that is
    reopened and resolved again asks again. ``agent`` and ``group`` are who had the ticket
    when it was resolved, kept here so reports do not change when it is reassigned later.
    A survey is only answerable while the ticket is still in the resolution it asks about.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="surveys", verbose_name=_("ticket"))
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="surveys", verbose_name=_("requester"))
    resolved_at = models.DateTimeField(_("resolved"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="surveys_about",
                              verbose_name=_("agent"))
    group = models.ForeignKey("auth.Group", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="surveys", verbose_name=_("group"))
    status = models.CharField(_("status"), max_length=16, choices=SurveyStatus.choices,
                              default=SurveyStatus.PENDING)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True,
                                              validators=SCORE_VALIDATORS)
    effort = models.PositiveSmallIntegerField(_("ease"), null=True, blank=True,
                                              validators=SCORE_VALIDATORS)
    comment = models.TextField(_("comment"), blank=True)
    reopen_note = models.TextField(_("why it is not fixed"), blank=True)
    channel = models.CharField(_("answered by"), max_length=10, choices=Channel.choices,
                               blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "resolved_at"],
                                    name="one_survey_per_resolution"),
            models.CheckConstraint(condition=models.Q(rating__isnull=True)
                                   | models.Q(rating__gte=1, rating__lte=5),
                                   name="survey_rating_1_to_5"),
            models.CheckConstraint(condition=models.Q(effort__isnull=True)
                                   | models.Q(effort__gte=1, effort__lte=5),
                                   name="survey_effort_1_to_5"),
        ]
        indexes = [models.Index(fields=["requester", "status"]),
                   models.Index(fields=["agent", "-created_at"]),
                   models.Index(fields=["group", "-created_at"])]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"Survey on {self.ticket_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("feedback:survey", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == SurveyStatus.PENDING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concierge.notifications.choices import Kind


class Delivery(models.Model):
    """A message sent once: the unique key (event and recipient) makes sending idempotent."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  null=True, blank=True, related_name="+")
    address = models.CharField(max_length=254, blank=True, help_text="For people outside, "
                               "such as a supplier.")
    channel = models.CharField(max_length=20, default="email")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return self.key


class Notification(models.Model):
    """What the bell shows: one line about an event, in every language, and where to look."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.JSONField(_("title"), default=dict)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"]),
                   models.Index(fields=["recipient", "-created_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.key


class Preference(models.Model):
    """Whether a person also wants e-mail for one kind of notification (default: yes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}:{self.email}"

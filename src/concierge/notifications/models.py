from django.conf import settings
from django.db import models


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

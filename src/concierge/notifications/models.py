from django.conf import settings
from django.db import models


class Delivery(models.Model):
    """A message sent once: the unique key (event and recipient) makes sending idempotent."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    channel = models.CharField(max_length=20, default="email")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return self.key

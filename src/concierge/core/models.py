from django.db import models


class ScheduledJob(models.Model):
    """When a periodic job (settings.PERIODIC_TASKS) runs next; shared by every worker."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

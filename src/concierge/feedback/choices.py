from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    REOPENED = "reopened", _("Not fixed, reopened")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")


# The words next to each score, so nobody has to guess which end is good.
RATING_LABELS = {
    1: _("Very poor"),
    2: _("Poor"),
    3: _("OK"),
    4: _("Good"),
    5: _("Excellent"),
}
EFFORT_LABELS = {
    1: _("Very hard"),
    2: _("Hard"),
    3: _("Neither"),
    4: _("Easy"),
    5: _("Very easy"),
}
SCORES = range(1, 6)

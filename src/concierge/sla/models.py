import itertools
import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from concierge.sla.engine import Schedule
from concierge.tickets.choices import Priority

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
INTERVAL_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(hours) -> dict[int, tuple[tuple[int, int], ...]]:
    """``{"mon": ["08:00-12:00", "13:00-18:00"], ...}`` as the engine's minutes per weekday.

    Raises ValidationError with a message for the admin on anything else.
    """
    if not isinstance(hours, dict):
        raise ValidationError(_("Working hours are a mapping of weekday to intervals."))
    parsed = {}
    for key, intervals in hours.items():
        if key not in WEEKDAYS:
            raise ValidationError(_("Unknown weekday “%(day)s” (use mon … sun).") % {"day": key})
        if isinstance(intervals, str):
            intervals = [intervals]
        if not isinstance(intervals, list):
            raise ValidationError(_("Give the hours of %(day)s as a list.") % {"day": key})
        minutes = []
        for interval in intervals:
            match = INTERVAL_RE.match(str(interval))
            if not match:
                raise ValidationError(_("“%(value)s” is not like 08:00-18:00.")
                                      % {"value": interval})
            h1, m1, h2, m2 = (int(part) for part in match.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if m1 > 59 or m2 > 59 or not 0 <= start < end <= 1440:
                raise ValidationError(_("“%(value)s” is not a time span within one day.")
                                      % {"value": interval})
            minutes.append((start, end))
        minutes.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(minutes):
            if s2 < e1:
                raise ValidationError(_("The hours of %(day)s overlap.") % {"day": key})
        parsed[WEEKDAYS.index(key)] = tuple(minutes)
    return parsed


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("“%(value)s” is not a time zone, e.g. Europe/Berlin.")
                              % {"value": value}) from None


class Calendar(models.Model):
    """When the service desk works: a time zone, working hours per weekday, and holidays.

    ``hours`` is ``{"mon": ["08:00-18:00"], ..., "sat": []}``; a missing weekday is a day off.
    The default calendar applies to targets without one of their own.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin",
                                 validators=[validate_time_zone])
    hours = models.JSONField(_("working hours"), default=dict)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business-hours calendar")
        verbose_name_plural = _("business-hours calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            if not any(parse_hours(self.hours).values()):
                raise ValidationError(_("A calendar needs working hours on at least one day."))
        except ValidationError as exc:
            raise ValidationError({"hours": exc.messages}) from None

    def schedule(self, holidays=None) -> Schedule:
        if holidays is None:
            holidays = self.holidays.values_list("date", flat=True)
        return Schedule(time_zone=self.time_zone, hours=parse_hours(self.hours),
                        holidays=frozenset(holidays))


class Holiday(models.Model):
    """A whole day off in a calendar (public holidays)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"],
                                               name="one_holiday_per_day")]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Target(models.Model):
    """How fast the desk answers and resolves, in business time, per priority.

    A target may be narrowed to one catalog item or one category; the most specific target
    wins (item, then category, then priority alone).
    """

    priority = models.CharField(_("priority"), max_length=1, choices=Priority.choices)
    item = models.ForeignKey("catalog.CatalogItem", on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+", verbose_name=_("service"))
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+", verbose_name=_("category"))
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="targets", verbose_name=_("calendar"))
    response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))

    class Meta:
        ordering = ["priority", "item", "category"]
        constraints = [
            models.UniqueConstraint(fields=["priority"], name="one_target_per_priority",
                                    condition=models.Q(item__isnull=True,
                                                       category__isnull=True)),
            models.UniqueConstraint(fields=["priority", "item"], name="one_target_per_item",
                                    condition=models.Q(item__isnull=False)),
            models.UniqueConstraint(fields=["priority", "category"],
                                    name="one_target_per_category",
                                    condition=models.Q(category__isnull=False)),
            models.CheckConstraint(condition=models.Q(item__isnull=True)
                                   | models.Q(category__isnull=True),
                                   name="target_item_or_category"),
        ]
        verbose_name = _("service-level target")
        verbose_name_plural = _("service-level targets")

    def __str__(self) -> str:
        scope = self.item or self.category or _("all services")
        return f"{self.get_priority_display()} · {scope}"

    def clean(self) -> None:
        if self.item_id and self.category_id:
            raise ValidationError(_("Choose a service or a category, not both."))
        if self.response_minutes and self.resolution_minutes and \
                self.response_minutes > self.resolution_minutes:
            raise ValidationError(_("The first response cannot be due after the resolution."))


class Escalation(models.Model):
    """A warning or breach that was announced, once per ticket, deadline and level."""

    class Level(models.TextChoices):
        WARNING = "warning", _("At risk")
        BREACH = "breach", _("Breached")

    class Deadline(models.TextChoices):
        RESPONSE = "response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="escalations")
    deadline = models.CharField(max_length=12, choices=Deadline.choices)
    level = models.CharField(max_length=12, choices=Level.choices)
    notified = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["ticket", "deadline", "level"],
                                               name="one_escalation_per_level")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.deadline} {self.level}"

"""Business time: pure functions over a working-hours schedule, no database.

A ``Schedule`` says when the service desk works: per weekday (0 = Monday) a list of intervals in
minutes after local midnight (``(480, 1080)`` is 08:00-18:00; 1440 is the next midnight), in one
time zone, minus whole-day holidays. Intervals are read in local wall-clock time and turned into
instants day by day, so a day on which the clocks change is as long as it really is, and working
hours that fall into a skipped hour simply shrink.

Everything here takes and returns aware datetimes and counts whole seconds.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = datetime.UTC
# Past this many days without a working minute the schedule is taken as broken.
MAX_DAYS = 3 * 366


class ScheduleError(ValueError):
    """The schedule has no working time (left), so no deadline can be computed."""


@dataclass(frozen=True)
class Schedule:
    time_zone: str = "UTC"
    hours: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    holidays: frozenset[datetime.date] = frozenset()

    def __post_init__(self):
        for weekday, intervals in self.hours.items():
            if weekday not in range(7):
                raise ValueError(f"weekday {weekday} is not 0-6")
            previous_end = 0
            for start, end in intervals:
                if not 0 <= start < end <= 1440 or start < previous_end:
                    raise ValueError(f"bad or overlapping interval {start}-{end}")
                previous_end = end

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def works_at_all(self) -> bool:
        return any(self.hours.get(day) for day in range(7))


def _local_instant(day: datetime.date, minutes: int, zone: ZoneInfo) -> datetime.datetime:
    local = datetime.datetime.combine(day, datetime.time(), tzinfo=zone) if minutes < 1440 \
        else datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                       tzinfo=zone)
    if minutes < 1440:
        local = local.replace(hour=minutes // 60, minute=minutes % 60)
    # Through UTC, so that a wall-clock time in a skipped hour lands where it really is.
    return local.astimezone(UTC)


def _intervals_from(schedule: Schedule, start: datetime.datetime,
                    ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    """Working intervals (in UTC) that end after ``start``, in order, clipped to ``start``."""
    if not schedule.works_at_all:
        raise ScheduleError("The calendar has no working hours.")
    zone = schedule.zone
    start = start.astimezone(UTC)
    day = start.astimezone(zone).date() - datetime.timedelta(days=1)
    idle_days = 0
    while True:
        worked = False
        if day not in schedule.holidays:
            for begin_min, end_min in schedule.hours.get(day.weekday(), ()):
                begin = _local_instant(day, begin_min, zone)
                end = _local_instant(day, end_min, zone)
                if end <= begin or end <= start:
                    continue
                worked = True
                yield max(begin, start), end
        idle_days = 0 if worked else idle_days + 1
        if idle_days > MAX_DAYS:
            raise ScheduleError("The calendar has no working time in the next years.")
        day += datetime.timedelta(days=1)


def business_seconds(schedule: Schedule, start: datetime.datetime,
                     end: datetime.datetime) -> int:
    """Working seconds from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    total = 0.0
    for begin, finish in _intervals_from(schedule, start):
        if begin >= end:
            break
        total += (min(finish, end) - begin).total_seconds()
    return round(total)


def add_business_seconds(schedule: Schedule, start: datetime.datetime,
                         seconds: int) -> datetime.datetime:
    """The first instant by which ``seconds`` of working time have passed since ``start``.

    Zero seconds is ``start`` itself. The result is in UTC.
    """
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    start = start.astimezone(UTC)
    if seconds == 0:
        return start
    left = datetime.timedelta(seconds=seconds)
    for begin, finish in _intervals_from(schedule, start):
        length = finish - begin
        if length >= left:
            return begin + left
        left -= length
    raise AssertionError("unreachable")  # pragma: no cover


# --- the state of a ticket's clock ------------------------------------------------------------

ON_TIME = "on_time"
AT_RISK = "at_risk"
BREACHED = "breached"
PAUSED = "paused"
STATES = (ON_TIME, AT_RISK, BREACHED, PAUSED)


def clock_state(*, now: datetime.datetime, paused_at: datetime.datetime | None,
                response_due: datetime.datetime | None, responded_at: datetime.datetime | None,
                response_warn: datetime.datetime | None,
                resolution_due: datetime.datetime | None, resolved_at: datetime.datetime | None,
                resolution_warn: datetime.datetime | None) -> str | None:
    """On time, at risk, breached or paused; None when no target applies.

    A deadline is breached when it passed before the thing was done (or before the clock was
    paused): a breach stays a breach. A paused clock is "paused" unless already breached. A
    resolved ticket that met its deadlines is "on time".
    """
    if response_due is None and resolution_due is None:
        return None
    clock = paused_at or now
    if response_due is not None and (responded_at or clock) > response_due:
        return BREACHED
    if resolution_due is not None and (resolved_at or clock) > resolution_due:
        return BREACHED
    if resolved_at is not None:
        return ON_TIME
    if paused_at is not None:
        return PAUSED
    if responded_at is None and response_warn is not None and clock >= response_warn:
        return AT_RISK
    if resolution_warn is not None and clock >= resolution_warn:
        return AT_RISK
    return ON_TIME

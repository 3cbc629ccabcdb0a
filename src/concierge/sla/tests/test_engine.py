"""Business-time arithmetic: hand-checked cases and properties (Hypothesis)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concierge.sla.engine import (
    AT_RISK,
    BREACHED,
    ON_TIME,
    PAUSED,
    Schedule,
    ScheduleError,
    add_business_seconds,
    business_seconds,
    clock_state,
)

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {day: ((8 * 60, 18 * 60),) for day in range(5)}  # Mon-Fri 08:00-18:00
BERLIN_OFFICE = Schedule("Europe/Berlin", OFFICE,
                         frozenset({datetime.date(2026, 12, 25), datetime.date(2026, 12, 26),
                                    datetime.date(2026, 4, 3), datetime.date(2026, 4, 6)}))
ALWAYS = Schedule("Europe/Berlin", {day: ((0, 1440),) for day in range(7)})
SPLIT = Schedule("America/New_York", {day: ((9 * 60, 12 * 60), (13 * 60, 17 * 60 + 30))
                                      for day in range(5)})
HOUR = 3600


def berlin(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


# --- hand-checked -----------------------------------------------------------------------------

def test_within_one_working_day():
    assert add_business_seconds(BERLIN_OFFICE, berlin(2026, 11, 24, 9), 2 * HOUR) == \
        berlin(2026, 11, 24, 11)
    assert business_seconds(BERLIN_OFFICE, berlin(2026, 11, 24, 9), berlin(2026, 11, 24, 11)) \
        == 2 * HOUR


def test_friday_evening_rolls_over_the_weekend():
    # Friday 17:00 + 2 h: one hour on Friday, one on Monday.
    assert add_business_seconds(BERLIN_OFFICE, berlin(2026, 11, 27, 17), 2 * HOUR) == \
        berlin(2026, 11, 30, 9)
    assert business_seconds(BERLIN_OFFICE, berlin(2026, 11, 27, 17), berlin(2026, 11, 30, 9)) \
        == 2 * HOUR


def test_submitted_on_a_saturday_starts_on_monday_morning():
    assert add_business_seconds(BERLIN_OFFICE, berlin(2026, 11, 28, 14), 30 * 60) == \
        berlin(2026, 11, 30, 8, 30)
    assert business_seconds(BERLIN_OFFICE, berlin(2026, 11, 28), berlin(2026, 11, 29, 23)) == 0


def test_before_opening_counts_from_opening():
    assert add_business_seconds(BERLIN_OFFICE, berlin(2026, 11, 24, 6), HOUR) == \
        berlin(2026, 11, 24, 9)


def test_exactly_a_day_ends_at_closing_time_not_next_morning():
    assert add_business_seconds(BERLIN_OFFICE, berlin(2026, 11, 24, 8), 10 * HOUR) == \
        berlin(2026, 11, 24, 18)


def test_christmas_holidays_are_skipped():
    # Thursday 24 Dec 2026 17:00 + 3 h: 1 h on Thursday, Fri 25 and Sat 26 off, Monday 28 2 h.
    assert add_business_seconds(BERLIN_OFFICE, berlin(2026, 12, 24, 17), 3 * HOUR) == \
        berlin(2026, 12, 28, 10)


def test_easter_good_friday_and_monday_are_skipped():
    # Thursday 2 April 2026 18:00 + 1 h -> Tuesday 7 April 09:00.
    assert add_business_seconds(BERLIN_OFFICE, berlin(2026, 4, 2, 18), HOUR) == \
        berlin(2026, 4, 7, 9)


def test_five_day_resolution_target_spans_a_week():
    assert add_business_seconds(BERLIN_OFFICE, berlin(2026, 11, 24, 10), 50 * HOUR) == \
        berlin(2026, 12, 1, 10)


def test_spring_forward_day_is_23_hours_long():
    # Clocks go from 02:00 to 03:00 on Sunday 29 March 2026 in Berlin.
    start, end = berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0)
    assert business_seconds(ALWAYS, start, end) == 23 * HOUR
    assert add_business_seconds(ALWAYS, start, 23 * HOUR) == end


def test_fall_back_day_is_25_hours_long():
    start, end = berlin(2026, 10, 25, 0), berlin(2026, 10, 26, 0)
    assert business_seconds(ALWAYS, start, end) == 25 * HOUR


def test_office_hours_are_local_wall_clock_across_dst():
    # Friday 27 March 17:00 CET + 2 h = Monday 30 March 09:00 CEST (UTC 07:00, not 08:00).
    due = add_business_seconds(BERLIN_OFFICE, berlin(2026, 3, 27, 17), 2 * HOUR)
    assert due == berlin(2026, 3, 30, 9)
    assert due.utcoffset() == datetime.timedelta(0)  # results are in UTC
    assert due.astimezone(BERLIN).hour == 9


def test_working_hours_inside_a_skipped_hour_shrink():
    night = Schedule("Europe/Berlin", {6: ((120, 240),)})  # Sundays 02:00-04:00
    sunday = berlin(2026, 3, 29, 0)
    assert business_seconds(night, sunday, sunday + datetime.timedelta(days=1)) == HOUR


def test_same_instant_in_another_time_zone_gives_the_same_answer():
    start = berlin(2026, 11, 27, 17)
    in_tokyo = start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert add_business_seconds(BERLIN_OFFICE, start, 2 * HOUR) == \
        add_business_seconds(BERLIN_OFFICE, in_tokyo, 2 * HOUR)


def test_calendars_in_other_time_zones_and_lunch_breaks():
    new_york = ZoneInfo("America/New_York")
    start = datetime.datetime(2026, 11, 24, 11, tzinfo=new_york)
    # 1 h before lunch, lunch, then 2 h: 15:00 New York = 21:00 Berlin.
    assert add_business_seconds(SPLIT, start, 3 * HOUR) == \
        datetime.datetime(2026, 11, 24, 15, tzinfo=new_york)
    assert add_business_seconds(SPLIT, start, 3 * HOUR).astimezone(BERLIN).hour == 21


def test_zero_seconds_is_the_start_and_negative_is_refused():
    start = berlin(2026, 11, 28, 12)
    assert add_business_seconds(BERLIN_OFFICE, start, 0) == start
    with pytest.raises(ValueError):
        add_business_seconds(BERLIN_OFFICE, start, -1)
    assert business_seconds(BERLIN_OFFICE, start, start - datetime.timedelta(hours=1)) == 0


def test_a_calendar_without_working_time_is_an_error_not_a_hang():
    with pytest.raises(ScheduleError):
        add_business_seconds(Schedule("UTC", {}), berlin(2026, 1, 1), 60)
    every_day_off = Schedule("UTC", {0: ((0, 60),)}, frozenset(
        datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(3000)))
    with pytest.raises(ScheduleError):
        add_business_seconds(every_day_off, berlin(2026, 1, 1), 60)


def test_bad_intervals_are_refused():
    with pytest.raises(ValueError):
        Schedule("UTC", {0: ((600, 500),)})
    with pytest.raises(ValueError):
        Schedule("UTC", {0: ((60, 600), (500, 700))})
    with pytest.raises(ValueError):
        Schedule("UTC", {7: ((60, 600),)})


# --- properties -------------------------------------------------------------------------------

instants = (st.datetimes(min_value=datetime.datetime(2025, 12, 1),
                        max_value=datetime.datetime(2027, 12, 31),
                        timezones=st.sampled_from([datetime.UTC, BERLIN,
                                                   ZoneInfo("America/New_York"),
                                                   ZoneInfo("Asia/Kolkata")]))
            ).map(lambda instant: instant.replace(microsecond=0))
schedules = st.sampled_from([BERLIN_OFFICE, ALWAYS, SPLIT])
durations = st.integers(min_value=0, max_value=200 * HOUR)


def _sorted(*values):
    return sorted(values, key=lambda v: v.astimezone(datetime.UTC))


@settings(max_examples=150, deadline=None)
@given(schedules, instants, instants, instants)
def test_business_time_is_additive(schedule, a, b, c):
    a, b, c = _sorted(a, b, c)
    assert business_seconds(schedule, a, b) + business_seconds(schedule, b, c) == \
        business_seconds(schedule, a, c)


@settings(max_examples=150, deadline=None)
@given(schedules, instants, instants, instants)
def test_business_time_grows_with_the_end(schedule, start, end1, end2):
    end1, end2 = _sorted(end1, end2)
    assert business_seconds(schedule, start, end1) <= business_seconds(schedule, start, end2)
    utc = datetime.UTC
    assert business_seconds(schedule, start, end2) <= max(
        0, (end2.astimezone(utc) - start.astimezone(utc)).total_seconds())


@settings(max_examples=150, deadline=None)
@given(schedules, instants, durations)
def test_adding_then_measuring_gives_the_duration_back(schedule, start, seconds):
    due = add_business_seconds(schedule, start, seconds)
    assert due.astimezone(datetime.UTC) >= start.astimezone(datetime.UTC)
    assert business_seconds(schedule, start, due) == seconds
    if seconds:  # and it is the first such instant
        assert business_seconds(schedule, start, due - datetime.timedelta(seconds=1)) \
            == seconds - 1


@settings(max_examples=100, deadline=None)
@given(schedules, instants, durations, durations)
def test_adding_is_monotonic_and_composes(schedule, start, first, second):
    one = add_business_seconds(schedule, start, first)
    assert add_business_seconds(schedule, start, first + second) >= one  # both in UTC
    assert add_business_seconds(schedule, one, second) == \
        add_business_seconds(schedule, start, first + second) or second == 0


# --- the clock's state ------------------------------------------------------------------------

NOW = berlin(2026, 11, 24, 12)


def _state(**kwargs):
    values = dict(now=NOW, paused_at=None, response_due=None, responded_at=None,
                  response_warn=None, resolution_due=None, resolved_at=None,
                  resolution_warn=None)
    values.update(kwargs)
    return clock_state(**values)


def test_clock_states():
    later, earlier = NOW + datetime.timedelta(hours=2), NOW - datetime.timedelta(hours=1)
    assert _state() is None
    assert _state(resolution_due=later, resolution_warn=later) == ON_TIME
    assert _state(resolution_due=later, resolution_warn=earlier) == AT_RISK
    assert _state(resolution_due=earlier) == BREACHED
    assert _state(response_due=earlier, resolution_due=later) == BREACHED
    assert _state(response_due=earlier, responded_at=earlier - datetime.timedelta(minutes=1),
                  response_warn=earlier, resolution_due=later) == ON_TIME
    assert _state(resolution_due=later, paused_at=earlier) == PAUSED
    # Paused after the deadline had passed: the breach stays.
    assert _state(resolution_due=earlier, paused_at=NOW) == BREACHED
    # Paused before the deadline: not breached while the clock stands still.
    assert _state(resolution_due=earlier, paused_at=earlier - datetime.timedelta(hours=1)) \
        == PAUSED
    assert _state(resolution_due=earlier, resolved_at=earlier - datetime.timedelta(hours=1)) \
        == ON_TIME
    assert _state(resolution_due=earlier, resolved_at=NOW) == BREACHED

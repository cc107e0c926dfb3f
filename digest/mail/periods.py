"""When digests are due: cron fire times in the configured zone, and how a period is named.

A period is the half-open interval (start, end] of first-seen times a digest
covers. Its end is a scheduled fire time (or the moment of a forced send), so
a period never depends on when the process happened to wake up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

# The start of the very first period: a first digest covers everything seen so far.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Cron fires on whole seconds; stepping past a fire time by less would find it again.
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime


def schedule(cron: str, timezone: str) -> CronTrigger:
    """The trigger for a 5-field cron expression in an IANA zone (DST handled by APScheduler)."""
    return CronTrigger.from_crontab(cron, timezone=timezone)


def next_fire(trigger: CronTrigger, after: datetime) -> datetime | None:
    """The first fire time strictly after `after`, in UTC."""
    fire: datetime | None = trigger.get_next_fire_time(None, after + _TICK)
    return fire.astimezone(UTC) if fire else None


def latest_fire(trigger: CronTrigger, after: datetime, now: datetime) -> datetime | None:
    """The last fire time in (after, now], or None when none fell in it.

    Searches back from `now` in doubling windows, so a long outage under a
    minutely schedule costs a few dozen trigger steps, not one per missed fire.
    """
    span = timedelta(minutes=1)
    while True:
        start = max(now - span, after)
        fire = next_fire(trigger, start)
        if fire is not None and fire <= now:
            while (later := next_fire(trigger, fire)) is not None and later <= now:
                fire = later
            return fire
        if start == after:
            return None
        span *= 2


def label(period: Period, zone: tzinfo) -> str:
    """The days a period covers, as a reader says them: "6-7 Jan 2025", "31 Dec 2024-2 Jan 2025"."""
    # A period ending at midnight covers the day before, not the day it ends on.
    last = (period.end - _TICK).astimezone(zone).date()
    last_text = day_text(last)
    if period.start <= EPOCH:
        return f"until {last_text}"
    first = period.start.astimezone(zone).date()
    if first >= last:
        return last_text
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{last_text}"
    if first.year == last.year:
        return f"{first.day} {_MONTHS[first.month - 1]}-{last_text}"
    return f"{first.day} {_MONTHS[first.month - 1]} {first.year}-{last_text}"


def day_text(day: date) -> str:
    """A day as "6 Jan 2025", whatever the process locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"

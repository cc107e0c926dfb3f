from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from digest.mail.periods import EPOCH, Period, label, latest_fire, next_fire, schedule

UTC_ZONE = ZoneInfo("UTC")


def test_next_fire_follows_daylight_saving_time_in_the_configured_zone() -> None:
    daily = schedule("0 7 * * *", "Europe/Paris")
    winter = next_fire(daily, datetime(2025, 3, 28, 12, tzinfo=UTC))
    summer = next_fire(daily, datetime(2025, 3, 29, 12, tzinfo=UTC))
    assert winter == datetime(2025, 3, 29, 6, tzinfo=UTC)  # 07:00 CET
    assert summer == datetime(2025, 3, 30, 5, tzinfo=UTC)  # 07:00 CEST


def test_next_fire_is_strictly_after_the_given_time() -> None:
    daily = schedule("0 7 * * *", "UTC")
    assert next_fire(daily, datetime(2025, 1, 6, 7, tzinfo=UTC)) == datetime(
        2025, 1, 7, 7, tzinfo=UTC
    )


def test_latest_fire_is_the_last_scheduled_time_up_to_now() -> None:
    daily = schedule("0 7 * * *", "UTC")
    after = datetime(2025, 1, 6, 7, tzinfo=UTC)
    assert latest_fire(daily, after, datetime(2025, 1, 9, 8, tzinfo=UTC)) == datetime(
        2025, 1, 9, 7, tzinfo=UTC
    )
    assert latest_fire(daily, after, datetime(2025, 1, 9, 7, tzinfo=UTC)) == datetime(
        2025, 1, 9, 7, tzinfo=UTC
    )
    assert latest_fire(daily, after, datetime(2025, 1, 7, 6, 59, tzinfo=UTC)) is None


def test_a_year_offline_under_a_minutely_schedule_is_found_quickly() -> None:
    minutely = schedule("* * * * *", "UTC")
    started = time.perf_counter()
    fire = latest_fire(
        minutely, datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, 0, 0, 30, tzinfo=UTC)
    )
    assert fire == datetime(2025, 1, 1, tzinfo=UTC)
    assert time.perf_counter() - started < 0.5


def day(d: int, month: int = 1, year: int = 2025, hour: int = 7) -> datetime:
    return datetime(year, month, d, hour, tzinfo=UTC)


def test_labels_name_the_days_a_period_covers() -> None:
    assert label(Period(day(6), day(7)), UTC_ZONE) == "6-7 Jan 2025"
    assert label(Period(day(7, hour=8), day(7, hour=10)), UTC_ZONE) == "7 Jan 2025"
    assert label(Period(day(31), day(1, month=2)), UTC_ZONE) == "31 Jan-1 Feb 2025"
    assert label(Period(day(31, 12, 2024), day(2)), UTC_ZONE) == "31 Dec 2024-2 Jan 2025"
    assert label(Period(EPOCH, day(7)), UTC_ZONE) == "until 7 Jan 2025"


def test_a_period_ending_at_midnight_does_not_name_the_next_day() -> None:
    assert label(Period(day(6, hour=0), day(7, hour=0)), UTC_ZONE) == "6 Jan 2025"


def test_labels_use_the_configured_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    assert label(Period(day(6, hour=20), day(7, hour=20)), tokyo) == "7-8 Jan 2025"

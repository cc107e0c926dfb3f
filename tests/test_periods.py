"""Which period a document is archived in: its month, day or hour."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from digest.publish.periods import period_name, periods, stamp


def test_a_stamp_is_the_utc_hour_whatever_the_zone_of_the_time() -> None:
    when = datetime(2025, 2, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert stamp(when) == "2025-01-31T22"


def test_a_crowded_month_is_cut_by_day_and_a_crowded_day_by_hour() -> None:
    # A cold build of undated documents, all seen within the hour, and one dated that
    # day without a time (midnight): it is a period of its own, so it shifts no part.
    seen = [(f"seen{n}", "2025-03-02T14") for n in range(30)]
    stamped = [("old", "2025-02-11T08"), ("midnight", "2025-03-02T00"), *seen]
    stamped += [("later", "2025-03-05T09")]
    assert periods(stamped, most=10) == [
        ("2025-02", ["old"]),
        ("2025-03-02T00", ["midnight"]),
        ("2025-03-02T14", [f"seen{n}" for n in range(30)]),
        ("2025-03-05", ["later"]),
    ]


def test_periods_are_named_for_people() -> None:
    assert [period_name(p) for p in ("2025-03", "2025-03-02", "2025-03-02T14")] == [
        "March 2025", "2 March 2025", "2 March 2025, 14:00"
    ]  # fmt: skip

"""The configuration's own cron check agrees with APScheduler without importing it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import plain_cron


def apscheduler_accepts(schedule: str) -> bool:
    try:
        CronTrigger.from_crontab(schedule, timezone="UTC")
    except ValueError:
        return False
    return True


item = st.one_of(
    st.sampled_from(["*", "*/0", "*/1", "*/15", "*/59", "*/60", "L", "mon", "jan", "last", ""]),
    st.integers(0, 70).map(str),
    st.tuples(st.integers(0, 70), st.integers(0, 70)).map(lambda t: f"{t[0]}-{t[1]}"),
    st.tuples(st.integers(0, 70), st.integers(0, 70), st.integers(0, 70)).map(
        lambda t: f"{t[0]}-{t[1]}/{t[2]}"
    ),
    st.tuples(st.integers(0, 70), st.integers(0, 70)).map(lambda t: f"{t[0]}/{t[1]}"),
)
field = st.lists(item, min_size=1, max_size=3).map(",".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(field, min_size=4, max_size=6).map(" ".join))
def test_every_expression_the_quick_check_accepts_is_one_apscheduler_accepts(
    schedule: str,
) -> None:
    if plain_cron(schedule):
        assert apscheduler_accepts(schedule), schedule


@pytest.mark.parametrize(
    "schedule",
    ["0 7 * * *", "*/15 * * * *", "30 6 * * 0-4", "0 8,18 1-15 1-12/2 *", "5/10 * * * *"],
)
def test_common_schedules_are_checked_without_apscheduler(schedule: str) -> None:
    assert plain_cron(schedule)
    assert apscheduler_accepts(schedule)


def test_loading_the_configuration_does_not_import_asyncio(tmp_path: object) -> None:
    code = (
        "import sys\n"
        "from digest.config import _check_cron\n"
        "_check_cron('0 7 * * 1-5', 'Europe/Paris')\n"
        "print('asyncio' in sys.modules, 'apscheduler' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]

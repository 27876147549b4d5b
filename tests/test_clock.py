"""The tests' clock itself: a marked test runs at the London wall time it names, and a
process a test starts reads the same moved clock as the test run."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from tests.clock import LONDON, SESSION_OFFSET, london, real_time

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.clock("03:00", on=dt.date(2027, 3, 28))
def test_a_marked_test_runs_at_that_london_wall_time_on_a_day_the_clocks_change(clock):
    assert clock == dt.datetime(2027, 3, 28, 2, 0, tzinfo=dt.UTC)  # 03:00 BST
    assert timezone.now() == clock
    assert timezone.localtime(timezone.now(), LONDON).time() == dt.time(3, 0)


@pytest.mark.clock("03:00", "14:00", on=dt.date(2027, 1, 6))
def test_two_times_run_the_test_once_at_each(clock, request):
    assert request.node.callspec.id in {"03:00", "14:00"}
    assert clock == london(request.node.callspec.id, on=dt.date(2027, 1, 6))
    assert timezone.now() == clock


def test_a_wall_time_with_a_day_is_read_in_london():
    assert london("2027-10-31T01:30") == dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC)
    assert london("2027-07-01T00:30") == dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC)
    # The hour the clocks skip reads as GMT: 01:30 GMT is 02:30 BST.
    assert london("2027-03-28T01:30") == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)
    assert london("03:00", on=dt.date(2027, 7, 1)).hour == 3


def test_a_process_a_test_starts_follows_the_moved_clock():
    moved_to = dt.datetime(2031, 5, 6, 3, 0, tzinfo=LONDON)
    env = {**os.environ, SESSION_OFFSET: repr(moved_to.timestamp() - real_time())}
    script = "from tests.clock import follow_session_clock; follow_session_clock(); import time; print(time.time())"

    assert abs(_run(script, env) - moved_to.timestamp()) < 30


def _run(script: str, env: dict[str, str]) -> float:
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(result.stdout)


# time_machine starts a ticking clock at its first reading, not when travel starts: both ends
# must read it at once, or a worker started seconds before its first reading runs behind.
AGREEMENT = "import os, time; from tests.clock import real_time, SESSION_OFFSET; {start}; time.sleep(0.5); print(time.time() - (real_time() + float(os.environ[SESSION_OFFSET])))"


def test_the_runs_clock_and_the_offset_it_hands_down_agree_after_a_pause():
    env = {k: v for k, v in os.environ.items() if k != SESSION_OFFSET}
    start = "from tests.clock import start_session_clock; start_session_clock('03:00')"

    apart = _run(AGREEMENT.format(start=start), env)

    assert abs(apart) < 0.05


def test_a_process_started_on_the_moved_clock_keeps_time_with_it_after_a_pause():
    env = {**os.environ, SESSION_OFFSET: repr(3600.0 * 24 * 365)}
    start = "from tests.clock import follow_session_clock; follow_session_clock()"

    apart = _run(AGREEMENT.format(start=start), env)

    assert abs(apart) < 0.05

"""The tests' clock: London wall time, pinned for one test or set for a whole run.

- `@pytest.mark.clock("14:00")` runs a test at 14:00 London today, the clock standing still;
  `@pytest.mark.clock("03:00", "14:00")` runs it once at each; `on=dt.date(...)` fixes the
  day too, `tick=True` lets the clock run. The `clock` fixture gives the pinned moment.
- `BLETHER_TEST_CLOCK=03:00` (or `2027-03-28T00:30`) starts the whole run's clock there,
  ticking, so the suite can be proved at any hour or date. Processes the tests start follow
  through `BLETHER_TEST_CLOCK_OFFSET` (see `follow_session_clock`).
"""

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import time_machine

LONDON = ZoneInfo("Europe/London")
SESSION_CLOCK = "BLETHER_TEST_CLOCK"
SESSION_OFFSET = "BLETHER_TEST_CLOCK_OFFSET"


def london(when: str, *, on: dt.date | None = None) -> dt.datetime:
    """A London time from "14:00" (today in London, or on `on`) or "2027-03-28T00:30".

    A wall time the clocks skip or repeat is taken as its first reading (fold=0). The result
    carries the fixed offset of that moment, so it compares equal to the same moment in any
    zone (Python never equates a time in London's repeated hour with one elsewhere).
    """
    if "T" in when:
        moment = dt.datetime.fromisoformat(when)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LONDON)
    else:
        day = on or dt.datetime.now(LONDON).date()
        moment = dt.datetime.combine(day, dt.time.fromisoformat(when), tzinfo=LONDON)
    local = moment.astimezone(LONDON)
    return local.astimezone(dt.timezone(local.utcoffset()))


def real_time() -> float:
    """The machine's own clock, whatever the test's clock says."""
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def start_session_clock(spec: str) -> time_machine.travel:
    """Start the run's ticking clock at `spec`; tell child processes how far it is moved."""
    traveller = time_machine.travel(london(spec), tick=True)
    traveller.start()
    # The moved clock starts ticking at its first reading, not at start(): read it, then take
    # the offset, so a child process's clock agrees with this one to the microsecond.
    time.time()
    os.environ[SESSION_OFFSET] = repr(time.time() - real_time())
    return traveller


def follow_session_clock() -> None:
    """In a process a test starts: run on the same moved clock as the test run, if any."""
    offset = os.environ.get(SESSION_OFFSET)
    if offset:
        time_machine.travel(real_time() + float(offset), tick=True).start()
        time.time()  # start it ticking now (see start_session_clock)


def at_nine(moment: dt.datetime) -> dt.datetime:
    """09:00 London on `moment`'s day: when the default quiet hours (21:00-09:00) end."""
    return moment.astimezone(LONDON).replace(hour=9, minute=0, second=0, microsecond=0)

"""`python -m tests.faults.worker_main -A api worker ...`: a Celery worker on the test run's clock.

A worker the tests start must read the same clock as the test process: a sign-in code written
at 03:10 by a run started at `BLETHER_TEST_CLOCK=03:00` expires at 03:20 by that clock, and a
worker on the machine's own clock would find it long expired.
"""

from tests.clock import follow_session_clock

follow_session_clock()

from celery.__main__ import main  # noqa: E402  (after the clock is moved)

if __name__ == "__main__":
    main()

"""`python -m tests.faults.on_test_clock MODULE ARGS...`: `python -m MODULE ARGS...` on the test
run's clock.

Servers and workers the fault tests start must read the same clock as the test process: a
sign-in code written by a run started at `BLETHER_TEST_CLOCK=03:00` expires ten minutes after
03:00 by that clock, and a token minted then has expired by the machine's own afternoon.
"""

import runpy
import sys

from tests.clock import follow_session_clock

if __name__ == "__main__":
    follow_session_clock()
    module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)

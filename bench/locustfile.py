"""Locust cross-check of the nearby list, started headless by bench/run.py.

Reads the bearer token from BENCH_TOKEN and the request paths (a JSON list) from
BENCH_PATHS_FILE; every simulated client asks again as soon as it has an answer.
"""

import itertools
import json
import os

from locust import FastHttpUser, constant, task

PATHS = json.loads(open(os.environ["BENCH_PATHS_FILE"]).read())  # noqa: SIM115
TOKEN = os.environ["BENCH_TOKEN"]
_next_path = itertools.cycle(PATHS)


class Neighbour(FastHttpUser):
    wait_time = constant(0)

    @task
    def nearby(self) -> None:
        self.client.get(
            next(_next_path),
            headers={"Authorization": f"Bearer {TOKEN}"},
            name="GET /api/meals/?near",
        )

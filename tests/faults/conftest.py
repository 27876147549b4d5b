"""The fault suite's frame: real servers started, killed and restarted by the tests.

- `free_port()`: a TCP port nobody listens on.
- `private_redis`: a redis-server of the test's own on a free port (`--save ''`), stopped after.
- `broker(url)`: point this process's Celery app at a real broker (not eager) for a while,
  so `.delay()` after a commit reaches a real worker.
- `celery_worker`: start real `celery -A api worker` processes against the test database and
  a given Redis; kill them (SIGKILL, the whole process group) or stop them.
- `fake_twilio` (its `received()` texts) and `wait_for`: the Twilio-compatible server of
  tests/integration over a real socket, and a poll.

Tests here use the database with `transaction=True`, so the workers see committed rows.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from api.celery import app as celery_app
from tests.faults.redis_server import RedisServer
from tests.integration.fake_twilio import FakeTwilio
from tests.notifications.twilio_helpers import ACCOUNT, SERVICE, TOKEN

ROOT = Path(__file__).resolve().parents[2]
# `python -m` this, then the module a process runs: it reads the test run's clock.
ON_TEST_CLOCK = "tests.faults.on_test_clock"


def wait_for(predicate, *, timeout: float, every: float = 0.1, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; return that, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


@pytest.fixture
def private_redis():
    server = RedisServer().start()
    yield server
    server.close()


def _reset_celery_pools() -> None:
    pool = celery_app._pool
    if pool is not None:
        with contextlib.suppress(Exception):
            pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def broker(url: str):
    """This process's Celery app sends to the broker at `url` (and not eagerly) meanwhile."""
    conf = celery_app.conf
    before = (conf.broker_url, conf.task_always_eager)
    _reset_celery_pools()
    conf.broker_url, conf.task_always_eager = url, False
    try:
        yield celery_app
    finally:
        _reset_celery_pools()
        conf.broker_url, conf.task_always_eager = before


def database_url() -> str:
    db = connection.settings_dict
    assert db["NAME"].startswith("test_"), "workers must only ever see the test database"
    return f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """A real Celery worker process (its own session, so a kill takes its pool children too)."""

    def __init__(self, name: str, env: dict[str, str]):
        self.name = name
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", ON_TEST_CLOCK, "celery", "-A", "api", "worker"),
                *("-n", f"{name}@%h"),
                *("--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            if " ready." in line:
                self._ready.set()

    def wait_ready(self, timeout: float = 60) -> "Worker":
        if not self._ready.wait(timeout):
            raise AssertionError(f"worker {self.name} not ready:\n" + "\n".join(self.lines[-30:]))
        return self

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no clean-up, no acknowledgements, as in a crash."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def worker_env(*, redis_url: str, twilio_url: str = "", **extra: str) -> dict[str, str]:
    """The environment of a worker sending through the fake Twilio, against the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "api.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",
        "PUBLIC_BASE_URL": "https://blether.test",
        "LOG_LEVEL": "INFO",
    }
    if twilio_url:
        env |= {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_MESSAGING_SERVICE_SID": SERVICE,
            "TWILIO_API_BASE_URL": twilio_url,
        }
    return env | {k: str(v) for k, v in extra.items()}


@pytest.fixture
def celery_worker(transactional_db):
    """Start workers with `celery_worker(env)`; every one still running is stopped after the test
    (before the database is emptied)."""
    started: list[Worker] = []

    def start(env: dict[str, str], *, name: str | None = None) -> Worker:
        worker = Worker(name or f"faults{len(started) + 1}", env)
        started.append(worker)
        return worker.wait_ready()

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def fake_twilio():
    server = FakeTwilio(account_sid=ACCOUNT, auth_token=TOKEN).start()
    yield server
    server.stop()

"""What a run starts and talks to: gunicorn serving the API, one Celery worker, the broker.

All of it on 127.0.0.1, with production-like settings and the benchmark's own database and
Redis database.
"""

import http.client
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_redis_url() -> str:
    """BENCH_REDIS_URL, else database 15 of REDIS_URL's server (the dev database is left alone)."""
    explicit = os.environ.get("BENCH_REDIS_URL")
    if explicit:
        return explicit
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit((parts.scheme, parts.netloc, "/15", "", ""))


def configure_environment(db_url: str, redis_url: str) -> dict:
    """Production-like settings for the run; returned for the subprocesses too."""
    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SMS_BACKEND": "console",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "JWT_ACCESS_MINUTES": "720",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "CACHE_KEY_PREFIX": "blether-bench",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_SETTINGS_MODULE": "api.settings",
    }
    os.environ.update(env)
    return {**os.environ, **env}


class Server:
    """gunicorn serving api.wsgi on a free 127.0.0.1 port."""

    def __init__(self, env: dict, workers: int, threads: int, logdir: Path):
        self.port = free_port()
        self.log_path = logdir / f"gunicorn-{self.port}.log"
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "api.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            # Longer than any pause between a client's requests: no close-while-sending races.
            "--keep-alive",
            "120",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.command = shlex.join(cmd[1:])
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log_file.close()


class Worker:
    """One Celery worker (solo pool: one task at a time) on the bench Redis database, consuming
    every queue."""

    def __init__(self, env: dict, logdir: Path):
        self.log_path = logdir / "celery-worker.log"
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        cmd = [
            str(VENV_BIN / "celery"),
            "-A",
            "api",
            "worker",
            "--queues",
            ",".join(broker_queues()),
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            f"bench-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.command = shlex.join(cmd[1:])
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited; see {self.log_path}")
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("celery worker not ready within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log_file.close()


def broker_queues() -> list[str]:
    """The Celery queues api/settings.py declares (sms, nudges, default)."""
    from django.conf import settings

    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def clear_broker_queue(redis_url: str) -> None:
    """Drop tasks left in the bench broker's queues (its own Redis database)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(*broker_queues())
    client.close()


def broker_queue_length(redis_url: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return sum(int(client.llen(queue)) for queue in broker_queues())
    finally:
        client.close()

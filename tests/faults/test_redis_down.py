"""Redis dies under a running Blether: people still sign in, hosts still text and invite, every
limit still holds, and the sign-in code goes out exactly once when Redis is back.

Everything is a real process: a redis-server of the test's own (cache and broker), the API
under gunicorn, one Celery worker, and a Twilio-compatible server that records what it is
sent. Only PostgreSQL is shared with the suite (the test database).
"""

import os
import re
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

import pytest
import requests
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from meals.models import HostMessage, Signup
from notifications.models import Message
from people.models import LoginCode, RateLimitHit
from tests.factories import MealFactory, SignupFactory, UserFactory
from tests.faults.conftest import ON_TEST_CLOCK
from tests.faults.net import free_port
from tests.faults.redis_server import RedisServer
from tests.integration.fake_twilio import FakeTwilio
from tests.notifications.twilio_helpers import ACCOUNT, SERVICE, TOKEN

ROOT = Path(__file__).resolve().parents[2]
PHONE = "+447700900123"
QUICK = 2.0  # seconds: what "answers quickly" means with Redis gone
CODE_TEXT = re.compile(r"Your Blether code is (\d{6})\. It works for 10 minutes\. Never share it\.")

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


class Process:
    """A child process whose output is kept, line by line, for the test to wait on and read."""

    def __init__(self, command: list[str], env: dict) -> None:
        self.lines: deque[str] = deque(maxlen=5000)
        self.popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            self.lines.append(line.rstrip())

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in list(self.lines)):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"never saw {text!r}:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)


def _env(redis: RedisServer, twilio: FakeTwilio) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "api.settings",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": redis.url(0),
        "CELERY_BROKER_URL": redis.url(0),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": SERVICE,
        "TWILIO_API_BASE_URL": twilio.url,
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "0",
    }


@pytest.fixture
def stack():
    """(redis, twilio, env, api base URL, api process, worker process), torn down in reverse."""
    assert connection.settings_dict["NAME"].startswith("test_")
    redis = RedisServer().start()
    twilio = FakeTwilio(account_sid=ACCOUNT, auth_token=TOKEN).start()
    env = _env(redis, twilio)
    port = free_port()
    gunicorn = ["gunicorn", "api.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    gunicorn += ["--workers", "1", "--threads", "4", "--timeout", "60"]
    api = Process([sys.executable, "-m", ON_TEST_CLOCK, *gunicorn], env)
    celery = ["celery", "-A", "api", "worker", "--pool=solo", "--loglevel=INFO"]
    celery += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    celery += ["--hostname", f"faults-{port}@%h"]
    worker = Process([sys.executable, "-m", ON_TEST_CLOCK, *celery], {**env, "LOG_LEVEL": "INFO"})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base, api)
        worker.wait_for("ready.", timeout=60)
        yield redis, twilio, env, base, api, worker
    finally:
        worker.stop()
        api.stop()
        twilio.stop()
        redis.close()


def _wait_until_serving(base: str, api: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(f"{base}/healthz", timeout=10)
            return
        except requests.RequestException:
            if api.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the API never answered:\n{api.output()[-3000:]}") from None
            time.sleep(0.2)


def timed(method, *args, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = method(*args, timeout=30, **kwargs)
    return response, time.monotonic() - started


def texts_to(twilio: FakeTwilio, phone: str) -> list[str]:
    return [m["Body"] for m in list(twilio.accepted) if m["To"] == phone]


def sweep(env: dict) -> None:
    """Queue the outbox sweep on the test's own Redis, as beat does every minute."""
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "api", "call", "notifications.tasks.sweep_outbox"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_with_redis_down_people_sign_in_hosts_text_and_the_code_arrives_once(stack):
    redis, twilio, env, base, api, worker = stack
    host = UserFactory(display_name="Agnes Boyd", has_app=True)
    meal = MealFactory(host=host, capacity=10)
    SignupFactory(meal=meal, status="confirmed")
    as_host = {"Authorization": f"Bearer {RefreshToken.for_user(host).access_token}"}

    redis.stop()

    code_asked, code_time = timed(requests.post, f"{base}/api/auth/code/", json={"phone": PHONE})
    again, again_time = timed(requests.post, f"{base}/api/auth/code/", json={"phone": PHONE})
    (row,) = Message.objects.filter(template="login_code", to_phone=PHONE)
    code = CODE_TEXT.fullmatch(row.body).group(1)
    token, token_time = timed(
        requests.post, f"{base}/api/auth/token/", json={"phone": PHONE, "code": code}
    )
    note, note_time = timed(
        requests.post,
        f"{base}/api/meals/{meal.pk}/messages/",
        json={"text": "Bring a brolly"},
        headers=as_host,
    )
    invite, invite_time = timed(
        requests.post,
        f"{base}/api/meals/{meal.pk}/guests/",
        json={"phone": "07700 900601", "name": "Peggy"},
        headers=as_host,
    )

    assert (code_asked.status_code, code_asked.json()["expires_in"]) == (202, 600)
    assert again.status_code == 429
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    assert token.status_code == 200
    assert token.json()["user"]["phone"] == PHONE
    assert note.status_code == 201
    assert invite.status_code == 201
    timings = {
        "code": code_time,
        "refused": again_time,
        "token": token_time,
        "host message": note_time,
        "invite": invite_time,
    }
    print(f"\nRedis stopped; seconds per answer: { {k: round(v, 3) for k, v in timings.items()} }")
    assert max(timings.values()) < QUICK, timings
    assert LoginCode.objects.filter(phone=PHONE).count() == 1
    assert HostMessage.objects.filter(meal=meal).count() == 1
    assert Signup.objects.filter(meal=meal).count() == 2
    assert (
        RateLimitHit.objects.count() == 6
    )  # code: phone minute, hour, address; token; note; invite
    assert texts_to(twilio, PHONE) == []
    assert Message.objects.get(pk=row.pk).status == Message.Status.QUEUED
    log = api.output()
    assert log.count("Redis unreachable") == 1, log
    assert "Traceback" not in log, log

    redis.start()
    sweep(env)
    back = time.monotonic()
    deadline = back + 90
    while not texts_to(twilio, PHONE):
        assert time.monotonic() < deadline, worker.output()[-3000:]
        time.sleep(0.2)
    print(f"Redis back; the code was sent {time.monotonic() - back:.1f} s after the sweep")
    sweep(env)  # a second sweep finds nothing of it left to send
    time.sleep(3)

    assert texts_to(twilio, PHONE) == [
        f"Your Blether code is {code}. It works for 10 minutes. Never share it."
    ]
    assert Message.objects.get(pk=row.pk).status == Message.Status.SENT
    again_up = requests.post(f"{base}/api/auth/code/", json={"phone": "+447700900124"}, timeout=30)
    assert again_up.status_code == 202
    assert RateLimitHit.objects.count() == 6  # Redis counts again


def test_with_redis_hanging_sign_in_still_answers_and_the_code_arrives_once(stack):
    """A Redis that accepts connections and never answers (SIGSTOP) costs each face one
    timeout of the cache (0.5 s) and one of the broker (1 s), not kombu's 25 s of retries."""
    redis, twilio, env, base, api, worker = stack
    redis.freeze()
    try:
        code_asked, code_time = timed(
            requests.post, f"{base}/api/auth/code/", json={"phone": PHONE}
        )
        again, again_time = timed(requests.post, f"{base}/api/auth/code/", json={"phone": PHONE})
    finally:
        redis.thaw()
    print(f"\nRedis hanging; seconds per answer: code {code_time:.3f}, refused {again_time:.3f}")

    assert code_asked.status_code == 202
    assert again.status_code == 429
    assert code_time < QUICK + 1
    assert again_time < QUICK
    (row,) = Message.objects.filter(template="login_code", to_phone=PHONE)
    code = CODE_TEXT.fullmatch(row.body).group(1)

    sweep(env)
    deadline = time.monotonic() + 90
    while not texts_to(twilio, PHONE):
        assert time.monotonic() < deadline, worker.output()[-3000:]
        time.sleep(0.2)
    sweep(env)
    time.sleep(3)

    assert texts_to(twilio, PHONE) == [
        f"Your Blether code is {code}. It works for 10 minutes. Never share it."
    ]
    assert "Traceback" not in api.output(), api.output()

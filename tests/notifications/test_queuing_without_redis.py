"""Queuing a text never holds up the request that wrote it: with the broker down or hanging,
publishing gives up within the settings' timeouts and the row waits, queued, for the sweep.

The project's real Celery app and settings publish to a redis-server of the test's own.
"""

import logging
import time

import pytest
import redis as redis_py

from api.celery import app
from notifications.models import Message
from notifications.services import notify
from tests.faults.redis_server import RedisServer

PHONE = "+447700900123"

pytestmark = pytest.mark.django_db


def forget_broker_connections() -> None:
    # Celery keeps a connection pool and a producer pool per app, made from the URL of the
    # time; there is no public way to drop both.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """Celery publishing for real (not eagerly) to a Redis this test can stop and freeze."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    with RedisServer() as server:
        app.conf.update(broker_url=server.url(0), task_always_eager=False)
        forget_broker_connections()
        try:
            yield server
        finally:
            app.conf.update(saved)
            forget_broker_connections()


def queue_a_code(capture, n: int) -> tuple[Message, float]:
    started = time.monotonic()
    with capture(execute=True):
        message = notify(
            template="login_code",
            context={"code": "123456"},
            dedupe_key=f"login-code:test-{n}",
            to_phone=PHONE,
        )
    return message, time.monotonic() - started


def queued(server: RedisServer) -> int:
    # Texts go to the `sms` queue (CELERY_TASK_ROUTES).
    return redis_py.Redis.from_url(server.url(0)).llen("sms")


def test_with_the_broker_stopped_queuing_gives_up_at_once(
    broker, django_capture_on_commit_callbacks, caplog
):
    broker.stop()

    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        message, seconds = queue_a_code(django_capture_on_commit_callbacks, 1)

    assert seconds < 0.5
    assert Message.objects.get(pk=message.pk).status == Message.Status.QUEUED
    assert [r.getMessage() for r in caplog.records] == [
        f"could not queue message {message.pk}; the sweep will pick it up"
    ]


def test_with_the_broker_hanging_queuing_gives_up_within_its_timeout(
    broker, django_capture_on_commit_callbacks
):
    broker.freeze()
    try:
        message, seconds = queue_a_code(django_capture_on_commit_callbacks, 1)
    finally:
        broker.thaw()

    assert seconds < 2.0  # one try, 1 s socket timeout (5 s and more before)
    assert Message.objects.get(pk=message.pk).status == Message.Status.QUEUED


def test_after_a_broker_restart_the_next_text_is_queued_on_the_first_try(
    broker, django_capture_on_commit_callbacks
):
    queue_a_code(django_capture_on_commit_callbacks, 1)
    broker.stop()
    broker.start()  # empty: the first task was lost with it, as the sweep expects

    _message, seconds = queue_a_code(django_capture_on_commit_callbacks, 2)

    assert queued(broker) == 1
    assert seconds < 0.5

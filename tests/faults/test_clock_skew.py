"""The web machine's clock runs two seconds ahead of the worker's: the sign-in code it writes
is not yet due when its task reaches the worker. The task waits until it is, and the code
arrives once, within seconds; nothing runs the sweep here, so only that wait can send it."""

import datetime as dt
import re
import time

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Message
from notifications.services import login_code_send

from .conftest import broker, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+447700900556"
AHEAD = dt.timedelta(seconds=2)


def test_a_code_written_by_a_clock_ahead_of_the_workers_still_arrives_once(
    private_redis, fake_twilio, celery_worker
):
    worker = celery_worker(worker_env(redis_url=private_redis.url(), twilio_url=fake_twilio.url))

    with broker(private_redis.url()):
        with time_machine.travel(timezone.now() + AHEAD, tick=True):
            login_code_send(phone=PHONE)  # its task is queued as this returns
        asked = time.monotonic()
        [text] = wait_for(fake_twilio.received, timeout=20, every=0.05, what="the sign-in code")
    arrived = time.monotonic() - asked

    row = wait_for(
        lambda: Message.objects.filter(template="login_code", status="sent").first(),
        timeout=10,
        what="the row to be sent",
    )
    assert text["To"] == PHONE
    assert re.search(r"\b\d{6}\b", text["Body"])
    assert arrived < 10
    # Sent by the worker's clock no earlier than the writer said, on the first attempt.
    assert row.sent_at >= row.not_before
    assert (row.attempts, fake_twilio.requests) == (1, 1)
    # The task arrived early, found the row not due, and came back for it.
    assert "succeeded" in worker.log and "'skipped'" in worker.log
    time.sleep(1)
    assert len(fake_twilio.received()) == 1

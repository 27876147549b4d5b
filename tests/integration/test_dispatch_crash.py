"""Several worker processes, thousands of texts, a flaky provider, one worker killed mid-run:
nothing is sent twice, nothing is lost without a trace, the rules hold, for invitations (marked
begun in groups) and for every other text (marked alone)."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from notifications.dispatch import sweep
from notifications.models import Message
from tests.factories import UserFactory
from tests.notifications.twilio_helpers import ACCOUNT, SERVICE, TOKEN

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("dispatch_worker.py")
WORKERS = 4
PEOPLE = 300
PER_PERSON = 10
LONDON = ZoneInfo("Europe/London")
SENDING_TIMEOUT_SECONDS = 2
CLAIM_LEASE_SECONDS = 1
CLAIM_SIZE = 10
VICTIM_SERVICE = "MG" + "2" * 32

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _worker_env(server_url: str) -> dict:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "api.settings",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": SERVICE,
        "TWILIO_API_BASE_URL": server_url,
        "PUBLIC_BASE_URL": "https://blether.test",
        "DEBUG": "1",
        "LOG_LEVEL": "ERROR",
        "CLAIM_SIZE": str(CLAIM_SIZE),
        # Leases lapse within the run: rows the victim claimed come back, and live workers'
        # lapsed claims are taken by others while they work, all without a second copy.
        "SMS_CLAIM_LEASE_SECONDS": str(CLAIM_LEASE_SECONDS),
    }
    return env


def _rows(person, bodies: list[str], now, category: str) -> list[Message]:
    return [
        Message(
            recipient=person,
            to_phone=person.phone,
            template="test_bulk",
            category=category,
            body=body,
            dedupe_key=f"bulk:{body}",
            not_before=now,
        )
        for body in bodies
    ]


# Invitations (`nudge`) are marked begun in groups of SMS_NUDGE_MARK_BATCH (10): the victim's
# group in flight ends `unknown`, the texts after the one in flight never sent. Any other text
# is marked alone: only the one in flight.
@pytest.mark.parametrize(("category", "most_unknown"), [("nudge", 10), ("transactional", 1)])
def test_thousands_of_texts_across_crashing_workers_go_at_most_once(
    fake_twilio, category, most_unknown
):
    assert connection.settings_dict["NAME"].startswith("test_")
    now = timezone.now()
    local = timezone.localtime(now, LONDON)
    awake = dict(quiet_start=dt.time(0), quiet_end=dt.time(0))
    people = [UserFactory(**awake) for _ in range(PEOPLE)]
    sleeper = UserFactory(
        quiet_start=(local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=(local + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0),
    )
    stopped = UserFactory(sms_opted_out_at=now - dt.timedelta(days=1), **awake)
    unsubscribed_at_twilio = UserFactory(**awake)

    rows = []
    for n, person in enumerate(people):
        rows += _rows(person, [f"Blether test {n}-{k}" for k in range(PER_PERSON)], now, category)
    rows += _rows(sleeper, [f"Night {k}" for k in range(5)], now, category)
    rows += _rows(stopped, [f"Stopped {k}" for k in range(4)], now, category)
    rows += _rows(unsubscribed_at_twilio, ["Refused 0"], now, category)
    Message.objects.bulk_create(rows, batch_size=1000)
    total = len(rows)
    assert total == 3010

    # The provider stumbles: 1 in 10 first attempts answer 500, 1 in 15 answer 429.
    bodies = [r.body for r in rows if r.body.startswith("Blether")]
    fake_twilio.fail_first = {b: 500 for b in bodies[3::10]} | {b: 429 for b in bodies[7::15]}
    fake_twilio.refuse_to[unsubscribed_at_twilio.phone] = 21610

    started = time.monotonic()
    print(f"\nrows ready; {len(rows)}", flush=True)
    # The victim sends under its own Messaging Service SID, so the server can catch it
    # mid-call: its 150th text is accepted and never answered, and then it is killed.
    fake_twilio.hang_service = VICTIM_SERVICE
    fake_twilio.hang_after = 150
    env = _worker_env(fake_twilio.url)
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER)],
            cwd=ROOT,
            env={**env, "TWILIO_MESSAGING_SERVICE_SID": VICTIM_SERVICE} if n == 0 else env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    victim = workers[0]
    assert fake_twilio.hanging.wait(timeout=120), victim.stderr.read()
    print(f"kill at {time.monotonic() - started:.1f}s", flush=True)
    victim.send_signal(signal.SIGKILL)
    outputs = []
    for worker in workers[1:]:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    print(f"workers done at {time.monotonic() - started:.1f}s", flush=True)
    victim.wait(timeout=10)
    assert victim.returncode == -signal.SIGKILL

    # The row the killed worker had in flight stays begun: past the timeout it is unknown.
    time.sleep(SENDING_TIMEOUT_SECONDS + 0.5)
    swept = sweep(timeout_seconds=SENDING_TIMEOUT_SECONDS)

    statuses = Counter(Message.objects.values_list("status", flat=True))
    print(f"\nworkers: {outputs}; swept: {swept}; statuses: {dict(statuses)}")
    sent_bodies = [m["Body"] for m in fake_twilio.accepted]
    twice = [body for body, n in Counter(sent_bodies).items() if n > 1]
    assert twice == [], f"sent twice: {twice[:5]}"

    neighbours = Message.objects.filter(recipient__in=people)
    assert set(neighbours.values_list("status", flat=True)) <= {"sent", "failed", "unknown"}
    sent = set(neighbours.filter(status="sent").values_list("body", flat=True))
    # Every row marked sent was accepted by the provider exactly once.
    assert sent <= set(sent_bodies)
    # Anything else the provider accepted is a row whose worker died before writing `sent`.
    unknown = set(neighbours.filter(status="unknown").values_list("body", flat=True))
    assert set(sent_bodies) - sent - {"Refused 0"} <= unknown
    assert swept["unknown"] == statuses["unknown"] >= 1
    hung = Message.objects.get(body=fake_twilio.hung["Body"])
    assert hung.status == "unknown"
    assert sent_bodies.count(hung.body) == 1
    # The text in flight, and the rest of its group if it was marked begun with others; the
    # claimed rows not begun went to other workers.
    assert 1 <= statuses["unknown"] <= most_unknown
    assert unknown & set(sent_bodies) == {hung.body}  # the others were never sent
    assert neighbours.filter(status="failed").count() == 0  # one retry clears every stumble
    assert len(sent) == PEOPLE * PER_PERSON - statuses["unknown"]

    # Quiet hours: deferred to the morning, never sent now.
    night = Message.objects.filter(recipient=sleeper)
    assert set(night.values_list("status", flat=True)) == {"queued"}
    assert all(m.not_before > now for m in night)
    # STOP: suppressed, never sent. Twilio's 21610: failed once, and the person is marked.
    assert set(Message.objects.filter(recipient=stopped).values_list("status", flat=True)) == {
        "suppressed"
    }
    assert Message.objects.get(recipient=unsubscribed_at_twilio).status == "failed"
    unsubscribed_at_twilio.refresh_from_db()
    assert unsubscribed_at_twilio.sms_opted_out_at is not None
    forbidden = {sleeper.phone, stopped.phone, unsubscribed_at_twilio.phone}
    assert forbidden.isdisjoint(m["To"] for m in fake_twilio.accepted)

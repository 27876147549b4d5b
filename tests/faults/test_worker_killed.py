"""A worker killed mid-batch loses at most the one text in flight and duplicates none.

A host texts 200 guests through the API; a real Celery worker sends them through the
Twilio SDK to the fake Twilio over a socket and is SIGKILLed while one request is in
flight (the fake accepted it and never answers). A second worker and the sweep finish the
job. The host was told the number of texts that were in fact sent.
"""

import datetime as dt
import json
import time
from collections import Counter

import pytest

from meals.models import HostMessage
from notifications.models import Message
from notifications.tasks import release_claims, sweep_outbox
from tests.conftest import client_for
from tests.factories import MealFactory, SignupFactory, UserFactory
from tests.notifications.twilio_helpers import SERVICE

from .conftest import broker, wait_for, worker_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]

GUESTS = 200
KILL_AT = 50  # the 50th text is accepted by the fake and never answered; then the worker dies
# Short enough for a test, in the proportions of production (lease < sending timeout).
KNOBS = {
    "SMS_CLAIM_LEASE_SECONDS": 3,
    "SMS_SENDING_TIMEOUT_SECONDS": 8,
    "TWILIO_TIMEOUT_SECONDS": 5,
    # The host's texts are marked one at a time whatever this is; 8 s must exceed 5 s x it.
    "SMS_NUDGE_MARK_BATCH": 1,
}
FINAL = {"sent", "delivered", "failed", "undelivered", "suppressed", "unknown"}


def test_a_worker_killed_mid_batch_loses_at_most_the_text_in_flight(
    private_redis, fake_twilio, celery_worker
):
    # Never in quiet hours, whatever the hour the worker runs at.
    awake = {"quiet_start": dt.time(0), "quiet_end": dt.time(0)}
    host = UserFactory(has_app=True, display_name="Agnes Boyd")
    meal = MealFactory(host=host, capacity=GUESTS, title="Street tea on Dockhead Street")
    guests = [SignupFactory(meal=meal, person=UserFactory(**awake)).person for _ in range(GUESTS)]
    phones = {g.phone for g in guests}
    fake_twilio.hang_service = SERVICE
    fake_twilio.hang_after = KILL_AT - 1
    env = worker_env(redis_url=private_redis.url(), twilio_url=fake_twilio.url, **KNOBS)
    first = celery_worker(env)

    with broker(private_redis.url()):
        started = time.monotonic()
        response = client_for(host).post(
            f"/api/meals/{meal.pk}/messages/", {"text": "Bring a brolly"}, format="json"
        )
        assert response.status_code == 201, response.content
        assert fake_twilio.hanging.wait(timeout=60), first.log
        first.kill()
        killed = time.monotonic()
        held = Counter(Message.objects.values_list("status", flat=True))

        celery_worker(env)

        def all_delivered():  # beat sends release_claims every 10 s; here every second
            release_claims.delay()
            return len(fake_twilio.received()) >= GUESTS

        wait_for(all_delivered, timeout=60, every=1, what="every text to be delivered")
        delivered = time.monotonic()

        def finished():  # and the sweep every minute
            sweep_outbox.delay()
            statuses = Counter(Message.objects.values_list("status", flat=True))
            return statuses if set(statuses) <= FINAL else None

        statuses = wait_for(finished, timeout=60, every=1, what="every text to end")
    settled = time.monotonic()

    texts = fake_twilio.received()
    per_phone = Counter(t["To"] for t in texts)
    hung = fake_twilio.hung["To"]
    figures = {
        "promised": response.json()["recipients"],
        "received_by_fake": len(texts),
        "duplicated": sum(n - 1 for n in per_phone.values() if n > 1),
        "never_sent": len(phones - set(per_phone)),
        "rows_at_kill": dict(held),
        "final_rows": dict(statuses),
        "kill_after_s": round(killed - started, 1),
        "all_delivered_after_kill_s": round(delivered - killed, 1),
        "all_final_after_kill_s": round(settled - killed, 1),
    }
    print("\nFIGURES worker-killed " + json.dumps(figures))

    assert per_phone.most_common(1)[0][1] == 1  # nobody got it twice
    assert set(per_phone) == phones  # everybody got it, the one in flight included
    assert dict(statuses) == {"sent": GUESTS - 1, "unknown": 1}
    assert Message.objects.get(status="unknown").to_phone == hung
    assert response.json()["recipients"] == len(texts) == GUESTS
    assert HostMessage.objects.get().recipients == GUESTS

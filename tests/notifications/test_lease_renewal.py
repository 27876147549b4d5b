"""A batch slower than its lease keeps its rows: the lease is renewed as the batch goes, so
no other worker is handed a row the first one is still going to send."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications import dispatch
from notifications.claims import claim_due
from notifications.dispatch import claims_release, dispatch_due
from notifications.gateways.console import ConsoleGateway
from notifications.models import Message
from tests.notifications.test_durability import _queue

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 10, 14, 0, tzinfo=ZoneInfo("Europe/London"))


class SlowProvider(ConsoleGateway):
    """Each call takes 20 s of the pinned clock; at each, another worker looks for lapsed
    claims to give back, and the rows' state is noted."""

    def __init__(self, clock) -> None:
        super().__init__()
        self.clock = clock
        self.released: list[int] = []
        self.leases: list[dt.datetime | None] = []

    def send(self, *, to, body, status_callback=None):
        self.released.append(claims_release())
        self.leases.append(Message.objects.get(dedupe_key="k3").lease_until)
        self.clock.shift(20)
        return super().send(to=to, body=body, status_callback=status_callback)


def test_a_batch_slower_than_its_lease_is_not_given_back_while_it_goes(monkeypatch, settings):
    settings.SMS_CLAIM_LEASE_SECONDS = 30
    # Each begun alone, as every text but an invitation is (a row begun is never given back).
    settings.SMS_NUDGE_MARK_BATCH = 1
    _queue(4)
    with time_machine.travel(T0, tick=False) as clock:
        provider = SlowProvider(clock)
        monkeypatch.setattr(dispatch, "get_gateway", lambda: provider)

        assert dispatch_due(claim_size=4) == {"sent": 4}  # 80 s for a lease of 30

    assert provider.released == [0, 0, 0, 0]
    # Renewed whenever half the lease had run: before the second, third and last texts.
    assert provider.leases == [T0 + dt.timedelta(seconds=s) for s in (30, 50, 70, 90)]
    assert [s["sid"] for s in provider.sent] == [f"CONSOLE{n:08d}" for n in (1, 2, 3, 4)]
    assert list(
        Message.objects.order_by("pk").values_list("status", "attempts", "provider_sid")
    ) == [("sent", 1, f"CONSOLE{n:08d}") for n in (1, 2, 3, 4)]


def test_rows_given_back_before_a_renewal_stay_with_the_worker_that_took_them(settings):
    settings.SMS_CLAIM_LEASE_SECONDS = 30
    _queue(2)
    with time_machine.travel(T0, tick=False) as clock:
        first = claim_due(limit=2)  # this worker stalls past its lease ...
        clock.shift(31)
        assert claims_release() == 2
        second = claim_due(limit=2)  # ... and another takes its rows

        lease = dispatch.Lease(first, token=first[0].claimed_by, now=T0)
        lease.renew_if_due()

    rows = list(Message.objects.order_by("pk").values_list("claimed_by", "lease_until"))
    assert rows == [(second[0].claimed_by, T0 + dt.timedelta(seconds=61))] * 2

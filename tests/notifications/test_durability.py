"""Which of the dispatcher's commits wait for the disk, and what a crash of PostgreSQL does to
the texts claimed before it: never sent twice, even if the crash lost their marks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from notifications import dispatch
from notifications.dispatch import claim_due, claims_release, dispatch_due
from notifications.durability import EPOCH_TABLE
from notifications.gateways.console import ConsoleGateway
from notifications.models import Message
from notifications.sweep import CRASHED
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 10, 14, 0, tzinfo=ZoneInfo("Europe/London"))


def _queue(n: int) -> None:
    """Due rows, written without queuing a task (eager tasks would send them at once)."""
    person = UserFactory(quiet_start=dt.time(0), quiet_end=dt.time(0))
    Message.objects.bulk_create(
        Message(
            recipient=person, to_phone=person.phone, template="test_durable_nudge",
            category="nudge", body="Tea at the Harbour", dedupe_key=f"k{k}", not_before=T0,
        )
        for k in range(n)
    )  # fmt: skip


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _crash() -> None:
    """What crash recovery does to an UNLOGGED table: it starts empty."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {EPOCH_TABLE}")


def test_the_epoch_lives_in_a_table_a_crash_empties():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [EPOCH_TABLE])
        assert cursor.fetchone() == ("u",)


@pytest.mark.django_db(transaction=True)  # commits as in a worker: a claim's SET LOCAL ends
def test_per_text_commits_do_not_wait_for_the_disk_and_the_session_is_reset_after(monkeypatch):
    seen = []

    class Watching(ConsoleGateway):
        def send(self, *, to, body, status_callback=None):
            seen.append(_setting())
            return super().send(to=to, body=body, status_callback=status_callback)

    gateway = Watching()
    monkeypatch.setattr(dispatch, "get_gateway", lambda: gateway)
    _queue(3)

    with time_machine.travel(T0, tick=False):
        assert dispatch_due(claim_size=2) == {"sent": 3}

    assert seen == ["off", "off", "off"]
    assert _setting() == "on"  # later work on this connection waits for the disk again


def test_texts_claimed_before_a_crash_are_never_given_back(settings):
    settings.SMS_CLAIM_LEASE_SECONDS = 30
    _queue(3)
    with time_machine.travel(T0, tick=False) as clock:
        before = {m.pk for m in claim_due(limit=2)}  # the worker dies with the database
        _crash()
        after = {m.pk for m in claim_due(limit=1)}  # claimed in the database's next life
        clock.shift(31)

        assert claims_release() == 1

    rows = {m.pk: (m.status, m.status_reason) for m in Message.objects.all()}
    # Their marks may have been lost with the crash: maybe sent, so never again.
    assert {rows[pk] for pk in before} == {("unknown", CRASHED)}
    assert {rows[pk] for pk in after} == {("queued", "")}


def test_a_claim_in_the_same_life_of_the_database_is_given_back_as_before(settings):
    settings.SMS_CLAIM_LEASE_SECONDS = 30
    _queue(2)
    with time_machine.travel(T0, tick=False) as clock:
        claim_due(limit=2)
        clock.shift(31)

        assert claims_release() == 2

    assert set(Message.objects.values_list("status", flat=True)) == {"queued"}

"""The outbox keeps only the indexes its queries use, and marking a row begun touches none.

Every index is written for each of a fan-out's rows and again whenever a row changes a
column it covers, so each one here names the query that needs it (EXPLAIN, with sequential
scans off so that a table of a few rows still shows which index can serve the query).
"""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from notifications.claims import _TAKE_WITH_LEASE, CLAIM_SETTINGS, claim_due
from notifications.dispatch import _mark_group
from notifications.models import Message
from notifications.services import notify
from notifications.templates import register
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
register("test_index_nudge", category="nudge", text="Tea at {place}")

# Each index and the query that needs it.
INDEXES = {
    "notifications_message_pkey",
    "notif_msg_dedupe_key_uniq",  # ON CONFLICT (dedupe_key) of every fan-out
    "notif_msg_queue_idx",  # a worker's claim: due rows, oldest first
    "notif_msg_claimed_idx",  # lapsed claims given back; begun rows the sweep gives up on
    "notif_msg_subject_idx",  # withdrawing the queued texts about a meal
    "notif_msg_recip_idx",  # the weekly cap, a bare YES's invitation, a person leaving
    "notif_msg_provider_sid_idx",  # delivery reports
}


@pytest.fixture
def outbox():
    """A few hundred rows in every state, analysed, so the planner weighs real statistics."""
    people = [UserFactory() for _ in range(3)]
    now = timezone.now()
    states = [
        {"status": "queued"},
        {"status": "claimed", "claimed_by": "w1", "lease_until": now},
        {"status": "sent", "provider_sid": "SM{n}"},
        {"status": "suppressed"},
    ]
    Message.objects.bulk_create(
        Message(
            recipient=people[n % 3],
            to_phone=people[n % 3].phone,
            template="meal_invitation" if n % 2 else "reminder_24h",
            category="nudge",
            body="Tea",
            dedupe_key=f"k{n}",
            subject=f"meal:{n % 50}",
            not_before=now,
            created_at=now - dt.timedelta(hours=n),
            **{k: v.format(n=n) if isinstance(v, str) else v for k, v in state.items()},
        )
        for n in range(400)
        for state in [states[n % 4]]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Message._meta.db_table}")


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_the_outbox_has_exactly_the_indexes_its_queries_use():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s",
            [Message._meta.db_table],
        )
        names = {row[0] for row in cursor.fetchall()}

    assert names == INDEXES


def test_a_claim_reads_its_batch_off_the_queue_index_without_sorting(outbox):
    plan = _plan(
        Message.objects.filter(status="queued", not_before__lte=timezone.now()).order_by(
            "not_before", "pk"
        )[:20]
    )

    assert "notif_msg_queue_idx" in plan
    assert "Sort" not in plan


@pytest.mark.parametrize(
    ("rows", "index"),
    [
        (lambda now: Message.objects.filter(provider_sid="SM1", status="sent"), "provider_sid"),
        (lambda now: Message.objects.filter(subject="meal:7", status="queued"), "subject"),
        (
            lambda now: Message.objects.filter(
                status="claimed", sending_started_at__isnull=True, lease_until__lte=now
            ),
            "claimed",
        ),
        (
            lambda now: Message.objects.filter(
                status="claimed", sending_started_at__lte=now - dt.timedelta(minutes=5)
            ),
            "claimed",
        ),
        (
            lambda now: Message.objects.filter(
                recipient_id=1, template="meal_invitation", created_at__gte=now
            ),
            "recip",
        ),
        (lambda now: Message.objects.filter(dedupe_key="invite:1:2"), "dedupe_key_uniq"),
    ],
)
def test_each_index_serves_its_query(outbox, rows, index):
    plan = _plan(rows(timezone.now()))

    assert f"notif_msg_{index}" in plan


def test_marking_a_row_begun_is_a_hot_update():
    person = UserFactory(quiet_start=dt.time(0), quiet_end=dt.time(0))
    notify(
        recipient=person, template="test_index_nudge", context={"place": "the Harbour"},
        dedupe_key="k0",
    )  # fmt: skip
    [message] = claim_due(limit=1)

    def hot_updates() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
                [Message._meta.db_table],
            )
            return cursor.fetchone()[0]

    before = hot_updates()
    assert _mark_group([message], token=message.claimed_by) == [message]
    assert hot_updates() == before + 1
    row = Message.objects.get(pk=message.pk)
    assert (row.status, row.attempts, row.sending_started_at is not None) == ("claimed", 1, True)


def test_the_claim_statement_reads_the_queue_index_in_order_and_is_never_jit_compiled(outbox):
    now = timezone.now()
    params = {"now": now, "any_id": True, "ids": [], "limit": 100, "token": "w2", "lease": now}
    with connection.cursor() as cursor:
        for name, value in CLAIM_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        cursor.execute("EXPLAIN " + _TAKE_WITH_LEASE, {**params, "epoch": uuid.uuid4()})
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Scan using notif_msg_queue_idx" in plan
    # A sort under enable_sort=off is priced so high that JIT would compile every claim.
    assert ("Sort" in plan, "JIT" in plan) == (False, False)

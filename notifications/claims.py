"""Claiming outbox rows: which due rows a worker takes, and which must not go now.

A worker locks a batch of due rows (SELECT ... FOR UPDATE SKIP LOCKED), suppresses those
that must not go (expired, or to someone who cannot be texted), moves those in their
person's quiet hours to the morning, and takes the rest under its token: `claimed` with a
lease of SMS_CLAIM_LEASE_SECONDS, or claimed and begun at once for a single row about to be
sent.
"""

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from psycopg.types.numeric import Int8

from notifications.durability import current_epoch, run_prepared
from notifications.models import Message
from notifications.outcomes import CODE_EXPIRED, log_code_expired
from notifications.quiet import quiet_hours_end
from notifications.services import unreachable_reason
from notifications.sweep import claims_release
from people.models import User

QUIET_EXEMPT = {Message.Category.LOGIN_CODE, Message.Category.REPLY}

# A claim's transaction: its commit waits for the disk, so the claim and the outcomes flushed
# with it survive a crash (notifications.durability); and it reads due rows off
# notif_msg_queue_idx in order, never sorting: the outbox churns faster than its statistics
# follow, and a planner that believes a handful of rows are due, when thousands are, collects
# and sorts them all for each batch of 20.
CLAIM_SETTINGS = {"synchronous_commit": "on", "enable_sort": "off"}

# Rows a worker claims at a time. Each claim waits for the disk, so fewer, bigger claims cost
# less per text; the lease is renewed as the batch goes (Lease), so a slow provider's batch is
# not given back while it is being sent. After a crash of PostgreSQL a worker's claimed and
# unfinished rows become `unknown` (notifications.durability): at most this many each.
CLAIM_SIZE = 100

# (row id, fields) of `sent` rows whose write waits for the next commit of the same worker.
Pending = list[tuple[int, dict[str, Any]]]


# How each of unreachable_reason's answers reads on the row.
UNREACHABLE = {
    "left": "person left",
    "opted_out": "opted out",
    "number_invalid": "number invalid",
    "paused": "number paused after repeated non-delivery",
}


def _suppression_reason(message: Message, now: dt.datetime) -> str:
    if message.expires_at and message.expires_at <= now:
        if message.category == Message.Category.LOGIN_CODE:
            return CODE_EXPIRED
        return "too late to be useful"
    if message.recipient is None:
        return ""
    reason = unreachable_reason(
        message.recipient, login_code=message.category == Message.Category.LOGIN_CODE
    )
    return UNREACHABLE[reason] if reason else ""


def new_token() -> str:
    return uuid.uuid4().hex


# The `sent` rows waiting (all in one), and the marks of the next rows to send, in one
# statement sent as a prepared one. A row marked keeps its status and lease (indexed columns),
# so its new version is a HOT one; a `sent` is written only while the row is still begun.
#
# Both find their rows by primary key. `status = 'claimed' COLLATE "C"` is the same test as
# without it (equality does not depend on the collation), but it keeps the planner off
# notif_msg_claimed_idx, whose predicate is written in the column's own collation: with
# statistics taken while few rows were claimed, the generic plan would otherwise walk that
# whole index (every row claimed since its last vacuum) for each statement.
_SENT_AND_MARK = """
WITH sent AS (
    UPDATE notifications_message m SET status = 'sent',
        provider_sid = s.sid, sent_at = s.sent_at, body = COALESCE(s.body, m.body),
        lease_until = NULL
    FROM unnest(%(sent_ids)s::bigint[], %(sids)s::text[], %(sent_ats)s::timestamptz[],
        %(bodies)s::text[]) AS s (id, sid, sent_at, body)
    WHERE m.id = s.id AND m.status = 'claimed' COLLATE "C" AND m.sending_started_at IS NOT NULL
)
UPDATE notifications_message SET sending_started_at = %(now)s, attempts = attempts + 1
WHERE id = ANY(%(next_ids)s::bigint[]) AND status = 'claimed' COLLATE "C"
    AND claimed_by = %(token)s AND sending_started_at IS NULL
RETURNING id
"""


def sent_and_mark(
    pending: Pending | None,
    *,
    next_ids: Collection[int] = (),
    token: str = "",
    now: dt.datetime | None = None,
) -> set[int]:
    """Write the `sent` rows waiting in `pending`, and mark `next_ids` begun, in one statement.

    A row is marked only while this worker (`token`) still holds its claim and has not begun
    it; returns the ids marked. Runs in the transaction open, if any, else commits alone.
    """
    sent = list(pending or [])
    if pending:
        pending.clear()
    if not sent and not next_ids:
        return set()
    params = {
        "sent_ids": [Int8(pk) for pk, _ in sent],
        "sids": [fields.get("provider_sid", "") for _, fields in sent],
        "sent_ats": [fields.get("sent_at") for _, fields in sent],
        "bodies": [fields.get("body") for _, fields in sent],
        "next_ids": [Int8(pk) for pk in next_ids],
        "token": token,
        "now": now or timezone.now(),
    }
    return {row[0] for row in run_prepared(_SENT_AND_MARK, params)}


def flush_sent(pending: Pending | None) -> None:
    """Write the `sent` rows still waiting (inside the transaction that carries them, if any)."""
    sent_and_mark(pending)


@dataclass
class Claim:
    rows: list[Message]  # taken for sending, oldest first
    examined: int  # rows looked at, including those suppressed or deferred
    codes_expired: int = 0


class Lease:
    """A worker's hold on the rows of its claim, renewed while it is still sending them.

    A claim's lease (SMS_CLAIM_LEASE_SECONDS) is meant to outlive its worker by little; a big
    batch sent through a slow provider takes longer. Once half of it has run, the rows not
    yet begun get a fresh lease (one statement, not waiting for the disk), so they are not
    given back to another worker while this one is going. Rows already given back or taken
    by another worker are left alone. A worker that dies renews nothing: its rows go back
    at most one lease after its last renewal.
    """

    def __init__(self, rows: list[Message], *, token: str, now: dt.datetime) -> None:
        self.length = dt.timedelta(seconds=settings.SMS_CLAIM_LEASE_SECONDS)
        self.ids = [m.pk for m in rows]
        self.token = token
        self.renew_at = now + self.length / 2

    def renew_if_due(self) -> None:
        now = timezone.now()
        if now < self.renew_at:
            return
        Message.objects.filter(
            pk__in=self.ids,
            status=Message.Status.CLAIMED,
            claimed_by=self.token,
            sending_started_at__isnull=True,
        ).update(lease_until=now + self.length)
        self.renew_at = now + self.length / 2


def claim_due(
    *, limit: int, now: dt.datetime | None = None, ids: Collection[int] | None = None
) -> list[Message]:
    """Claim up to `limit` due rows for a new worker token, oldest first (see `claim_batch`)."""
    return claim_batch(limit=limit, now=now or timezone.now(), token=new_token(), ids=ids).rows


def claim_batch(
    *,
    limit: int,
    now: dt.datetime,
    token: str,
    ids: Collection[int] | None = None,
    sending: bool = False,
    release: bool = False,
    pending: Pending | None = None,
) -> Claim:
    """Take up to `limit` due rows, oldest first; suppress or defer those that must not go now.

    The rows taken are `claimed` under `token` until the lease ends or, with `sending`,
    also begun at once (one row about to be sent). `release` first gives back rows
    whose lease lapsed; `pending` rows are written in the same commit. Commits before
    returning, so no call leaves before its row's state is durable.
    """
    with transaction.atomic():
        epoch = current_epoch(also_set=CLAIM_SETTINGS)
        flush_sent(pending)
        if release:
            claims_release(now=now, epoch=epoch)
        if sending:
            examined = _lock_due(limit=limit, now=now, ids=ids)
            claimed, expired = _set_aside_what_must_wait(examined, now=now)
            if claimed:
                _take_for_sending(claimed, token=token, now=now, epoch=epoch)
        else:
            examined = _take_with_lease(limit=limit, now=now, ids=ids, token=token, epoch=epoch)
            claimed, expired = _set_aside_what_must_wait(examined, now=now)
    for message in expired:
        log_code_expired(message)
    return Claim(rows=claimed, examined=len(examined), codes_expired=len(expired))


def _lock_due(*, limit: int, now: dt.datetime, ids: Collection[int] | None) -> list[Message]:
    """Lock up to `limit` due rows nobody else holds, oldest first (call inside a transaction)."""
    rows = Message.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
        "recipient"
    )
    rows = rows.filter(status=Message.Status.QUEUED, not_before__lte=now)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return list(rows.order_by("not_before", "pk")[:limit])


def _set_aside_what_must_wait(
    examined: list[Message], *, now: dt.datetime
) -> tuple[list[Message], list[Message]]:
    """Suppress the rows that must not go, defer those in their person's quiet hours.

    Returns the rows that may go now, and the sign-in codes suppressed as expired.
    """
    claimed, expired = [], []
    for message in examined:
        reason = _suppression_reason(message, now)
        if reason:
            message.status = Message.Status.SUPPRESSED
            message.status_reason = reason
            message.finished_at = now
            message.claimed_by, message.lease_until = "", None
            message.save(update_fields=["status", "status_reason", "finished_at", *_UNCLAIMED])
            if reason == CODE_EXPIRED:
                expired.append(message)
        elif not _deferred_for_quiet_hours(message, now=now):
            claimed.append(message)
    return claimed, expired


def _deferred_for_quiet_hours(message: Message, *, now: dt.datetime) -> bool:
    """Move the row to the end of its person's quiet hours if they are on now."""
    person = message.recipient
    if person is None or message.category in QUIET_EXEMPT:
        return False
    wake = quiet_hours_end(now, start=person.quiet_start, end=person.quiet_end)
    if wake <= now:
        return False
    message.not_before = wake
    message.status, message.claimed_by, message.lease_until = Message.Status.QUEUED, "", None
    message.save(update_fields=["not_before", "status", *_UNCLAIMED])
    return True


# The columns a row taken by a claim sets, and gives back when it may not go after all.
_UNCLAIMED = ["claimed_by", "lease_until"]

# One statement locks up to a batch of due rows nobody else holds, oldest first (read off
# notif_msg_queue_idx in order), takes them under the worker's token with a lease, and
# returns them with what the claim needs to know of their recipient.
_TAKE_WITH_LEASE = """
WITH due AS (
    SELECT id FROM notifications_message
    WHERE status = 'queued' AND not_before <= %(now)s
        AND (%(any_id)s OR id = ANY(%(ids)s))
    ORDER BY not_before, id LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), taken AS (
    UPDATE notifications_message m
    SET status = 'claimed', claimed_by = %(token)s, lease_until = %(lease)s,
        claim_epoch = %(epoch)s
    FROM due WHERE m.id = due.id
    RETURNING {columns}
)
SELECT taken.*, {person}
FROM taken LEFT JOIN people_user u ON u.id = taken.recipient_id
"""
# What the claim reads of a recipient (unreachable_reason, quiet hours), in User's field order.
_PERSON_FIELDS = {
    *("id", "is_active", "phone", "sms_opted_out_at", "phone_invalid", "sms_paused"),
    *("quiet_start", "quiet_end"),
}
_PERSON = [f.column for f in User._meta.concrete_fields if f.attname in _PERSON_FIELDS]
# The models' own column names, in their field order (as from_db takes them).
_TAKE_WITH_LEASE = _TAKE_WITH_LEASE.replace(
    "{columns}", ", ".join(f"m.{f.column}" for f in Message._meta.concrete_fields)
).replace("{person}", ", ".join(f"u.{column}" for column in _PERSON))


def _take_with_lease(
    *, limit: int, now: dt.datetime, ids: Collection[int] | None, token: str, epoch: uuid.UUID
) -> list[Message]:
    """Lock and take up to `limit` due rows, `claimed` under `token` until the lease ends."""
    lease = now + dt.timedelta(seconds=settings.SMS_CLAIM_LEASE_SECONDS)
    params: dict[str, Any] = {
        "now": now,
        "any_id": ids is None,
        "ids": list(ids or []),
        "limit": limit,
        "token": token,
        "lease": lease,
        "epoch": epoch,
    }
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_WITH_LEASE, params)
        names = [col.name for col in cursor.description]
        width = len(names) - len(_PERSON)
        for values in cursor.fetchall():
            message = Message.from_db(connection.alias, names[:width], values[:width])
            if message.recipient_id is not None:
                message.recipient = User.from_db(connection.alias, _PERSON, values[width:])
            rows.append(message)
    # Sorted here, not by the statement: under the claim's enable_sort=off a sort, however
    # small, costs the plan enough to be compiled by JIT at every claim.
    return sorted(rows, key=lambda m: (m.not_before, m.pk))


def _take_for_sending(
    rows: list[Message], *, token: str, now: dt.datetime, epoch: uuid.UUID
) -> None:
    """The rows are claimed under `token` and begun at once: each is about to be sent.

    No lease: a begun row is never given back, only finished or, past the sending
    timeout, called `unknown` by the sweep."""
    Message.objects.filter(pk__in=[m.pk for m in rows]).update(
        claimed_by=token,
        status=Message.Status.CLAIMED,
        sending_started_at=now,
        attempts=F("attempts") + 1,
        claim_epoch=epoch,
    )
    for message in rows:
        message.claimed_by = token
        message.status = Message.Status.CLAIMED
        message.sending_started_at = now
        message.attempts += 1

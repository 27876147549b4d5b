"""Sending outbox rows: at most once to a human.

A worker claims a batch of due rows in one statement (SELECT ... FOR UPDATE SKIP LOCKED,
then status `claimed` under its token, with a lease of SMS_CLAIM_LEASE_SECONDS). Just before
each provider call it marks that one row begun (`sending_started_at`, a column in no index,
so a HOT update), committed, and only while it still holds the claim. A worker that dies
therefore leaves at most one row begun and unfinished: the sweep marks it `unknown` and it is
never sent again. The rows it had claimed but not begun go back to
`queued` when the lease lapses, and another worker sends them.

Here: sending, one row or a batch. Claiming is in notifications.claims; what each answer
of the provider does to the row in notifications.outcomes; delivery reports in
notifications.delivery; lapsed claims and stuck rows in notifications.sweep. Their public
names are imported here too, where callers have always found them.
"""

import contextlib
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from psycopg.types.numeric import Int8

from notifications.claims import (
    CLAIM_SIZE,
    Claim,
    Lease,
    Pending,
    claim_batch,
    claim_due,
    flush_sent,
    new_token,
)
from notifications.delivery import message_delivery_record
from notifications.durability import marks_not_waiting_for_disk, run_prepared
from notifications.gateways import (
    PermanentFailure,
    TemporaryFailure,
    UnknownOutcome,
    get_gateway,
)
from notifications.models import Message
from notifications.outcomes import (
    CODE_EXPIRED,
    CODE_NOT_KEPT,
    after_permanent_failure,
    after_temporary_failure,
    backoff_seconds,
    forget_code,
    in_flight,
    mark_unknown,
    retry_delay_seconds,
)
from notifications.sweep import claims_release, sweep

__all__ = [
    "CODES_EXPIRED",
    "CODE_EXPIRED",
    "CODE_NOT_KEPT",
    "RATE_LIMITED",
    "SKIPPED",
    "Claim",
    "backoff_seconds",
    "claim_due",
    "claims_release",
    "dispatch_due",
    "dispatch_message",
    "message_delivery_record",
    "retry_delay_seconds",
    "send_claimed",
    "status_callback_url",
    "sweep",
]

logger = logging.getLogger(__name__)

# Outcomes besides a row's status: the sender's rate ran out; a claim was lost or withdrawn.
RATE_LIMITED = "rate_limited"
SKIPPED = "skipped"
# Counted in dispatch_due's result: sign-in codes suppressed because they came too late.
CODES_EXPIRED = "code_expired"


def status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/sms/status/"


def _send_slots(wanted: int) -> int:
    """How many texts this sender may start now (SMS_SENDS_PER_SECOND; 0 = no limit)."""
    rate = settings.SMS_SENDS_PER_SECOND
    if rate <= 0 or wanted <= 0:
        return wanted
    key = f"sms-send-rate:{int(time.time())}"
    try:
        cache.add(key, 0, timeout=5)
        used_after = cache.incr(key, wanted)
    except Exception:  # a rate limiter that is down must not stop texts
        logger.warning("send rate limiter unavailable; sending without it")
        return wanted
    return max(0, min(wanted, rate - (used_after - wanted)))


def _mark_sending(message: Message, *, token: str, pending: Pending | None = None) -> bool:
    """Mark one claimed row begun, committed, if this worker still holds it and has not begun it.

    The mark (`sending_started_at`, `attempts`) touches no indexed column, so PostgreSQL
    writes it as a HOT update. A `sent` row waiting in `pending` is written by the same
    statement: one round trip and one commit per text.
    """
    now = timezone.now()
    sent_id: int | None = None
    fields: dict[str, Any] = {}
    if pending:
        *earlier, (sent_id, fields) = pending  # one waits at a time; any more go first
        pending.clear()
        flush_sent(earlier)
    params = {
        "sent_id": sent_id,
        "sid": fields.get("provider_sid", ""),
        "sent_at": fields.get("sent_at"),
        "body": fields.get("body"),
        "next_id": Int8(message.pk),
        "token": token,
        "now": now,
    }
    if sent_id is not None:
        params["sent_id"] = Int8(sent_id)
    marked = bool(run_prepared(_SENT_AND_MARK, params))
    if marked:
        message.sending_started_at = now
        message.attempts += 1
    return marked


# The previous row's `sent` (when one waits) and the next row's mark, in one statement sent
# as a prepared one. The next row keeps its status and lease (indexed columns), so its new
# version is a HOT one.
_SENT_AND_MARK = """
WITH sent AS (
    UPDATE notifications_message SET status = 'sent',
        provider_sid = %(sid)s, sent_at = %(sent_at)s, body = COALESCE(%(body)s, body),
        lease_until = NULL
    WHERE id = %(sent_id)s AND status = 'claimed'
        AND sending_started_at IS NOT NULL
)
UPDATE notifications_message SET sending_started_at = %(now)s, attempts = attempts + 1
WHERE id = %(next_id)s AND status = 'claimed'
    AND claimed_by = %(token)s AND sending_started_at IS NULL
RETURNING id
"""


def send_claimed(message: Message, *, pending: Pending | None = None) -> str:
    """Call the provider for one row already marked begun; record what happened.

    With `pending`, a `sent` row's write waits for the worker's next statement (its next
    row's `sending` mark, or its next claim), so a batch costs one commit per text, not two.
    """
    try:
        result = get_gateway().send(
            to=message.to_phone, body=message.body, status_callback=status_callback_url()
        )
    except TemporaryFailure as exc:
        return after_temporary_failure(message, exc)
    except PermanentFailure as exc:
        return after_permanent_failure(message, exc)
    except UnknownOutcome as exc:
        return mark_unknown(message, f"no answer from provider ({exc.code})")
    except Exception:
        # We cannot tell whether the provider got it: never risk a second copy.
        logger.exception("gateway raised unexpectedly for message %s", message.pk)
        return mark_unknown(message, "gateway error")
    fields = {
        "status": Message.Status.SENT,
        "provider_sid": result.provider_sid,
        "sent_at": timezone.now(),
        "lease_until": None,
    }
    fields = forget_code(message, fields)
    if pending is not None:
        pending.append((message.pk, fields))
    else:
        in_flight(message.pk).update(**fields)
    return Message.Status.SENT


def dispatch_message(message_id: int) -> str:
    """Send one due row if nobody else is; return the row's resulting status.

    'skipped' when the row is not due or someone else has it; 'rate_limited' when the
    sender's rate is used up this second (the row stays queued).
    """
    if _send_slots(1) == 0:
        return RATE_LIMITED
    claim = claim_batch(
        limit=1, now=timezone.now(), token=new_token(), ids=[message_id], sending=True
    )
    if not claim.rows:
        return SKIPPED
    return send_claimed(claim.rows[0])


def seconds_until_due(message_id: int) -> float | None:
    """How long until a queued row falls due, when it is queued and not due yet by this clock.

    A row written on another machine whose clock runs a little ahead is not yet due here
    when its task arrives; the task waits that long rather than leave it to the sweep.
    """
    not_before = (
        Message.objects.filter(pk=message_id, status=Message.Status.QUEUED)
        .values_list("not_before", flat=True)
        .first()
    )
    if not_before is None:
        return None
    wait = (not_before - timezone.now()).total_seconds()
    return wait if wait > 0 else None


def dispatch_due(*, limit: int = 200, claim_size: int = CLAIM_SIZE) -> dict[str, int]:
    """Send up to `limit` due rows, claiming `claim_size` at a time.

    Returns counts by resulting status, plus `rate_limited` when the sender's rate ran out,
    `skipped` for claimed rows withdrawn or given back before their turn, and `code_expired`
    for sign-in codes suppressed because they could no longer arrive in time.
    Each claim waits for the disk; the per-text marks between claims do not
    (notifications.durability), and the last `sent` is written by a commit that does.
    """
    counts: dict[str, int] = {}
    token = new_token()
    pending: Pending = []
    try:
        with marks_not_waiting_for_disk():
            _send_batches(counts, limit=limit, claim_size=claim_size, token=token, pending=pending)
    except BaseException:
        # Record what was sent and hand back what was not begun, rather than wait for the lease.
        with contextlib.suppress(Exception):
            flush_sent(pending)
            Message.objects.filter(
                status=Message.Status.CLAIMED, claimed_by=token, sending_started_at__isnull=True
            ).update(status=Message.Status.QUEUED, claimed_by="", lease_until=None)
        raise
    flush_sent(pending)
    return counts


def _send_batches(
    counts: dict[str, int], *, limit: int, claim_size: int, token: str, pending: Pending
) -> None:
    """dispatch_due's loop: claim a batch, mark and send its rows one by one, and again."""

    def count(key: str, n: int = 1) -> None:
        if n:
            counts[key] = counts.get(key, 0) + n

    done = 0
    while done < limit:
        slots = _send_slots(min(claim_size, limit - done))
        if slots == 0:
            counts[RATE_LIMITED] = 1
            break
        now = timezone.now()
        claim = claim_batch(limit=slots, now=now, token=token, release=not done, pending=pending)
        count(Message.Status.SUPPRESSED, claim.codes_expired)
        count(CODES_EXPIRED, claim.codes_expired)
        if not claim.examined:
            break
        lease = Lease(claim.rows, token=token, now=now)
        for message in claim.rows:
            lease.renew_if_due()
            if not _mark_sending(message, token=token, pending=pending):
                count(SKIPPED)
                continue
            outcome = send_claimed(message, pending=pending)
            count(outcome)
            if outcome == Message.Status.SUPPRESSED:
                count(CODES_EXPIRED)
        done += len(claim.rows)

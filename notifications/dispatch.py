"""Sending outbox rows: at most once to a human.

A worker claims a batch of due rows in one statement (SELECT ... FOR UPDATE SKIP LOCKED,
then status `claimed` under its token, with a lease of SMS_CLAIM_LEASE_SECONDS). Just before
each provider call it marks that one row begun (`sending_started_at`, a column in no index,
so a HOT update), committed, and only while it still holds the claim. A worker that dies
therefore leaves at most one row begun and unfinished: the sweep marks it `unknown` and it is
never sent again. The rows it had claimed but not begun go back to
`queued` when the lease lapses, and another worker sends them.

Invitations and feedback questions (category `nudge`), the texts that go out by the
thousand, are marked begun in groups of up to SMS_NUDGE_MARK_BATCH consecutive ones, one
statement a group, and then sent one by one: a worker that dies mid-group leaves that group's
unfinished rows `unknown`, the ones after the call in flight never sent. A missed invitation
is the price of a crash; a second copy of any text never is.

Here: sending, one row or a batch. Claiming is in notifications.claims; what each answer
of the provider does to the row in notifications.outcomes; delivery reports in
notifications.delivery; lapsed claims and stuck rows in notifications.sweep. Their public
names are imported here too, where callers have always found them.
"""

import contextlib
import logging
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from notifications.claims import (
    CLAIM_SIZE,
    Claim,
    Lease,
    Pending,
    claim_batch,
    claim_due,
    flush_sent,
    new_token,
    sent_and_mark,
)
from notifications.delivery import message_delivery_record
from notifications.durability import marks_not_waiting_for_disk
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


def _mark_group(
    messages: list[Message], *, token: str, pending: Pending | None = None
) -> list[Message]:
    """Mark claimed rows begun, committed, where this worker still holds them and has not begun
    them; return those marked, in order.

    The mark (`sending_started_at`, `attempts`) touches no indexed column, so PostgreSQL
    writes it as a HOT update. The `sent` rows waiting in `pending` are written by the same
    statement: one round trip and one commit per group of texts.
    """
    now = timezone.now()
    marked = sent_and_mark(pending, next_ids=[m.pk for m in messages], token=token, now=now)
    begun = [m for m in messages if m.pk in marked]
    for message in begun:
        message.sending_started_at = now
        message.attempts += 1
    return begun


def _unmark(messages: list[Message], *, token: str) -> None:
    """Undo the begun mark of rows whose provider call this worker knows it never made."""
    Message.objects.filter(
        pk__in=[m.pk for m in messages], status=Message.Status.CLAIMED, claimed_by=token
    ).update(sending_started_at=None, attempts=F("attempts") - 1)


def _groups(rows: list[Message]) -> Iterator[list[Message]]:
    """A claim's rows in the groups they are marked begun in, in order: a run of up to
    SMS_NUDGE_MARK_BATCH invitations and feedback questions together; any other text alone."""
    size = settings.SMS_NUDGE_MARK_BATCH
    group: list[Message] = []
    for message in rows:
        if message.category == Message.Category.NUDGE:
            group.append(message)
            if len(group) < size:
                continue
        else:
            if group:
                yield group
            group = [message]
        yield group
        group = []
    if group:
        yield group


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
    """dispatch_due's loop: claim a batch, mark its rows begun (alone or in groups) and send
    them one by one, and again."""

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
        for group in _groups(claim.rows):
            lease.renew_if_due()
            begun = _mark_group(group, token=token, pending=pending)
            count(SKIPPED, len(group) - len(begun))
            for n, message in enumerate(begun):
                try:
                    outcome = send_claimed(message, pending=pending)
                except BaseException:
                    # The rest of the group was begun with it, but never called: not begun.
                    with contextlib.suppress(Exception):
                        _unmark(begun[n + 1 :], token=token)
                    raise
                count(outcome)
                if outcome == Message.Status.SUPPRESSED:
                    count(CODES_EXPIRED)
        done += len(claim.rows)

"""Sending outbox rows: at most once to a human.

A worker claims a batch of due rows in one statement (SELECT ... FOR UPDATE SKIP LOCKED,
then status `claimed` under its token, with a lease of SMS_CLAIM_LEASE_SECONDS). Just before
each provider call it marks that one row `sending`, committed, and only while it still holds
the claim. A worker that dies therefore leaves at most one row in `sending`: the sweep marks
it `unknown` and it is never sent again. The rows it had claimed but not begun go back to
`queued` when the lease lapses, and another worker sends them.
"""

import contextlib
import datetime as dt
import logging
import math
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from notifications.gateways import (
    PermanentFailure,
    TemporaryFailure,
    UnknownOutcome,
    get_gateway,
)
from notifications.gateways.base import INVALID_NUMBER_CODES, OPTED_OUT_CODES
from notifications.models import Message
from notifications.quiet import quiet_hours_end
from notifications.services import unreachable_reason
from people.services import phone_mark_invalid, sms_delivered, sms_opt_out, sms_undelivered

logger = logging.getLogger(__name__)

QUIET_EXEMPT = {Message.Category.LOGIN_CODE, Message.Category.REPLY}
# Carrier-side non-delivery; three in a row pause the number.
UNDELIVERED_CODES = {"30003", "30005", "30006"}
PAUSE_AFTER_UNDELIVERED = 3
CODE_EXPIRED = "sign-in code expired before it could be sent"
# Outcomes besides a row's status: the sender's rate ran out; a claim was lost or withdrawn.
RATE_LIMITED = "rate_limited"
SKIPPED = "skipped"
# Counted in dispatch_due's result: sign-in codes suppressed because they came too late.
CODES_EXPIRED = "code_expired"

# (row id, fields) of `sent` rows whose write waits for the next commit of the same worker.
Pending = list[tuple[int, dict]]


def status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/sms/status/"


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


def _log_code_expired(message: Message) -> None:
    # The row id and attempts only: never the code or the number.
    logger.warning(
        "sign-in code message %s expired unsent after %s attempt(s)", message.pk, message.attempts
    )


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


def _new_token() -> str:
    return uuid.uuid4().hex


def _flush(pending: Pending | None) -> None:
    """Write the `sent` rows still waiting (inside the transaction that carries them, if any)."""
    while pending:
        pk, fields = pending.pop(0)
        Message.objects.filter(pk=pk, status=Message.Status.SENDING).update(**fields)


def claims_release(*, now: dt.datetime | None = None) -> int:
    """Give rows whose claim lapsed (their worker died or stalled) back to the queue."""
    now = now or timezone.now()
    with transaction.atomic():
        lapsed = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Message.Status.CLAIMED, lease_until__lte=now)
            .values("pk")
        )
        return Message.objects.filter(
            pk__in=lapsed, status=Message.Status.CLAIMED, lease_until__lte=now
        ).update(status=Message.Status.QUEUED, claimed_by="", lease_until=None)


@dataclass
class Claim:
    rows: list[Message]  # taken for sending, oldest first
    examined: int  # rows looked at, including those suppressed or deferred
    codes_expired: int = 0


def claim_due(*, limit: int, now: dt.datetime | None = None, ids=None) -> list[Message]:
    """Claim up to `limit` due rows for a new worker token, oldest first (see `_claim`)."""
    return _claim(limit=limit, now=now or timezone.now(), token=_new_token(), ids=ids).rows


def _claim(
    *,
    limit: int,
    now: dt.datetime,
    token: str,
    ids=None,
    sending: bool = False,
    release: bool = False,
    pending: Pending | None = None,
) -> Claim:
    """Take up to `limit` due rows, oldest first; suppress or defer those that must not go now.

    The rows taken are `claimed` under `token` until the lease ends or, with `sending`,
    marked `sending` at once (one row about to be sent). `release` first gives back rows
    whose lease lapsed; `pending` rows are written in the same commit. Commits before
    returning, so no call leaves before its row's state is durable.
    """
    expired: list[Message] = []
    with transaction.atomic():
        _flush(pending)
        if release:
            claims_release(now=now)
        rows = Message.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
            "recipient"
        )
        rows = rows.filter(status=Message.Status.QUEUED, not_before__lte=now)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        claimed = []
        examined = list(rows.order_by("not_before", "pk")[:limit])
        for message in examined:
            reason = _suppression_reason(message, now)
            if reason:
                message.status = Message.Status.SUPPRESSED
                message.status_reason = reason
                message.finished_at = now
                message.save(update_fields=["status", "status_reason", "finished_at"])
                if reason == CODE_EXPIRED:
                    expired.append(message)
                continue
            person = message.recipient
            if person is not None and message.category not in QUIET_EXEMPT:
                wake = quiet_hours_end(now, start=person.quiet_start, end=person.quiet_end)
                if wake > now:
                    message.not_before = wake
                    message.save(update_fields=["not_before"])
                    continue
            claimed.append(message)
        if claimed:
            if sending:
                fields = {
                    "status": Message.Status.SENDING,
                    "sending_started_at": now,
                    "attempts": F("attempts") + 1,
                }
            else:
                lease = now + dt.timedelta(seconds=settings.SMS_CLAIM_LEASE_SECONDS)
                fields = {"status": Message.Status.CLAIMED, "lease_until": lease}
            Message.objects.filter(pk__in=[m.pk for m in claimed]).update(
                claimed_by=token, **fields
            )
            for message in claimed:
                message.claimed_by = token
                if sending:
                    message.status = Message.Status.SENDING
                    message.sending_started_at = now
                    message.attempts += 1
                else:
                    message.status = Message.Status.CLAIMED
                    message.lease_until = fields["lease_until"]
    for message in expired:
        _log_code_expired(message)
    return Claim(rows=claimed, examined=len(examined), codes_expired=len(expired))


def _mark_sending(message: Message, *, token: str, pending: Pending | None = None) -> bool:
    """Mark one claimed row `sending`, committed, if this worker still holds it.

    A `sent` row waiting in `pending` is written by the same statement: one round trip
    and one commit per text, as when rows were marked all at once.
    """
    now = timezone.now()
    if pending:
        marked = _record_sent_and_mark_sending(pending, message.pk, token=token, now=now)
    else:
        marked = Message.objects.filter(
            pk=message.pk, status=Message.Status.CLAIMED, claimed_by=token
        ).update(
            status=Message.Status.SENDING,
            sending_started_at=now,
            lease_until=None,
            attempts=F("attempts") + 1,
        )
    if marked:
        message.status = Message.Status.SENDING
        message.sending_started_at = now
        message.lease_until = None
        message.attempts += 1
    return bool(marked)


_SENT_AND_SENDING = """
UPDATE {table} SET
    status = CASE WHEN id = %(sent_id)s THEN %(sent)s ELSE %(sending)s END,
    provider_sid = CASE WHEN id = %(sent_id)s THEN %(sid)s ELSE provider_sid END,
    sent_at = CASE WHEN id = %(sent_id)s THEN %(sent_at)s ELSE sent_at END,
    body = CASE WHEN id = %(sent_id)s THEN COALESCE(%(body)s, body) ELSE body END,
    sending_started_at = CASE WHEN id = %(sent_id)s THEN sending_started_at ELSE %(now)s END,
    lease_until = CASE WHEN id = %(sent_id)s THEN lease_until END,
    attempts = CASE WHEN id = %(sent_id)s THEN attempts ELSE attempts + 1 END
WHERE (id = %(sent_id)s AND status = %(sending)s)
    OR (id = %(next_id)s AND status = %(claimed)s AND claimed_by = %(token)s)
RETURNING id
"""


def _record_sent_and_mark_sending(
    pending: Pending, next_id: int, *, token: str, now: dt.datetime
) -> bool:
    """Write the waiting `sent` rows and mark `next_id` sending in one statement."""
    *earlier, (sent_id, fields) = pending  # one waits at a time; any more go first
    pending.clear()
    _flush(earlier)
    sql = _SENT_AND_SENDING.format(table=connection.ops.quote_name(Message._meta.db_table))
    params = {
        "sent_id": sent_id,
        "next_id": next_id,
        "token": token,
        "now": now,
        "sid": fields["provider_sid"],
        "sent_at": fields["sent_at"],
        "body": fields.get("body"),
        "sent": Message.Status.SENT.value,
        "sending": Message.Status.SENDING.value,
        "claimed": Message.Status.CLAIMED.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return next_id in {row[0] for row in cursor.fetchall()}


def send_claimed(message: Message, *, pending: Pending | None = None) -> str:
    """Call the provider for one row already marked `sending`; record what happened.

    With `pending`, a `sent` row's write waits for the worker's next statement (its next
    row's `sending` mark, or its next claim), so a batch costs one commit per text, not two.
    """
    try:
        result = get_gateway().send(
            to=message.to_phone, body=message.body, status_callback=status_callback_url()
        )
    except TemporaryFailure as exc:
        return _after_temporary_failure(message, exc)
    except PermanentFailure as exc:
        return _after_permanent_failure(message, exc)
    except UnknownOutcome as exc:
        return _mark_unknown(message, f"no answer from provider ({exc.code})")
    except Exception:
        # We cannot tell whether the provider got it: never risk a second copy.
        logger.exception("gateway raised unexpectedly for message %s", message.pk)
        return _mark_unknown(message, "gateway error")
    fields = {
        "status": Message.Status.SENT,
        "provider_sid": result.provider_sid,
        "sent_at": timezone.now(),
    }
    fields = _forget_code(message, fields)
    if pending is not None:
        pending.append((message.pk, fields))
    else:
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(**fields)
    return Message.Status.SENT


CODE_NOT_KEPT = "(sign-in code, not kept)"


def _forget_code(message: Message, fields: dict) -> dict:
    """A sign-in code's text is dropped once the row is final, whatever the outcome."""
    if message.category == Message.Category.LOGIN_CODE:
        return {**fields, "body": CODE_NOT_KEPT}
    return fields


def dispatch_message(message_id: int) -> str:
    """Send one due row if nobody else is; return the row's resulting status.

    'skipped' when the row is not due or someone else has it; 'rate_limited' when the
    sender's rate is used up this second (the row stays queued).
    """
    if _send_slots(1) == 0:
        return RATE_LIMITED
    claim = _claim(limit=1, now=timezone.now(), token=_new_token(), ids=[message_id], sending=True)
    if not claim.rows:
        return SKIPPED
    return send_claimed(claim.rows[0])


def dispatch_due(*, limit: int = 200, claim_size: int = 20) -> dict:
    """Send up to `limit` due rows, claiming `claim_size` at a time.

    Returns counts by resulting status, plus `rate_limited` when the sender's rate ran out,
    `skipped` for claimed rows withdrawn or given back before their turn, and `code_expired`
    for sign-in codes suppressed because they could no longer arrive in time.
    """
    counts: dict[str, int] = {}

    def count(key: str, n: int = 1) -> None:
        if n:
            counts[key] = counts.get(key, 0) + n

    token = _new_token()
    pending: Pending = []
    done = 0
    try:
        while done < limit:
            slots = _send_slots(min(claim_size, limit - done))
            if slots == 0:
                counts[RATE_LIMITED] = 1
                break
            claim = _claim(
                limit=slots, now=timezone.now(), token=token, release=not done, pending=pending
            )
            count(Message.Status.SUPPRESSED, claim.codes_expired)
            count(CODES_EXPIRED, claim.codes_expired)
            if not claim.examined:
                break
            for message in claim.rows:
                if not _mark_sending(message, token=token, pending=pending):
                    count(SKIPPED)
                    continue
                outcome = send_claimed(message, pending=pending)
                count(outcome)
                if outcome == Message.Status.SUPPRESSED:
                    count(CODES_EXPIRED)
            done += len(claim.rows)
    except BaseException:
        # Record what was sent and hand back what was not begun, rather than wait for the lease.
        with contextlib.suppress(Exception):
            _flush(pending)
            Message.objects.filter(status=Message.Status.CLAIMED, claimed_by=token).update(
                status=Message.Status.QUEUED, claimed_by="", lease_until=None
            )
        raise
    _flush(pending)
    return counts


def backoff_seconds(attempt: int) -> int:
    """The wait after `attempt` tries of an invitation, reminder or reply failed for now."""
    base = settings.SMS_BACKOFF_BASE_SECONDS
    return min(base * 2 ** max(attempt - 1, 0), settings.SMS_BACKOFF_CAP_SECONDS)


def retry_delay_seconds(*, category: str, attempt: int) -> int:
    """Seconds before the next try after `attempt` tries ended in a temporary failure.

    Sign-in codes are wanted now and live minutes: seconds apart. The rest back off long.
    """
    if category == Message.Category.LOGIN_CODE:
        waits = settings.SMS_LOGIN_BACKOFF_SECONDS
        return waits[min(max(attempt, 1), len(waits)) - 1]
    return backoff_seconds(attempt)


def _mark_unknown(message: Message, reason: str) -> str:
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        **_forget_code(
            message,
            {
                "status": Message.Status.UNKNOWN,
                "finished_at": timezone.now(),
                "status_reason": reason,
            },
        )
    )
    return Message.Status.UNKNOWN


def _retry_after(message_id: int, delay: int) -> None:
    """Queue the row's own retry once its return to the queue is committed."""
    from notifications.tasks import send_message  # the tasks module imports this one

    def _queue() -> None:
        try:
            send_message.apply_async(args=[message_id], countdown=delay)
        except Exception:  # the broker is only a transport: the sweep will find the row
            logger.warning("could not queue the retry of message %s; the sweep will", message_id)

    transaction.on_commit(_queue)


def _after_temporary_failure(message: Message, exc: TemporaryFailure) -> str:
    now = timezone.now()
    if message.attempts >= settings.SMS_MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            **_forget_code(
                message,
                {
                    "status": Message.Status.FAILED,
                    "error_code": exc.code,
                    "finished_at": now,
                    "status_reason": "gave up after retries",
                },
            )
        )
        return Message.Status.FAILED
    delay = retry_delay_seconds(category=message.category, attempt=message.attempts)
    retry_at = now + dt.timedelta(seconds=delay)
    if (
        message.category == Message.Category.LOGIN_CODE
        and message.expires_at
        and retry_at >= message.expires_at
    ):
        # A code that would arrive dead is not sent late: the person asks again.
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            status=Message.Status.SUPPRESSED,
            error_code=exc.code,
            finished_at=now,
            status_reason=CODE_EXPIRED,
            body=CODE_NOT_KEPT,
        )
        _log_code_expired(message)
        return Message.Status.SUPPRESSED
    requeued = Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=Message.Status.QUEUED,
        error_code=exc.code,
        sending_started_at=None,
        claimed_by="",
        not_before=retry_at,
    )
    if requeued:
        _retry_after(message.pk, delay)
    return Message.Status.QUEUED


def _mark_number(recipient_id: int | None, code: str, now: dt.datetime) -> None:
    if not recipient_id:
        return
    if code in OPTED_OUT_CODES:
        sms_opt_out(person=recipient_id, at=now)
    elif code in INVALID_NUMBER_CODES:
        phone_mark_invalid(person=recipient_id)


def _after_permanent_failure(message: Message, exc: PermanentFailure) -> str:
    now = timezone.now()
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            **_forget_code(
                message,
                {
                    "status": Message.Status.FAILED,
                    "error_code": exc.code,
                    "finished_at": now,
                    "status_reason": str(exc)[:120],
                },
            )
        )
        _mark_number(message.recipient_id, exc.code, now)
    return Message.Status.FAILED


DELIVERY_STATUSES = {
    "delivered": Message.Status.DELIVERED,
    "undelivered": Message.Status.UNDELIVERED,
    "failed": Message.Status.FAILED,
}


@transaction.atomic
def message_delivery_record(*, provider_sid: str, status: str, error_code: str = "") -> bool:
    """Apply a provider's delivery report to the row it names. True when something changed.

    Only `sent` rows move (to delivered, undelivered or failed), so repeats and
    out-of-order reports change nothing. Three undelivered in a row pause the number;
    a delivery resets the count.
    """
    final = DELIVERY_STATUSES.get((status or "").lower())
    if final is None or not provider_sid:
        return False
    message = (
        Message.objects.select_for_update()
        .filter(provider_sid=provider_sid, status=Message.Status.SENT)
        .first()
    )
    if message is None:
        return False
    now = timezone.now()
    message.status = final
    message.error_code = (error_code or "")[:16]
    message.finished_at = now
    message.save(update_fields=["status", "error_code", "finished_at"])
    person_id = message.recipient_id
    if person_id is None:
        return True
    if final == Message.Status.DELIVERED:
        sms_delivered(person=person_id)
    elif error_code in UNDELIVERED_CODES:
        sms_undelivered(person=person_id, pause_after=PAUSE_AFTER_UNDELIVERED)
    else:
        _mark_number(person_id, error_code, now)
    return True


def sweep(*, timeout_seconds: int | None = None, batch: int = 200, max_batches: int = 50) -> dict:
    """Give back lapsed claims, give up on rows stuck in `sending`; return how many due rows
    still wait and the batches to run."""
    now = timezone.now()
    timeout = (
        timeout_seconds if timeout_seconds is not None else settings.SMS_SENDING_TIMEOUT_SECONDS
    )
    released = claims_release(now=now)
    unknown = Message.objects.filter(
        status=Message.Status.SENDING, sending_started_at__lte=now - dt.timedelta(seconds=timeout)
    ).update(status=Message.Status.UNKNOWN, finished_at=now, status_reason="no answer from worker")
    # Codes on rows that ended any other way (suppressed, stuck) are not kept either.
    Message.objects.filter(category=Message.Category.LOGIN_CODE).exclude(
        status__in=[Message.Status.QUEUED, Message.Status.CLAIMED, Message.Status.SENDING]
    ).exclude(body=CODE_NOT_KEPT).update(body=CODE_NOT_KEPT)
    due = Message.objects.filter(status=Message.Status.QUEUED, not_before__lte=now).count()
    return {
        "released": released,
        "unknown": unknown,
        "due": due,
        "batches": min(math.ceil(due / batch), max_batches) if due else 0,
    }

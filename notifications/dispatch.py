"""Sending outbox rows: at most once to a human.

Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked `sending`
in their own committed transaction before the provider is called. A worker
that dies after that leaves the row in `sending`; the sweep marks it `unknown`
and it is never sent again.
"""

import datetime as dt
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
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
from people.models import User

logger = logging.getLogger(__name__)

QUIET_EXEMPT = {Message.Category.LOGIN_CODE, Message.Category.REPLY}
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
SENDING_TIMEOUT_SECONDS = 300
# Carrier-side non-delivery; three in a row pause the number.
UNDELIVERED_CODES = {"30003", "30005", "30006"}
PAUSE_AFTER_UNDELIVERED = 3


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/sms/status/"


def _suppression_reason(message: Message, now: dt.datetime) -> str:
    if message.expires_at and message.expires_at <= now:
        return "too late to be useful"
    person = message.recipient
    if person is None:
        return ""
    if person.sms_opted_out_at and message.category != Message.Category.LOGIN_CODE:
        return "opted out"
    if person.phone_invalid:
        return "number invalid"
    if person.sms_paused and message.category != Message.Category.LOGIN_CODE:
        return "number paused after repeated non-delivery"
    if not person.is_active:
        return "person left"
    return ""


def _send_slots(wanted: int) -> int:
    """How many texts this sender may start now (SMS_SENDS_PER_SECOND; 0 = no limit)."""
    rate = _setting("SMS_SENDS_PER_SECOND", 0)
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


def claim_due(*, limit: int, now: dt.datetime | None = None, ids=None) -> list[Message]:
    """Take up to `limit` due rows for sending, oldest first; suppress or defer the others.

    Commits before returning, so every returned row is `sending` before any call leaves.
    """
    return _claim(limit=limit, now=now or timezone.now(), ids=ids)[0]


def _claim(*, limit: int, now: dt.datetime, ids=None) -> tuple[list[Message], int]:
    """(rows claimed for sending, rows looked at, including those suppressed or deferred)."""
    with transaction.atomic():
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
            Message.objects.filter(pk__in=[m.pk for m in claimed]).update(
                status=Message.Status.SENDING, sending_started_at=now, attempts=F("attempts") + 1
            )
            for message in claimed:
                message.status = Message.Status.SENDING
                message.sending_started_at = now
                message.attempts += 1
    return claimed, len(examined)


def send_claimed(message: Message) -> str:
    """Call the provider for one row already marked `sending`; record what happened."""
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
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        **_forget_code(message, fields)
    )
    return Message.Status.SENT


CODE_NOT_KEPT = "(sign-in code, not kept)"


def _forget_code(message: Message, fields: dict) -> dict:
    """A sign-in code's text is dropped once the row is final, whatever the outcome."""
    if message.category == Message.Category.LOGIN_CODE:
        return {**fields, "body": CODE_NOT_KEPT}
    return fields


def dispatch_message(message_id: int) -> str:
    """Send one due row if nobody else is; return the row's resulting status (or 'skipped')."""
    claimed = claim_due(limit=1, ids=[message_id])
    if not claimed:
        return "skipped"
    return send_claimed(claimed[0])


def dispatch_due(*, limit: int = 200, claim_size: int = 20) -> dict:
    """Send up to `limit` due rows, claiming `claim_size` at a time.

    Small claims keep few rows at risk of `unknown` if this worker dies mid-batch.
    Returns counts by resulting status, plus `rate_limited` when the sender's rate ran out.
    """
    counts: dict[str, int] = {}
    done = 0
    while done < limit:
        slots = _send_slots(min(claim_size, limit - done))
        if slots == 0:
            counts["rate_limited"] = 1
            break
        claimed, examined = _claim(limit=slots, now=timezone.now())
        if not examined:
            break
        for message in claimed:
            outcome = send_claimed(message)
            counts[outcome] = counts.get(outcome, 0) + 1
        done += len(claimed)
    return counts


def backoff_seconds(attempt: int) -> int:
    base = _setting("SMS_BACKOFF_BASE_SECONDS", BACKOFF_BASE_SECONDS)
    cap = _setting("SMS_BACKOFF_CAP_SECONDS", BACKOFF_CAP_SECONDS)
    return min(base * 2 ** max(attempt - 1, 0), cap)


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


def _after_temporary_failure(message: Message, exc: TemporaryFailure) -> str:
    now = timezone.now()
    if message.attempts >= _setting("SMS_MAX_ATTEMPTS", MAX_ATTEMPTS):
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
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=Message.Status.QUEUED,
        error_code=exc.code,
        sending_started_at=None,
        not_before=now + dt.timedelta(seconds=backoff_seconds(message.attempts)),
    )
    return Message.Status.QUEUED


def _mark_number(recipient_id: int | None, code: str, now: dt.datetime) -> None:
    if not recipient_id:
        return
    if code in OPTED_OUT_CODES:
        User.objects.filter(pk=recipient_id, sms_opted_out_at__isnull=True).update(
            sms_opted_out_at=now
        )
    elif code in INVALID_NUMBER_CODES:
        User.objects.filter(pk=recipient_id).update(phone_invalid=True)


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
        User.objects.filter(pk=person_id).exclude(undelivered_streak=0).update(undelivered_streak=0)
    elif error_code in UNDELIVERED_CODES:
        User.objects.filter(pk=person_id).update(undelivered_streak=F("undelivered_streak") + 1)
        User.objects.filter(
            pk=person_id, undelivered_streak__gte=PAUSE_AFTER_UNDELIVERED, sms_paused=False
        ).update(sms_paused=True)
    else:
        _mark_number(person_id, error_code, now)
    return True


def sweep(*, timeout_seconds: int | None = None, batch: int = 200, max_batches: int = 50) -> dict:
    """Give up on rows stuck in `sending`; return how many due rows still wait and batches to run."""
    now = timezone.now()
    timeout = (
        timeout_seconds
        if timeout_seconds is not None
        else _setting("SMS_SENDING_TIMEOUT_SECONDS", SENDING_TIMEOUT_SECONDS)
    )
    unknown = Message.objects.filter(
        status=Message.Status.SENDING, sending_started_at__lte=now - dt.timedelta(seconds=timeout)
    ).update(status=Message.Status.UNKNOWN, finished_at=now, status_reason="no answer from worker")
    # Codes on rows that ended any other way (suppressed, stuck) are not kept either.
    Message.objects.filter(category=Message.Category.LOGIN_CODE).exclude(
        status__in=[Message.Status.QUEUED, Message.Status.SENDING]
    ).exclude(body=CODE_NOT_KEPT).update(body=CODE_NOT_KEPT)
    due = Message.objects.filter(status=Message.Status.QUEUED, not_before__lte=now).count()
    return {
        "unknown": unknown,
        "due": due,
        "batches": min(math.ceil(due / batch), max_batches) if due else 0,
    }

"""Sending outbox rows: at most once to a human.

A row is claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked `sending`
in its own committed transaction before the provider is called. A worker that
dies after that leaves the row in `sending`; the sweep marks it `unknown` and
it is never sent again.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.gateways import PermanentFailure, TemporaryFailure, get_gateway
from notifications.models import Message
from notifications.quiet import quiet_hours_end

logger = logging.getLogger(__name__)

QUIET_EXEMPT = {Message.Category.LOGIN_CODE, Message.Category.REPLY}
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
# Codes after which a number is not texted again (see ARCHITECTURE.md).
OPTED_OUT_CODES = {"21610"}
INVALID_NUMBER_CODES = {"21211", "21614", "21612", "21408"}


def status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/sms/status/"


def _suppression_reason(message: Message) -> str:
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


def _claim(message_id: int, now: dt.datetime) -> Message | None:
    """Take the row for sending, or decide it must wait or be suppressed."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=message_id, status=Message.Status.QUEUED, not_before__lte=now)
            .first()
        )
        if message is None:
            return None
        reason = _suppression_reason(message)
        if reason:
            message.status = Message.Status.SUPPRESSED
            message.status_reason = reason
            message.finished_at = now
            message.save(update_fields=["status", "status_reason", "finished_at"])
            return None
        person = message.recipient
        if person is not None and message.category not in QUIET_EXEMPT:
            wake = quiet_hours_end(now, start=person.quiet_start, end=person.quiet_end)
            if wake > now:
                message.not_before = wake
                message.save(update_fields=["not_before"])
                return None
        message.status = Message.Status.SENDING
        message.sending_started_at = now
        message.attempts += 1
        message.save(update_fields=["status", "sending_started_at", "attempts"])
    return message


def dispatch_message(message_id: int) -> str:
    """Send one due row if nobody else is; return the row's resulting status (or 'skipped')."""
    now = timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return "skipped"
    try:
        result = get_gateway().send(
            to=message.to_phone, body=message.body, status_callback=status_callback_url()
        )
    except TemporaryFailure as exc:
        return _after_temporary_failure(message, exc)
    except PermanentFailure as exc:
        return _after_permanent_failure(message, exc)
    except Exception:
        # We cannot tell whether the provider got it: never risk a second copy.
        logger.exception("gateway raised unexpectedly for message %s", message.pk)
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.UNKNOWN, finished_at=timezone.now(), status_reason="gateway error"
        )
        return Message.Status.UNKNOWN
    fields = {
        "status": Message.Status.SENT,
        "provider_sid": result.provider_sid,
        "sent_at": timezone.now(),
    }
    if message.category == Message.Category.LOGIN_CODE:
        fields["body"] = "(sign-in code, not kept)"
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(**fields)
    return Message.Status.SENT


def backoff_seconds(attempt: int) -> int:
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_CAP_SECONDS)


def _after_temporary_failure(message: Message, exc: TemporaryFailure) -> str:
    now = timezone.now()
    if message.attempts >= MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED,
            error_code=exc.code,
            finished_at=now,
            status_reason="gave up after retries",
        )
        return Message.Status.FAILED
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.QUEUED,
        error_code=exc.code,
        not_before=now + dt.timedelta(seconds=backoff_seconds(message.attempts)),
    )
    return Message.Status.QUEUED


def _after_permanent_failure(message: Message, exc: PermanentFailure) -> str:
    from people.models import User

    now = timezone.now()
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED,
            error_code=exc.code,
            finished_at=now,
            status_reason=str(exc)[:120],
        )
        if message.recipient_id:
            if exc.code in OPTED_OUT_CODES:
                User.objects.filter(pk=message.recipient_id, sms_opted_out_at__isnull=True).update(
                    sms_opted_out_at=now
                )
            elif exc.code in INVALID_NUMBER_CODES:
                User.objects.filter(pk=message.recipient_id).update(phone_invalid=True)
    return Message.Status.FAILED

"""What the provider's answer (or its silence) does to a row being sent.

Every write here moves a row only while it is begun (`claimed`, marked with
`sending_started_at`), so a row another path already finished is left alone. A temporary failure goes back to the queue with its own retry; a permanent
one is final and may mark the number; no answer is `unknown` and never sent again.
"""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from notifications.gateways import PermanentFailure, TemporaryFailure
from notifications.gateways.base import INVALID_NUMBER_CODES, OPTED_OUT_CODES
from notifications.models import Message
from people.services import phone_mark_invalid, sms_opt_out

# The log lines of the dispatcher, wherever in it they are written.
logger = logging.getLogger("notifications.dispatch")

CODE_EXPIRED = "sign-in code expired before it could be sent"
CODE_NOT_KEPT = "(sign-in code, not kept)"


def in_flight(message_id: int) -> QuerySet[Message]:
    """The row, if a worker has begun sending it and nothing has finished it since."""
    return Message.objects.filter(
        pk=message_id, status=Message.Status.CLAIMED, sending_started_at__isnull=False
    )


def forget_code(message: Message, fields: dict[str, Any]) -> dict[str, Any]:
    """A sign-in code's text is dropped once the row is final, whatever the outcome."""
    if message.category == Message.Category.LOGIN_CODE:
        return {**fields, "body": CODE_NOT_KEPT}
    return fields


def log_code_expired(message: Message) -> None:
    # The row id and attempts only: never the code or the number.
    logger.warning(
        "sign-in code message %s expired unsent after %s attempt(s)", message.pk, message.attempts
    )


def backoff_seconds(attempt: int) -> int:
    """The wait after `attempt` tries of an invitation, reminder or reply failed for now."""
    base: int = settings.SMS_BACKOFF_BASE_SECONDS
    cap: int = settings.SMS_BACKOFF_CAP_SECONDS
    doubled: int = base * 2 ** max(attempt - 1, 0)
    return min(doubled, cap)


def retry_delay_seconds(*, category: str, attempt: int) -> int:
    """Seconds before the next try after `attempt` tries ended in a temporary failure.

    Sign-in codes are wanted now and live minutes: seconds apart. The rest back off long.
    """
    if category == Message.Category.LOGIN_CODE:
        waits: list[int] = settings.SMS_LOGIN_BACKOFF_SECONDS
        return waits[min(max(attempt, 1), len(waits)) - 1]
    return backoff_seconds(attempt)


def mark_unknown(message: Message, reason: str) -> str:
    in_flight(message.pk).update(
        **forget_code(
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
    from notifications.tasks import send_message  # the tasks module imports the dispatcher

    def _queue() -> None:
        try:
            send_message.apply_async(args=(message_id,), countdown=delay)
        except Exception:  # the broker is only a transport: the sweep will find the row
            logger.warning("could not queue the retry of message %s; the sweep will", message_id)

    transaction.on_commit(_queue)


def after_temporary_failure(message: Message, exc: TemporaryFailure) -> str:
    now = timezone.now()
    if message.attempts >= settings.SMS_MAX_ATTEMPTS:
        in_flight(message.pk).update(
            **forget_code(
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
        in_flight(message.pk).update(
            status=Message.Status.SUPPRESSED,
            error_code=exc.code,
            finished_at=now,
            status_reason=CODE_EXPIRED,
            body=CODE_NOT_KEPT,
        )
        log_code_expired(message)
        return Message.Status.SUPPRESSED
    requeued = in_flight(message.pk).update(
        status=Message.Status.QUEUED,
        error_code=exc.code,
        sending_started_at=None,
        claimed_by="",
        lease_until=None,
        not_before=retry_at,
    )
    if requeued:
        _retry_after(message.pk, delay)
    return Message.Status.QUEUED


def number_mark(recipient_id: int | None, code: str, now: dt.datetime) -> None:
    """A provider's error code that says the number opted out or is invalid marks it so."""
    if not recipient_id:
        return
    if code in OPTED_OUT_CODES:
        sms_opt_out(person=recipient_id, at=now)
    elif code in INVALID_NUMBER_CODES:
        phone_mark_invalid(person=recipient_id)


def after_permanent_failure(message: Message, exc: PermanentFailure) -> str:
    now = timezone.now()
    with transaction.atomic():
        in_flight(message.pk).update(
            **forget_code(
                message,
                {
                    "status": Message.Status.FAILED,
                    "error_code": exc.code,
                    "finished_at": now,
                    "status_reason": str(exc)[:120],
                },
            )
        )
        number_mark(message.recipient_id, exc.code, now)
    return Message.Status.FAILED

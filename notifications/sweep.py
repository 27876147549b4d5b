"""Housekeeping of the outbox: lapsed claims back to the queue, rows stuck mid-send given up.

A worker that dies leaves its claimed rows to come back here when their lease lapses, and at
most one row begun (`claimed` with `sending_started_at`), which becomes `unknown` once
SMS_SENDING_TIMEOUT_SECONDS have passed and is never sent again.
"""

import datetime as dt
import logging
import math
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.durability import current_epoch
from notifications.models import Message
from notifications.outcomes import CODE_NOT_KEPT

logger = logging.getLogger("notifications.dispatch")

CRASHED = "claimed before a database crash"
_LAPSED = {"status": Message.Status.CLAIMED, "sending_started_at__isnull": True}


def claims_release(*, now: dt.datetime | None = None, epoch: uuid.UUID | None = None) -> int:
    """Give rows whose claim lapsed (their worker died or stalled) back to the queue.

    Only rows not begun: one whose worker marked it before its provider call may have been
    sent, and waits for its outcome or the sweep's `unknown`. A row claimed before a crash
    of PostgreSQL (notifications.durability) may have lost its mark: `unknown`, not resent.
    Returns how many went back to the queue. A claim passes the `epoch` it read already, and
    this runs inside its transaction (no savepoint of its own).
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        lapsed = Message.objects.select_for_update(skip_locked=True).filter(
            **_LAPSED, lease_until__lte=now
        )
        if not lapsed.exists():  # the usual answer, in one short read off notif_msg_claimed_idx
            return 0
        epoch = epoch or current_epoch()
        lost = Message.objects.filter(
            pk__in=lapsed.filter(claim_epoch__isnull=False).exclude(claim_epoch=epoch).values("pk"),
            **_LAPSED,
        ).update(status=Message.Status.UNKNOWN, finished_at=now, status_reason=CRASHED)
        if lost:
            logger.warning("%s claimed texts outlived a database crash: unknown, not resent", lost)
        return Message.objects.filter(
            pk__in=lapsed.values("pk"), **_LAPSED, lease_until__lte=now
        ).update(status=Message.Status.QUEUED, claimed_by="", lease_until=None)


def sweep(
    *, timeout_seconds: int | None = None, batch: int = 200, max_batches: int = 50
) -> dict[str, int]:
    """Give back lapsed claims, give up on rows begun too long ago; return how many due rows
    still wait and the batches to run."""
    now = timezone.now()
    timeout = (
        timeout_seconds if timeout_seconds is not None else settings.SMS_SENDING_TIMEOUT_SECONDS
    )
    released = claims_release(now=now)
    unknown = Message.objects.filter(
        status=Message.Status.CLAIMED, sending_started_at__lte=now - dt.timedelta(seconds=timeout)
    ).update(status=Message.Status.UNKNOWN, finished_at=now, status_reason="no answer from worker")
    # Codes on rows that ended any other way (suppressed, stuck) are not kept either.
    Message.objects.filter(category=Message.Category.LOGIN_CODE).exclude(
        status__in=[Message.Status.QUEUED, Message.Status.CLAIMED]
    ).exclude(body=CODE_NOT_KEPT).update(body=CODE_NOT_KEPT)
    due = Message.objects.filter(status=Message.Status.QUEUED, not_before__lte=now).count()
    return {
        "released": released,
        "unknown": unknown,
        "due": due,
        "batches": min(math.ceil(due / batch), max_batches) if due else 0,
    }

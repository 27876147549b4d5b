"""Writes to the outbox. Nothing leaves the building inside a transaction."""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Message
from notifications.templates import TEMPLATES, render
from people.models import User

logger = logging.getLogger(__name__)


def _enqueue_after_commit(message_id: int) -> None:
    from notifications.tasks import send_message

    def _send() -> None:
        try:
            send_message.delay(message_id)
        except Exception:  # the broker is only a transport: the sweep will find the row
            logger.warning("could not queue message %s; the sweep will pick it up", message_id)

    transaction.on_commit(_send)


def notify(
    *,
    template: str,
    context: dict,
    dedupe_key: str,
    recipient: User | None = None,
    to_phone: str | None = None,
    not_before: dt.datetime | None = None,
) -> Message | None:
    """Write one outgoing text, in the caller's transaction; queue it after commit.

    Returns None when a message with this dedupe key already exists (each nudge
    goes at most once) or when the person has no number to text.
    """
    phone = to_phone or (recipient.phone if recipient else None)
    if not phone:
        return None
    spec = TEMPLATES[template]
    now = timezone.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient,
                to_phone=phone,
                template=template,
                category=spec.category,
                body=render(template, context),
                dedupe_key=dedupe_key,
                not_before=not_before or now,
                created_at=now,
            )
    except IntegrityError:
        return None
    if message.not_before <= now:
        _enqueue_after_commit(message.pk)
    return message

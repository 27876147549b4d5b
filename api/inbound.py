"""Writes about texts that reach us: each Twilio MessageSid is recorded and acted on once.

The service behind the inbound webhook (api/views/sms.py), which writes nothing itself.
"""

import logging

from django.db import IntegrityError, transaction

from api.models import InboundSms
from api.sms.conversation import handle_text, lookup_before
from people.models import User

logger = logging.getLogger(__name__)


def inbound_sms_receive(*, message_sid: str, phone: str, body: str) -> InboundSms:
    """Act on the text `message_sid` from `phone` (E.164) once; the row holds the reply.

    A MessageSid seen before, or arriving twice at once, gets the first one's row back and
    acts on nothing: the unique index makes the second insert wait for the first to commit.
    So call this outside any transaction of your own.
    """
    previous = InboundSms.objects.filter(message_sid=message_sid).first()
    if previous is not None:
        return previous
    # Network waits (a postcode lookup) come first: never inside the transaction below.
    looked_up = lookup_before(phone=phone, body=body)
    try:
        with transaction.atomic():
            row = InboundSms.objects.create(message_sid=message_sid)
            outcome = handle_text(
                phone=phone, body=body, message_sid=message_sid, looked_up=looked_up
            )
            row.person = outcome.person
            row.command = outcome.command
            row.reply = outcome.reply
            row.save(update_fields=["person", "command", "reply"])
    except IntegrityError:
        previous = InboundSms.objects.filter(message_sid=message_sid).first()
        if previous is None:
            raise
        return previous
    logger.info("inbound sms handled as %s", outcome.command)
    return row


@transaction.atomic
def inbound_sms_forget(*, person: User) -> int:
    """When someone leaves: keep each MessageSid, so a late webhook replay is still recognised,
    but not who sent it nor what we answered. Returns how many rows changed."""
    return InboundSms.objects.filter(person=person).update(person=None, reply="")

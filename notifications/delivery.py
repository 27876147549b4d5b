"""Delivery reports: what the provider later says became of a text it accepted."""

from django.db import transaction
from django.utils import timezone

from notifications.models import Message
from notifications.outcomes import number_mark
from people.services import sms_delivered, sms_undelivered

# Carrier-side non-delivery; three in a row pause the number.
UNDELIVERED_CODES = {"30003", "30005", "30006"}
PAUSE_AFTER_UNDELIVERED = 3

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
        number_mark(person_id, error_code, now)
    return True

"""What api/ keeps about a person joins leaving and the export (the signals of
meals.services.leaving.person_delete and meals.exports.person_export)."""

from django.dispatch import receiver

from api.inbound import inbound_sms_forget
from api.models import InboundSms
from meals.exports import person_export_parts
from meals.services.leaving import person_leaving


@receiver(person_leaving, dispatch_uid="api.receivers.forget_inbound_texts")
def forget_inbound_texts(sender, *, person, **kwargs) -> None:
    inbound_sms_forget(person=person)


@receiver(person_export_parts, dispatch_uid="api.receivers.export_inbound_texts")
def export_inbound_texts(sender, *, person, **kwargs) -> dict:
    return {
        "texts_from_me": [
            {"command": t.command, "received_at": t.received_at.isoformat()}
            for t in InboundSms.objects.filter(person=person).order_by("received_at")
        ]
    }

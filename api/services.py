"""Orchestration that spans apps for a request (each step is a domain service).

Higher apps extend these as they arrive: leaving Blether cancels their
future sign-ups and hosted meals before the person is anonymised.
"""

from django.db import transaction

from people.models import User
from people.services import user_anonymise


@transaction.atomic
def person_delete(*, person: User) -> None:
    user_anonymise(user=person)


def person_export(*, person: User) -> dict:
    home = person.home_location
    return {
        "person": {
            "id": person.pk,
            "phone": person.phone,
            "display_name": person.display_name,
            "home_location": {"lat": home.y, "lng": home.x} if home else None,
            "nudge_radius_km": float(person.nudge_radius_km),
            "sms_nudges": person.sms_nudges,
            "quiet_hours": {
                "start": person.quiet_start.strftime("%H:%M"),
                "end": person.quiet_end.strftime("%H:%M"),
            },
            "dietary_needs": person.dietary_needs,
            "access_needs": person.access_needs,
            "has_app": person.has_app,
            "sms_opted_out_at": person.sms_opted_out_at.isoformat()
            if person.sms_opted_out_at
            else None,
            "date_joined": person.date_joined.isoformat(),
        },
        "organisations": [
            {"id": m.organisation_id, "name": m.organisation.name, "role": m.role}
            for m in person.memberships.select_related("organisation")
        ],
        "messages_sent_to_me": [
            {"template": m.template, "status": m.status, "created_at": m.created_at.isoformat()}
            for m in person.messages.order_by("created_at")
        ],
    }

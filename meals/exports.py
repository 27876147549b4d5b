"""Download my data: everything held about a person, for either face (a read, like the
selectors). What a face keeps itself joins through `person_export_parts` (api/: the texts
someone sent, in api/receivers.py), since web/ and api/ may not import each other."""

from typing import Any

from django.dispatch import Signal

from meals.lift_selectors import pickup_note_for
from meals.models import Dish, Driver, Feedback, GuestQuestion, Lift, Meal, Signup
from people.models import User

# Sent by person_export with person=<User>; each receiver returns a dict of extra sections for
# "download my data" (api/: "texts_from_me", in api/receivers.py).
person_export_parts = Signal()


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _meal_ref(meal) -> dict:
    """A meal as each of the export's rows names it."""
    return {"id": meal.pk, "code": meal.code, "title": meal.title}


def _export_signups(person: User) -> list[dict]:
    signups = Signup.objects.filter(person=person).select_related("meal").order_by("created_at")
    return [
        {
            "id": s.pk,
            "meal": _meal_ref(s.meal),
            "status": s.status,
            "party_size": s.party_size,
            "channel": s.channel,
            "dietary_needs": s.dietary_needs,
            "access_needs": s.access_needs,
            "created_at": _iso(s.created_at),
            "cancelled_at": _iso(s.cancelled_at),
        }
        for s in signups
    ]


def _export_meals_hosted(person: User) -> list[dict]:
    return [
        {
            "id": m.pk,
            "code": m.code,
            "title": m.title,
            "kind": m.kind,
            "status": m.status,
            "starts_at": _iso(m.starts_at),
            "ends_at": _iso(m.ends_at),
            "place_description": m.place_description,
            "capacity": m.capacity,
        }
        for m in Meal.objects.filter(host=person).order_by("starts_at")
    ]


def _export_dishes_and_feedback(person: User) -> dict:
    dishes = Dish.objects.filter(added_by=person).select_related("meal").order_by("created_at")
    feedback = Feedback.objects.filter(person=person).select_related("meal").order_by("created_at")
    return {
        "dishes": [
            {
                "id": d.pk,
                "meal": _meal_ref(d.meal),
                "name": d.name,
                "story": d.story,
                "allergens": d.allergens,
                "created_at": _iso(d.created_at),
            }
            for d in dishes
        ],
        "feedback": [
            {
                "id": f.pk,
                "meal": _meal_ref(f.meal),
                "felt_welcome": f.felt_welcome,
                "people_were_kind": f.people_were_kind,
                "comment": f.comment,
                "created_at": _iso(f.created_at),
            }
            for f in feedback
        ],
    }


def _export_questions(person: User) -> list[dict]:
    """Texts of theirs passed to a host: which meal and when, as the words are not kept."""
    questions = GuestQuestion.objects.filter(asked_by=person).select_related("meal")
    return [
        {
            "meal": _meal_ref(q.meal),
            "asked_at": _iso(q.asked_at),
            "answered_at": _iso(q.answered_at),
        }
        for q in questions.order_by("asked_at", "pk")
    ]


def _meals_part(person: User) -> dict:
    return {
        "signups": _export_signups(person),
        "meals_hosted": _export_meals_hosted(person),
        **_export_dishes_and_feedback(person),
        "texts_passed_to_hosts": _export_questions(person),
        **_export_lifts(person),
    }


def _export_lifts(person: User) -> dict:
    driver = Driver.objects.filter(person=person).select_related("checked_by").first()
    asked = Lift.objects.filter(guest=person).select_related("meal").order_by("created_at")
    return {
        "driver": None
        if driver is None
        else {
            "seats": driver.seats,
            "step_free": driver.step_free,
            "max_km": float(driver.max_km),
            "checked_by": driver.checked_by.name if driver.checked_by else None,
            "checked_at": _iso(driver.checked_at),
        },
        "lifts_asked": [
            {
                "id": lift.pk,
                "meal": _meal_ref(lift.meal),
                "status": lift.status,
                "pickup_note": pickup_note_for(lift=lift, viewer=person),
                "created_at": _iso(lift.created_at),
            }
            for lift in asked
        ],
        # The lifts they gave or hold: what was asked of them, never the guest's details.
        "lifts_driven": [
            {
                "id": lift.pk,
                "meal": _meal_ref(lift.meal),
                "passengers": lift.passengers,
                "taken_at": _iso(lift.taken_at),
            }
            for lift in Lift.objects.filter(driver__person=person, status=Lift.Status.TAKEN)
            .select_related("meal")
            .order_by("taken_at", "pk")
        ],
    }


def person_export(*, person: User) -> dict[str, Any]:
    """Everything held about a person, for "download my data" in either face."""
    home = person.home_location
    export: dict[str, Any] = {
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
        **_meals_part(person),
    }
    for _receiver, part in person_export_parts.send(sender=User, person=person):
        if isinstance(part, dict):
            export.update(part)
    return export

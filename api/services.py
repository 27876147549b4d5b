"""Orchestration that spans apps for a request (each step is a domain service).

Higher apps extend these as they arrive: leaving Blether cancels their
future sign-ups and hosted meals before the person is anonymised.
"""

import datetime as dt
from typing import Any

from django.db import transaction

from api.models import InboundSms
from meals.models import Dish, Feedback, Meal, Signup
from meals.services.leaving import person_leave
from notifications.services import messages_forget
from people.models import User
from people.services import user_anonymise
from venues.services import memberships_end


@transaction.atomic
def person_delete(*, person: User) -> None:
    person_leave(person=person)
    memberships_end(person=person)
    messages_forget(person=person)
    # The MessageSid stays so a late webhook replay is still recognised, but not who sent it.
    InboundSms.objects.filter(person=person).update(person=None, reply="")
    user_anonymise(user=person)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _meal_ref(meal: Meal) -> dict[str, object]:
    return {"id": meal.pk, "code": meal.code, "title": meal.title}


def _signup_row(signup: Signup) -> dict[str, object]:
    return {
        "id": signup.pk,
        "meal": _meal_ref(signup.meal),
        "status": signup.status,
        "party_size": signup.party_size,
        "channel": signup.channel,
        "dietary_needs": signup.dietary_needs,
        "access_needs": signup.access_needs,
        "created_at": _iso(signup.created_at),
        "cancelled_at": _iso(signup.cancelled_at),
    }


def _hosted_row(meal: Meal) -> dict[str, object]:
    return {
        "id": meal.pk,
        "code": meal.code,
        "title": meal.title,
        "kind": meal.kind,
        "status": meal.status,
        "starts_at": _iso(meal.starts_at),
        "ends_at": _iso(meal.ends_at),
        "place_description": meal.place_description,
        "capacity": meal.capacity,
    }


def _dish_row(dish: Dish) -> dict[str, object]:
    return {
        "id": dish.pk,
        "meal": _meal_ref(dish.meal),
        "name": dish.name,
        "story": dish.story,
        "allergens": dish.allergens,
        "created_at": _iso(dish.created_at),
    }


def _feedback_row(feedback: Feedback) -> dict[str, object]:
    return {
        "id": feedback.pk,
        "meal": _meal_ref(feedback.meal),
        "felt_welcome": feedback.felt_welcome,
        "people_were_kind": feedback.people_were_kind,
        "comment": feedback.comment,
        "created_at": _iso(feedback.created_at),
    }


def _meals_part(person: User) -> dict[str, list[dict[str, object]]]:
    signups = Signup.objects.filter(person=person).select_related("meal").order_by("created_at")
    hosted = Meal.objects.filter(host=person).order_by("starts_at")
    dishes = Dish.objects.filter(added_by=person).select_related("meal").order_by("created_at")
    feedback = Feedback.objects.filter(person=person).select_related("meal").order_by("created_at")
    return {
        "signups": [_signup_row(signup) for signup in signups],
        "meals_hosted": [_hosted_row(meal) for meal in hosted],
        "dishes": [_dish_row(dish) for dish in dishes],
        "feedback": [_feedback_row(row) for row in feedback],
    }


def person_export(*, person: User) -> dict[str, Any]:
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
        "texts_from_me": [
            {"command": t.command, "received_at": t.received_at.isoformat()}
            for t in InboundSms.objects.filter(person=person).order_by("received_at")
        ],
        **_meals_part(person),
    }

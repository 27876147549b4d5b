"""The texts about lifts, and the plain strings that fill them.

Besides `meal_text_context` (meals/texts.py) they use `driver` and `name` (first names, at most
14 characters), `pickup` (a London wall-clock time, '12:15') and `text` (a driver's words).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from meals.models import Lift, Meal
from meals.texts import meal_text_context, shorten
from notifications.templates import Template

# A guest is picked up this long before the meal begins.
PICKUP_MARGIN = dt.timedelta(minutes=30)
DRIVER_TEXT_MAX = 80

LIFT_TEXTS = {
    "lift_taken": Template(
        "transactional",
        "{driver} will pick you up about {pickup} for {meal} ({when}, code {code}). "
        "They can text you through Blether.",
    ),
    "lift_freed": Template(
        "transactional",
        "{name} no longer needs your lift to {meal} ({when}, code {code}). Thank you for offering.",
    ),
    "lift_reopened": Template(
        "transactional",
        "Sorry, {driver} can't drive you to {meal} ({when}) now. "
        "We're looking for another driver. Code {code}",
    ),
    "lift_unmatched": Template(
        "transactional",
        "Nobody has offered {name} a lift to {meal} ({when}, code {code}) yet. "
        "Could you ask around?",
    ),
    "lift_meal_moved": Template(
        "transactional",
        "{meal} has moved: now {when} at {place}. Please pick up {name} about {pickup} instead. "
        "Code {code}",
    ),
    # To a guest whose lift is taken, instead of the plain "meal_changed".
    "lift_guest_meal_moved": Template(
        "transactional",
        "{meal} moved: now {when} at {place}. {driver} will pick you up about {pickup}. "
        "Can't come? Reply NO {code}",
    ),
    "lift_guest_reply": Template(
        "transactional", "{name}, who you're driving to {meal} ({code}), replied: {text}"
    ),
    "lift_driver_message": Template(
        "transactional", "{driver}, driving you to {meal} ({code}): {text}"
    ),
}


def pickup_at(meal: Meal) -> dt.datetime:
    return meal.starts_at - PICKUP_MARGIN


def pickup_text(meal: Meal) -> str:
    """'12:15': when the driver comes, London time."""
    return f"{timezone.localtime(pickup_at(meal), ZoneInfo(settings.TIME_ZONE)):%H:%M}"


def first_name(person) -> str:
    return shorten(person.first_name or "A neighbour", 14)


def lift_text_context(lift: Lift) -> dict[str, str]:
    """Everything a text about `lift` may name: the meal, the guest, the driver, the pick-up."""
    context = meal_text_context(lift.meal)
    context["name"] = first_name(lift.guest)
    context["pickup"] = pickup_text(lift.meal)
    if lift.driver is not None:
        context["driver"] = first_name(lift.driver.person)
    return context

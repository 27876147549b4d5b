"""LIFT and YES LIFT in the SMS conversation: ask for a lift to a meal, with a place or for one.

The conversation (api/sms/conversation.py) works out which meal is meant; these turn that into
service calls and one reply.
"""

from collections.abc import Callable

from api.sms.relay import SCOPE, wait_words
from meals.lift_selectors import lift_awaiting_reply
from meals.lift_texts import first_name
from meals.models import Meal, Signup
from meals.selectors import live_signup_for
from meals.services.lift_steps import LiftAsked
from meals.services.lifts import guest_reply_to_driver, lift_request
from meals.texts import meal_text_context, party_words
from notifications.gsm import gsm7_line
from notifications.services import unreachable_reason
from notifications.templates import register, render
from people.errors import DomainError
from people.models import User
from people.ratelimit import Limit, hit

REPLIES = {
    "sms_lift_asked": "We'll look for a driver to take you to {meal} ({when}) and text you "
    "when one offers. Code {code}",
    "sms_lift_already": "You've already asked for a lift to {meal} ({when}). "
    "We'll text you when a driver offers. Code {code}",
    "sms_signed_up_lift": "You're in{party}: {meal}, {when}. We'll look for a driver and "
    "text you when one offers. Code {code}",
    "sms_waitlisted_lift": "{meal} ({when}) is full, so you're on the waiting list{party}. "
    "If a place frees up we'll find a driver too. Code {code}",
    "sms_lift_no_area": "Sorry, we don't know your area, so we can't find a driver for "
    "{meal} ({code}). Please ask {host}, the host, about getting there.",
    "sms_lift_no_place": "You don't have a place at {meal} ({code}) yet. "
    "Text YES LIFT {code} for a place and a lift.",
    "sms_party_no_car_room": "Sorry, your driver to {meal} ({when}) hasn't room for {size}, "
    "so your place stays for {kept}. Code {code}",
    "sms_relayed_driver": "Thanks, we've passed your message to your driver for {meal} ({code}).",
    "sms_driver_unreachable": "Sorry, {driver}, your driver for {meal} ({code}), can't get "
    "texts just now, so we couldn't pass that on.",
    "sms_lift_no_places": "You don't have a place at any meal just now. Text MEALS to see "
    "what's on, then YES LIFT and the code for a place and a lift.",
}

for _name, _text in REPLIES.items():
    register(_name, category="reply", text=_text)


def _reply(name: str, meal: Meal, **extra: str) -> str:
    return render(name, {**meal_text_context(meal), **extra})


def lift_ask(person: User, meal: Meal | None) -> str:
    """LIFT: a lift to `meal`, where they already have a place."""
    if meal is None:
        return render("sms_lift_no_places", {})
    if person.home_location is None:
        return _reply("sms_lift_no_area", meal)
    if live_signup_for(meal=meal, person=person) is None:
        return _reply("sms_lift_no_place", meal)
    try:
        lift_request(meal=meal, person=person)
    except LiftAsked:
        return _reply("sms_lift_already", meal)
    except DomainError:
        return _reply("sms_cannot", meal)
    return _reply("sms_lift_asked", meal)


def join_with_lift(person: User, meal: Meal, join: Callable[[], str]) -> str:
    """YES LIFT: take a place as YES does (`join` gives YES's reply), then ask for a lift.
    Without a home area nothing is done: a driver could not find them."""
    if person.home_location is None:
        return _reply("sms_lift_no_area", meal)
    joined = join()
    signup = live_signup_for(meal=meal, person=person)
    if signup is None or signup.status == Signup.Status.INVITED:
        return joined  # not open, too big a party, or hosting: YES's own answer says so
    try:
        lift_request(meal=meal, person=person)
    except DomainError:
        # Asked before (perhaps already taken by a driver), or not now: YES's own answer.
        return joined
    waiting = signup.status == Signup.Status.WAITLISTED
    name = "sms_waitlisted_lift" if waiting else "sms_signed_up_lift"
    return _reply(name, meal, party=party_words(signup.party_size))


def driver_reply(person: User, body: str, message_sid: str) -> str | None:
    """A guest's free text to the driver who texted them last, when nobody has spoken to them
    since; None when it is not for a driver. As with texts to hosts (api/sms/relay.py): words
    only, the driver must be able to take texts, and it counts against the guest's limit."""
    lift = lift_awaiting_reply(person=person)
    if lift is None or lift.driver is None:
        return None
    if not gsm7_line(body):
        return render("sms_relay_no_words", {})
    if unreachable_reason(lift.driver.person):
        return _reply("sms_driver_unreachable", lift.meal, driver=first_name(lift.driver.person))
    wait = hit(Limit(SCOPE, f"guest:{person.pk}"))
    if wait is not None:
        return render("sms_relay_limit", {"wait": wait_words(wait)})
    guest_reply_to_driver(lift=lift, text=body, dedupe_key=f"lift-reply:{message_sid}")
    return _reply("sms_relayed_driver", lift.meal)

"""HOME and INVITES by text: an SMS-only neighbour tells Blether their area by postcode,
and chooses whether to hear of new meals near it. The postcode is looked up and forgotten.

The lookup waits on the network, so api/inbound.py runs it (`home_lookup`) before the text's
transaction opens, and `home_reply` is handed its outcome.
"""

from dataclasses import dataclass

from api.sms.parser import Command
from api.sms.relay import wait_words
from notifications.gsm import gsm7_line
from notifications.templates import render
from people.models import User
from people.places import (
    InvalidPostcode,
    Place,
    PostcodeServiceDown,
    UnknownPostcode,
    parse_postcode,
    place_for_postcode,
)
from people.ratelimit import Limit, hit
from people.services import home_area_set, user_update

AREA_MAX = 32  # a council's longest name still leaves the reply one text


@dataclass(frozen=True)
class HomeLookup:
    """Where a HOME text's postcode is, or the answer that it could not be placed."""

    place: Place | None = None
    reply: str = ""


def home_lookup(person: User, postcode: str) -> HomeLookup:
    """The network part of HOME: the rate limit, then the postcode looked up; the home itself
    is written by `home_reply`."""
    # The API's and the settings page's limit too (api/throttles.py, web/views/account.py).
    wait = hit(Limit("postcode_lookups", str(person.pk)))
    if wait is not None:
        return HomeLookup(reply=render("sms_home_limit", {"wait": wait_words(wait)}))
    try:
        return HomeLookup(place=place_for_postcode(parse_postcode(postcode)))
    except InvalidPostcode:
        return HomeLookup(reply=render("sms_home_invalid", {}))
    except UnknownPostcode:
        return HomeLookup(reply=render("sms_home_unknown", {}))
    except PostcodeServiceDown:
        return HomeLookup(reply=render("sms_home_down", {}))


def home_reply(person: User, command: Command, looked_up: HomeLookup | None = None) -> str:
    if command.postcode is None:
        return render("sms_home_ask", {})
    if looked_up is None:
        looked_up = home_lookup(person, command.postcode)
    place = looked_up.place
    if place is None:
        return looked_up.reply
    home_area_set(user=person, place=place)
    outward = command.postcode[:-3]  # the parser upper-cased it; the lookup found it whole
    context = {
        "area": gsm7_line(place.area)[:AREA_MAX],
        "rough": f" (roughly, around {outward})" if place.approximate else "",
        "km": _km(person),
    }
    name = "sms_home_set_invited" if person.sms_nudges else "sms_home_set"
    return render(name, context)


def invites_reply(person: User, *, on: bool) -> str:
    if on and person.home_location is None:
        return render("sms_no_area", {})
    user_update(user=person, sms_nudges=on)
    if not on:
        return render("sms_invites_off", {})
    return render("sms_invites_on", {"km": _km(person)})


def _km(person: User) -> str:
    return f"{person.nudge_radius_km.normalize():f}"  # 2, 2.5, 20

"""The SMS conversation: one inbound text in, service calls, one plain-English reply out.

Call `handle_text` inside the transaction that records the inbound MessageSid, so a
text is acted on at most once. Domain errors become friendly replies, never HTTP errors.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from api.sms import lifts, series, texts  # noqa: F401  registers the reply templates
from api.sms.home import HomeLookup, home_lookup, home_reply, invites_reply
from api.sms.parser import Command, parse
from api.sms.relay import answered, relayed
from meals.models import Meal, Signup
from meals.questions import host_asked_last
from meals.selectors import live_signup_for, meal_by_code, meals_near
from meals.services.errors import (
    AlreadySignedUp,
    FeedbackGiven,
    HoldExpired,
    MealNotOpen,
    NotEnoughSeats,
)
from meals.services.feedback import feedback_create
from meals.services.guests import guest_accept, guest_decline
from meals.services.lift_steps import NoRoomInCar
from meals.services.regulars import regulars_stop_all
from meals.services.seats import MAX_PARTY
from meals.services.signups import signup_cancel, signup_create, signup_update
from meals.sms import (
    next_live_signup,
    sms_feedback_meal,
    sms_thread_meal,
    sms_thread_remember,
    upcoming_live_signups,
)
from meals.texts import meal_text_context, party_words
from notifications.templates import render
from people.errors import DomainError
from people.models import User
from people.services import person_for_phone, sms_opt_in, sms_opt_out

MEALS_LISTED = 3
MIN_SEARCH_KM = 5
LIST_TITLE_MAX = 24
# A host's bare YES, NO or digit just after a guest asked them something answers the guest.
ANSWER_KINDS = ("yes", "no", "rating")


@dataclass(frozen=True)
class Outcome:
    command: str
    reply: str
    person: User


def _reply(name: str, meal: Meal | None = None, **extra) -> str:
    context = meal_text_context(meal) if meal is not None else {}
    context.update({k: str(v) for k, v in extra.items()})
    return render(name, context)


def lookup_before(*, phone: str, body: str) -> HomeLookup | None:
    """What a text needs from the network, fetched before its transaction opens (api/inbound.py):
    a HOME text's postcode lookup, which may wait seconds on a slow service. None for the rest."""
    command = parse(body)
    if command.kind != "home" or command.postcode is None:
        return None
    person, _created = person_for_phone(phone=phone)
    if person.sms_opted_out_at is not None:
        return None
    return home_lookup(person, command.postcode)


def handle_text(
    *, phone: str, body: str, message_sid: str, looked_up: HomeLookup | None = None
) -> Outcome:
    """Act on one text from `phone` (E.164) and return what to answer ('' for no answer)."""
    person, _created = person_for_phone(phone=phone)
    command = parse(body)
    if command.kind == "stop":
        return Outcome("stop", _opt_out(person), person)
    if command.kind == "start":
        return Outcome("start", _opt_in(person), person)
    if person.sms_opted_out_at is not None:
        # Nothing after STOP: they must text START first.
        return Outcome("ignored", "", person)
    if command.kind in ANSWER_KINDS and command.code is None:
        answer = answered(person, body, message_sid, feedback=command.kind == "rating")
        if answer is not None:
            return Outcome("answer", answer, person)
    handler = {
        "help": lambda: render("sms_help", {}),
        "meals": lambda: _meals(person),
        "rating": lambda: _rating(person, command),
        "yes": lambda: _yes(person, command),
        "join": lambda: _join_code(person, command, body, message_sid),
        "no": lambda: _no(person, command, body, message_sid),
        "home": lambda: home_reply(person, command, looked_up),
        "invites_on": lambda: invites_reply(person, on=True),
        "invites_off": lambda: invites_reply(person, on=False),
        "lift": lambda: _lift(person, command),
        "yes_lift": lambda: _yes_lift(person, command),
        "always": lambda: _always(person, command),
    }.get(command.kind)
    if handler is None:
        return Outcome("unknown", _unknown(person, body, message_sid), person)
    return Outcome(command.kind, handler(), person)


def _opt_out(person: User) -> str:
    sms_opt_out(person=person, at=timezone.now())
    regulars_stop_all(person=person)
    # Twilio sends its own opt-out confirmation; a second text from us would be refused.
    return ""


def _opt_in(person: User) -> str:
    sms_opt_in(person=person)
    return render("sms_welcome_back", {})


def _unknown(person: User, body: str, message_sid: str) -> str:
    # A reply to a driver who texted about a lift in the last 48 hours, and nobody since.
    to_driver = lifts.driver_reply(person, body, message_sid)
    if to_driver is not None:
        return to_driver
    return relayed(person, body, message_sid) or render("sms_sorry", {})


def _bare_meal(person: User) -> Meal | list[Signup] | None:
    """The meal a bare YES or NO refers to, or the sign-ups to ask about when that is unclear.

    A pending invitation wins: a single invited place, else the meal last offered to them
    (an invitation or a MEALS listing) that they have not yet answered. Someone with places
    at several meals and nothing pending is asked for a code instead of guessed for; with one
    place and nothing pending, it is that place (so YES 2 changes the party).
    """
    live = upcoming_live_signups(person=person)
    invited = [s for s in live if s.status == Signup.Status.INVITED]
    if len(invited) == 1:
        return invited[0].meal
    if len(invited) > 1:
        return invited
    meal = sms_thread_meal(person=person)
    offered = (
        meal is not None
        and meal.status == Meal.Status.PUBLISHED
        and meal.ends_at > timezone.now()
        and all(s.meal_id != meal.pk for s in live)
    )
    if len(live) > 1 and not offered:
        return live
    if meal is None and len(live) == 1:
        return live[0].meal
    return meal


def codes_text(signups: list[Signup]) -> str:
    """'T7K2 (Sat 28 Nov 12:00), S00N (Sun 29 Nov 15:00)' for the first three."""
    return ", ".join(
        f"{s.meal.code} ({meal_text_context(s.meal)['when']})" for s in signups[:MEALS_LISTED]
    )


def _ask_for_code(word: str, signups: list[Signup]) -> str:
    return render(
        "sms_which_code",
        {"codes": codes_text(signups), "word": word, "code": signups[0].meal.code},
    )


def _yes(person: User, command: Command) -> str:
    meal = _bare_meal(person)
    if isinstance(meal, list):
        return _ask_for_code("YES", meal)
    if meal is None:
        return render("sms_which_meal", {})
    return _join(person, meal, command.party)


def _meal_meant(
    person: User,
    command: Command,
    word: str,
    bare: Callable[[User], Meal | list[Signup] | None] | None = None,
) -> Meal | str:
    """The meal a YES-like command means (its code, else the bare meal), or the reply asking
    which: several places → which code; none, or a draft → which meal."""
    meal = meal_by_code(command.code) if command.code else (bare or _bare_meal)(person)
    if isinstance(meal, list):
        return _ask_for_code(word, meal)
    if meal is None or meal.status == Meal.Status.DRAFT:
        return render("sms_which_meal", {})
    return meal


def _always(person: User, command: Command) -> str:
    meal = _meal_meant(person, command, "YES ALWAYS", bare=_bare_or_series)
    if isinstance(meal, str):
        return meal
    return series.always_join(person, meal, command.party) or _join(person, meal, command.party)


def _join_code(person: User, command: Command, body: str, message_sid: str) -> str:
    meal = meal_by_code(command.code or "")
    if meal is None or meal.status == Meal.Status.DRAFT:
        if command.party is None and len(body.split()) == 1:
            # A lone word that is not a code may be a reply meant for the host.
            reply = relayed(person, body, message_sid, replies_only=True)
            if reply is not None:
                return reply
        return render("sms_no_such_code", {"code": command.code or ""})
    sms_thread_remember(person=person, meal=meal)
    return _join(person, meal, command.party)


def _join(person: User, meal: Meal, party: int | None) -> str:
    if party is not None and not 1 <= party <= MAX_PARTY:
        return _reply("sms_party_too_big", meal, max_party=MAX_PARTY)
    if meal.host_id == person.pk:
        return _reply("sms_hosting", meal)
    existing = live_signup_for(meal=meal, person=person)
    try:
        if existing is not None and existing.status == Signup.Status.INVITED:
            signup = guest_accept(signup=existing)
        elif existing is not None and party is not None and party != existing.party_size:
            return _change_party(person, existing, party)
        elif existing is not None:
            waiting = existing.status == Signup.Status.WAITLISTED
            name = "sms_already_waiting" if waiting else "sms_already_in"
            return _reply(name, meal, party=party_words(existing.party_size))
        else:
            signup = signup_create(
                meal=meal, person=person, party_size=party or 1, channel=Signup.Channel.SMS
            )
    except AlreadySignedUp:
        return _reply("sms_already_in", meal)
    except MealNotOpen:
        return _reply("sms_not_open", meal)
    except HoldExpired:
        return _reply("sms_hold_expired", meal)
    except DomainError:
        return _reply("sms_cannot", meal)
    if signup.status == Signup.Status.WAITLISTED:
        return _reply("sms_waitlisted", meal, party=party_words(signup.party_size))
    if party is not None and party != signup.party_size:
        # YES 2 to an invitation for 1: the place is taken, then changed as the app would.
        return _change_party(person, signup, party)
    return _reply("sms_signed_up", meal, party=party_words(signup.party_size))


def _change_party(person: User, signup: Signup, party: int) -> str:
    """YES 2 from a party of 1: as the app's party change, more seats only if they are free."""
    meal = signup.meal
    try:
        signup_update(signup=signup, by=person, party_size=party)
    except NotEnoughSeats:
        return _reply("sms_party_no_room", meal, size=party, kept=signup.party_size)
    except NoRoomInCar:
        return _reply("sms_party_no_car_room", meal, size=party, kept=signup.party_size)
    except MealNotOpen:
        return _reply("sms_not_open", meal)
    except DomainError:
        return _reply("sms_cannot", meal)
    # Read again: a smaller party on the waiting list may have just been given seats.
    now = live_signup_for(meal=meal, person=person)
    if now is not None and now.status == Signup.Status.WAITLISTED:
        return _reply("sms_party_waiting", meal, size=party)
    return _reply("sms_party_changed", meal, size=party)


def _bare_or_series(person: User) -> Meal | list[Signup] | None:
    """As for YES, but a regular's places at one series mean the soonest (NO skips it)."""
    bare = _bare_meal(person)
    if isinstance(bare, list):
        soonest = series.next_of_one_series(bare)
        return soonest.meal if soonest is not None else bare
    return bare


def _no(person: User, command: Command, body: str, message_sid: str) -> str:
    if command.code:
        meal = meal_by_code(command.code)
        # Drafts are private and past or cancelled meals have nothing to cancel: as for JOIN.
        if meal is None or meal.status != Meal.Status.PUBLISHED:
            return render("sms_no_such_code", {"code": command.code})
        signup = live_signup_for(meal=meal, person=person)
    else:
        if command.extra_words:
            # "No sorry" just after the host asked something is an answer to the host.
            reply = relayed(person, body, message_sid, replies_only=True)
            if reply is not None:
                return reply
        bare = _bare_or_series(person)
        if isinstance(bare, list):
            return _ask_for_code("NO", bare)
        meal = bare
        if meal is not None:
            signup = live_signup_for(meal=meal, person=person)
            if signup is None:
                # A no to the last invitation: leave any other place they have alone.
                return _reply("sms_no_thanks", meal)
        else:
            signup = next_live_signup(person=person)
            meal = signup.meal if signup is not None else None
    if signup is None:
        if meal is None:
            return render("sms_no_places", {})
        return _reply("sms_nothing_to_cancel", meal)
    if not command.code and host_asked_last(person=person, meal=signup.meal):
        # Just after the host asked something, a bare NO is asked about, not taken as a cancel.
        return _reply("sms_no_after_host", signup.meal)
    return _give_up(person, signup)


def _give_up(person: User, signup: Signup) -> str:
    """NO to a place: decline an invitation, or cancel (a regular's skips one date)."""
    meal = signup.meal
    try:
        if signup.status == Signup.Status.INVITED:
            guest_decline(signup=signup)
            return _reply("sms_declined", meal)
        signup_cancel(signup=signup, by=person)
    except DomainError:
        return _reply("sms_cannot", meal)
    return series.cancelled_reply(person, meal) or _reply("sms_cancelled", meal)


def _rating(person: User, command: Command) -> str:
    meal = sms_feedback_meal(person=person)
    if meal is None or command.rating is None:
        return render("sms_sorry", {})
    try:
        feedback_create(meal=meal, person=person, felt_welcome=command.rating, channel="sms")
    except FeedbackGiven:
        return _reply("sms_feedback_given", meal)
    except DomainError:
        return _reply("sms_cannot", meal)
    return _reply("sms_feedback_thanks", meal, rating=command.rating)


def _meals(person: User) -> str:
    home = person.home_location
    if home is None:
        return render("sms_no_area", {})
    radius_km = max(float(person.nudge_radius_km), MIN_SEARCH_KM)
    found = meals_near(point=home, radius_m=radius_km * 1000, limit=MEALS_LISTED)
    if not found:
        return render("sms_no_meals_near", {})
    sms_thread_remember(person=person, meal=found[0])
    return render("sms_meals_list", {"list": meals_list_text(found)})


def meals_list_text(meals: list[Meal]) -> str:
    """One line per meal: its code, a shortened title and when it starts."""
    lines = []
    for meal in meals:
        context = meal_text_context(meal)
        title = context["meal"]
        if len(title) > LIST_TITLE_MAX:
            title = title[: LIST_TITLE_MAX - 2].rstrip() + ".."
        lines.append(f"{meal.code} {title}, {context['when']}")
    return "\n".join(lines)


def _lift(person: User, command: Command) -> str:
    """LIFT (or LIFT T7K2): a lift to the meal they have a place at."""
    if command.code:
        meal = meal_by_code(command.code)
        if meal is None or meal.status == Meal.Status.DRAFT:
            return render("sms_no_such_code", {"code": command.code})
        return lifts.lift_ask(person, meal)
    live = upcoming_live_signups(person=person)
    if len(live) > 1:
        return _ask_for_code("LIFT", live)
    return lifts.lift_ask(person, live[0].meal if live else None)


def _yes_lift(person: User, command: Command) -> str:
    """YES LIFT: a place, as YES gives, and a lift there."""
    meal = _meal_meant(person, command, "YES LIFT")
    if isinstance(meal, str):
        return meal
    found = meal
    if command.code:
        sms_thread_remember(person=person, meal=found)
    return lifts.join_with_lift(person, found, lambda: _join(person, found, command.party))

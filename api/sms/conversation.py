"""The SMS conversation: one inbound text in, service calls, one plain-English reply out.

Call `handle_text` inside the transaction that records the inbound MessageSid, so a
text is acted on at most once. Domain errors become friendly replies, never HTTP errors.
"""

from dataclasses import dataclass

from django.utils import timezone

from api.sms import (
    series,
    texts,  # noqa: F401  registers the reply templates
)
from api.sms.parser import Command, parse
from meals.models import Meal, Signup
from meals.selectors import live_signup_for, meal_by_code, meals_near
from meals.services.errors import AlreadySignedUp, FeedbackGiven, HoldExpired, MealNotOpen
from meals.services.feedback import feedback_create
from meals.services.guests import guest_accept, guest_decline
from meals.services.regulars import regulars_stop_all
from meals.services.seats import MAX_PARTY
from meals.services.signups import signup_cancel, signup_create
from meals.sms import (
    guest_reply_relay,
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


@dataclass(frozen=True)
class Outcome:
    command: str
    reply: str
    person: User


def _reply(name: str, meal: Meal | None = None, **extra) -> str:
    context = meal_text_context(meal) if meal is not None else {}
    context.update({k: str(v) for k, v in extra.items()})
    return render(name, context)


def handle_text(*, phone: str, body: str, message_sid: str) -> Outcome:
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
    handler = {
        "help": lambda: render("sms_help", {}),
        "meals": lambda: _meals(person),
        "rating": lambda: _rating(person, command),
        "yes": lambda: _yes(person, command),
        "join": lambda: _join_code(person, command, body, message_sid),
        "no": lambda: _no(person, command, body, message_sid),
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
    meal = guest_reply_relay(person=person, text=body, dedupe_key=f"guest-reply:{message_sid}")
    if meal is not None:
        return _reply("sms_relayed", meal)
    return render("sms_sorry", {})


def _bare_meal(person: User) -> Meal | list[Signup] | None:
    """The meal a bare YES or NO refers to, or the sign-ups to ask about when that is unclear.

    A pending invitation wins: a single invited place, else the meal last offered to them
    (an invitation or a MEALS listing) that they have not yet answered. Someone with places
    at several meals and nothing pending is asked for a code instead of guessed for.
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


def _always(person: User, command: Command) -> str:
    meal = meal_by_code(command.code) if command.code else _bare_or_series(person)
    if isinstance(meal, list):
        return _ask_for_code("YES ALWAYS", meal)
    if meal is None or meal.status == Meal.Status.DRAFT:
        return render("sms_which_meal", {})
    return series.always_join(person, meal, command.party) or _join(person, meal, command.party)


def _join_code(person: User, command: Command, body: str, message_sid: str) -> str:
    meal = meal_by_code(command.code or "")
    if meal is None or meal.status == Meal.Status.DRAFT:
        if command.party is None and len(body.split()) == 1:
            # A lone word that is not a code may be a reply meant for the host.
            relayed = guest_reply_relay(
                person=person, text=body, dedupe_key=f"guest-reply:{message_sid}"
            )
            if relayed is not None:
                return _reply("sms_relayed", relayed)
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
        elif existing is not None and existing.status == Signup.Status.WAITLISTED:
            return _reply("sms_already_waiting", meal)
        elif existing is not None:
            return _reply("sms_already_in", meal)
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
    return _reply("sms_signed_up", meal, party=party_words(signup.party_size))


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
            relayed = guest_reply_relay(
                person=person, text=body, dedupe_key=f"guest-reply:{message_sid}"
            )
            if relayed is not None:
                return _reply("sms_relayed", relayed)
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

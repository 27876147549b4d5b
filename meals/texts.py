"""What texts say about a meal: the templates meals gives notifications, and the plain strings
that fill them.

Every text about a meal gets its context from `meal_text_context`: `meal` (the title, at most
32 characters), `code`, `when` ('Sat 28 Nov 12:00'), `place` (at most 32) and `host` (a first
name, at most 14); some add `party` (' for 2' or ''), `reason` (' Reason: ...' or ''), `text`
(a host's message or a guest's reply) or `name` (the guest's); a guest's question adds
`role` ('coming to'), `kind` ('lunch') and `day` ('Sat 28 Nov'). All are plain GSM-7 strings.
"""

from meals.models import Meal
from notifications.gsm import to_gsm7
from notifications.templates import Template, register, when_text

# The outbox subject of a meal's texts is this and its id (`meal_subject`).
SUBJECT_PREFIX = "meal:"
# The neighbours' invitation: its latest row is what a bare YES refers to (meals.sms).
INVITATION_TEMPLATE = "meal_invitation"
# Either invitation names its meal in its subject; a bare YES may answer the latest of them.
INVITATION_TEMPLATES = (INVITATION_TEMPLATE, "series_invitation")

MEAL_TEXTS = {
    "signup_promoted": Template(
        "transactional",
        "Good news: a place came free at {meal} ({when}). You're in{party}. "
        "Can't come now? Reply NO {code}.",
    ),
    "meal_changed": Template(
        "transactional",
        "{meal} has moved: now {when} at {place}. Still coming? No need to reply. "
        "Can't? Reply NO {code}",
    ),
    "meal_cancelled": Template(
        "transactional",
        "Sorry, {meal} ({when}, code {code}) is cancelled by the host.{reason}",
    ),
    "guest_invited": Template(
        "transactional",
        "{host} saved you a place{party} at {meal} ({code}), {when}. "
        "Reply YES to take your place, NO if you can't come.",
    ),
    "signup_removed_by_host": Template(
        "transactional",
        "Sorry, {host} has taken your place{party} at {meal} ({when}, code {code}) off "
        "the list. No need to reply.",
    ),
    # The nudges (meals/nudges.py).
    "meal_invitation": Template(
        "nudge",
        "Invite: {meal}, {when}, {place}. Reply YES to come (YES 2 for 2). Code {code}",
    ),
    "reminder_24h": Template(
        "transactional",
        "Reminder: {meal} is tomorrow, {when}, {place}. Can't come now? Reply NO {code}",
    ),
    "reminder_2h": Template(
        "transactional",
        "See you soon: {meal}, {when}, {place}. Can't come? Reply NO {code}",
    ),
    "host_safety_reminder": Template(
        "transactional",
        "{meal} ({when}, code {code}) still has safety questions to answer. "
        "Please answer them in the Blether app.",
    ),
    "feedback_question": Template(
        "nudge",
        "Thanks for coming to {meal} ({code}). Did you feel welcome? "
        "Reply 1 (not really) to 5 (very much).",
    ),
    # A series (meals/nudges.py, meals/services/series_changes.py); `every` is 'Wed',
    # 'other Wed', '2nd Wed' or 'last Wed'.
    "series_invitation": Template(
        "nudge",
        "Invite: {meal}, {when} & every {every}, {place}. YES to come, YES ALWAYS for "
        "every time. Code {code}",
    ),
    "series_ended": Template(
        "transactional",
        "{host} has ended {meal} (every {every}), so there are no more dates. "
        "Thanks for coming! No need to reply.",
    ),
    # Between a host and their guests (meals/sms.py).
    "host_message": Template("transactional", "{host}, host of {meal} ({code}): {text}"),
    "guest_reply": Template("transactional", "{name}, coming to {meal} ({code}), replied: {text}"),
    # Questions by text (meals/questions.py): the words are cut to fit one SMS.
    "guest_question": Template(
        "transactional",
        "{name}, {role} your {kind} on {day} ({code}), asks: {text} Text back to answer.",
    ),
    "host_answer": Template("transactional", "{host}, host of {meal} ({code}), answers: {text}"),
}


def register_templates() -> None:
    """Give notifications the meal texts, which it renders by name; MealsConfig.ready calls it."""
    from meals.lift_texts import LIFT_TEXTS

    for name, template in {**MEAL_TEXTS, **LIFT_TEXTS}.items():
        register(name, category=template.category, text=template.text)


def shorten(text: str, limit: int) -> str:
    """GSM-7 only, cut at a word boundary; no ellipsis, as templates add their own punctuation."""
    text = " ".join(to_gsm7(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-.")


def meal_text_context(meal: Meal) -> dict[str, str]:
    """Plain strings naming the meal for any text about it."""
    place = meal.venue.name if meal.venue is not None else meal.place_description
    return {
        "meal": shorten(meal.title, 32),
        "code": meal.code,
        "when": when_text(meal.starts_at),
        "place": shorten(place, 32),
        "host": shorten(meal.host.first_name or "Your neighbour", 14),
    }


def meal_subject(meal: Meal) -> str:
    """The outbox subject of every text about `meal`, so queued ones can be withdrawn."""
    return f"{SUBJECT_PREFIX}{meal.pk}"


def subject_meal_id(subject: str) -> int | None:
    """The meal's id in a subject `meal_subject` wrote, else None."""
    number = subject.removeprefix(SUBJECT_PREFIX)
    return int(number) if subject.startswith(SUBJECT_PREFIX) and number.isdigit() else None


def party_words(size: int) -> str:
    return f" for {size}" if size > 1 else ""

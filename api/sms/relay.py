"""Free texts passed between a guest and a host (meals.questions), from the conversation's
side: whether the other person can take texts, the rate limit, and the answer to the sender.
The words go to the outbox alone, never to a log."""

import math

from meals.questions import ANSWER, REPLY, Relay, Unclear, answer_awaited, relay_for, relay_send
from meals.texts import meal_text_context
from notifications.gsm import gsm7_line
from notifications.services import unreachable_reason
from notifications.templates import render
from people.models import User
from people.ratelimit import Limit, hit

SCOPE = "sms_relays"
DEDUPE_PREFIX = {ANSWER: "host-answer", REPLY: "guest-reply"}


def wait_words(seconds: float) -> str:
    """'in 3 hours', 'in 1 minute': how long until the rate limit lets a text through."""
    if seconds >= 3600:
        count, unit = math.ceil(seconds / 3600), "hour"
    else:
        count, unit = max(1, math.ceil(seconds / 60)), "minute"
    return f"in {count} {unit}{'s' if count != 1 else ''}"


def _limit(relay: Relay) -> Limit:
    # A guest's texts count against them; a host's answers per guest, so a busy host can answer all.
    if relay.kind == ANSWER:
        return Limit(SCOPE, f"answer:{relay.sender.pk}:{relay.to.pk}")
    return Limit(SCOPE, f"guest:{relay.sender.pk}")


def pass_on(relay: Relay, *, body: str, message_sid: str) -> str:
    """Send `body` as `relay` says, unless the other person cannot take texts or the sender
    has passed on too many today; the reply to the sender either way."""
    context = {**meal_text_context(relay.meal), "name": relay.guest_name}
    if unreachable_reason(relay.to):
        cannot = "sms_guest_unreachable" if relay.kind == ANSWER else "sms_host_unreachable"
        return render(cannot, context)
    wait = hit(_limit(relay))
    if wait is not None:
        return render("sms_relay_limit", {"wait": wait_words(wait)})
    prefix = DEDUPE_PREFIX.get(relay.kind, "guest-question")
    relay_send(relay=relay, text=body, dedupe_key=f"{prefix}:{message_sid}")
    passed = {ANSWER: "sms_answer_passed", REPLY: "sms_relayed"}.get(relay.kind)
    return render(passed or "sms_question_passed", context)


def names_text(names: tuple[str, ...]) -> str:
    """'Jean and Bob', 'Jean and 2 more': short enough for one SMS with names of 20."""
    if len(names) <= 2:
        return " and ".join(names)
    return f"{names[0]} and {len(names) - 1} more"


def _reply(found: Relay | Unclear, body: str, message_sid: str) -> str:
    if not gsm7_line(body):
        # An emoji, a picture or nothing at all: no words survive to be passed on.
        return render("sms_relay_no_words", {})
    if isinstance(found, Unclear):
        return render(
            "sms_answer_unclear", {"names": names_text(found.names), "first": found.names[0]}
        )
    return pass_on(found, body=body, message_sid=message_sid)


def relayed(person: User, body: str, message_sid: str, *, replies_only: bool = False) -> str | None:
    """The reply to a free text passed on, or None when it has nobody to go to."""
    found = relay_for(person=person, text=body, replies_only=replies_only)
    return None if found is None else _reply(found, body, message_sid)


def answered(person: User, body: str, message_sid: str, *, feedback: bool = False) -> str | None:
    """A host's bare word taken as the answer to a guest's unanswered question, else None."""
    found = answer_awaited(host=person, text=body, feedback=feedback)
    return None if found is None else _reply(found, body, message_sid)

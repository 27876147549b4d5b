"""Texts about meals and sign-ups, registered with notifications at start-up.

Context values are plain strings: `meal` (title), `code`, `when` ('Sat 28 Nov 12:00'),
`place`, `host`, `party` (' for 2' or ''), `reason` (' Reason: ...' or '').
"""

from notifications.templates import register

register(
    "signup_promoted",
    category="transactional",
    text="Good news: a place came free at {meal} ({when}). You're in{party}. "
    "Can't come now? Reply NO {code}.",
)
register(
    "meal_changed",
    category="transactional",
    text="{meal} has moved: now {when} at {place}. Still coming? No need to reply. "
    "Can't? Reply NO {code}",
)
register(
    "meal_cancelled",
    category="transactional",
    text="Sorry, {meal} ({when}, code {code}) is cancelled by the host.{reason}",
)
register(
    "guest_invited",
    category="transactional",
    text="{host} saved you a place{party} at {meal} ({code}), {when}. "
    "Reply YES to take your place, NO if you can't come.",
)
register(
    "signup_removed_by_host",
    category="transactional",
    text="Sorry, {host} has taken your place{party} at {meal} ({when}, code {code}) off "
    "the list. No need to reply.",
)

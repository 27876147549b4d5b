"""Texts the meal nudges and host messages send, registered with notifications at start-up.

Context values are plain strings from meals.services.meal_text_context: `meal` (<= 40),
`code`, `when` ('Sat 28 Nov 12:00'), `place` (<= 40), `host` (<= 20 first name).
"""

from notifications.templates import register

register(
    "meal_invitation",
    category="nudge",
    text="Invite: {meal}, {when}, {place}. Reply YES to come (YES 2 for 2). Code {code}",
)
register(
    "reminder_24h",
    category="transactional",
    text="Reminder: {meal} is tomorrow, {when}, {place}. Can't come now? Reply NO {code}",
)
register(
    "reminder_2h",
    category="transactional",
    text="See you soon: {meal}, {when}, {place}. Can't come? Reply NO {code}",
)
register(
    "host_safety_reminder",
    category="transactional",
    text="{meal} ({when}, code {code}) still has safety questions to answer. "
    "Please answer them in the Blether app.",
)
register(
    "feedback_question",
    category="nudge",
    text="Thanks for coming to {meal} ({code}). Did you feel welcome? "
    "Reply 1 (not really) to 5 (very much).",
)
register(
    "host_message",
    category="transactional",
    text="{host}, host of {meal} ({code}): {text}",
)
register(
    "guest_reply",
    category="transactional",
    text="{name}, coming to {meal} ({code}), replied: {text}",
)

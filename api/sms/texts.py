"""Replies to texts, sent back as TwiML. Registered so the length test measures them too.

Context values are plain strings: `meal`, `code`, `when`, `place` (see
meals.services.meal_text_context), `party` (' for 2' or ''), `max_party`, `rating`, `list`,
`codes` (conversation.codes_text), `word` ('YES' or 'NO').
"""

from notifications.templates import register

REPLIES = {
    "sms_signed_up": "You're in{party}: {meal}, {when}, {place}. Can't come? Reply NO {code}",
    "sms_waitlisted": "{meal} ({when}) is full, so you're on the waiting list{party}. "
    "We'll text if a place frees up. Code {code}",
    "sms_already_in": "You already have a place at {meal}, {when}. Can't come? Reply NO {code}",
    "sms_already_waiting": "You're already on the waiting list for {meal}, {when}. "
    "We'll text if a place frees up. Code {code}",
    "sms_party_too_big": "Sorry, a party for {meal} can be at most {max_party} people. "
    "Reply YES and a number, e.g. YES 2. Code {code}",
    "sms_which_meal": "Which meal? Text MEALS to see what's on near you, "
    "or text a meal's code, e.g. JOIN T7K2.",
    "sms_which_code": "Which meal do you mean: {codes}? Please text {word} and the code, "
    "e.g. {word} {code}",
    "sms_no_such_code": "Sorry, no meal has the code {code}. Text MEALS to see what's on near you.",
    "sms_not_open": "Sorry, {meal} ({code}) isn't taking sign-ups now. "
    "Text MEALS to see what else is on.",
    "sms_hold_expired": "Sorry, the place kept for you at {meal} was let go after 48 hours. "
    "Text {code} to join if seats are left.",
    "sms_hosting": "You're hosting {meal} ({code}), so your seat is already yours!",
    "sms_cannot": "Sorry, that didn't work for {meal} ({code}). Reply HELP to see what you can text.",
    "sms_declined": "Thanks for letting us know. Your place at {meal} ({when}) has gone "
    "to someone else. Code {code}",
    "sms_cancelled": "Your place at {meal} ({when}) is cancelled. Thanks for telling us. "
    "Changed your mind? Text {code}",
    "sms_nothing_to_cancel": "You don't have a place at {meal} ({code}), "
    "so there's nothing to cancel.",
    "sms_no_thanks": "No bother, thanks for letting us know. You're not down for {meal} ({code}).",
    "sms_no_places": "You don't have a place at any meal just now, so there's nothing to cancel.",
    "sms_meals_list": "Near you:\n{list}\nReply YES for the first, or text a code to join.",
    "sms_no_meals_near": "No meals are on near you just now. Text MEALS again another day.",
    "sms_no_area": "We don't know your area yet, so we can't find meals near you. "
    "Text a meal's code to join it.",
    "sms_feedback_thanks": "Thank you! We've noted {rating} out of 5 for {meal}. "
    "It helps hosts make everyone welcome.",
    "sms_feedback_given": "You've already told us about {meal}. Thank you!",
    "sms_help": "Blether: reply YES to take a place (YES 2 for two), NO to cancel, "
    "MEALS for what's on near you, or text a meal code. STOP ends texts.",
    "sms_sorry": "Sorry, I didn't follow. Reply YES to take a place, NO to cancel, "
    "MEALS for what's on, HELP for more, STOP to end texts.",
    "sms_welcome_back": "Welcome back to Blether: you'll get texts again. "
    "Text MEALS to see what's on near you.",
    "sms_relayed": "Thanks, we've passed your message to the host of {meal} ({code}).",
    # A series (api/sms/series.py); `every` is 'Wed', 'other Wed', '2nd Wed' or 'last Wed'.
    "sms_regular": "You're a regular at {meal} (every {every}): a place each time there's "
    "room. Next {when}. Skip one? Reply NO {code}",
    "sms_already_regular": "You're already a regular at {meal} (every {every}). Next {when}. "
    "Skip one? Reply NO {code}",
    "sms_skipped": "No bother: you're off {meal}, {when}. You're still a regular, so your "
    "place next time stands. Code {code}",
}

for _name, _text in REPLIES.items():
    register(_name, category="reply", text=_text)

"""Replies to texts, sent back as TwiML. Registered so the length test measures them too.

Context values are plain strings: `meal`, `code`, `when`, `place` (see
meals.services.meal_text_context), `party` (' for 2' or ''), `max_party`, `rating`, `list`,
`codes` (conversation.codes_text), `word` ('YES' or 'NO'), `size` and `kept` (party sizes),
`name` (a guest's first name), `wait` ('in 3 hours'), `names` ('Jean and Bob'),
`first` ('Jean'), `area`, `rough` and `km` (api/sms/home.py).
"""

from notifications.templates import register

REPLIES = {
    "sms_signed_up": "You're in{party}: {meal}, {when}, {place}. Can't come? Reply NO {code}",
    "sms_waitlisted": "{meal} ({when}) is full, so you're on the waiting list{party}. "
    "We'll text if a place frees up. Code {code}",
    "sms_already_in": "You already have a place{party} at {meal}, {when}. "
    "Can't come? Reply NO {code}",
    "sms_already_waiting": "You're already on the waiting list{party} for {meal}, {when}. "
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
    "sms_no_after_host": "Did you mean to give up your place at {meal} ({when})? If so, "
    "text NO {code}. To answer the host, say a bit more, e.g. No sorry",
    "sms_nothing_to_cancel": "You don't have a place at {meal} ({code}), "
    "so there's nothing to cancel.",
    "sms_no_thanks": "No bother, thanks for letting us know. You're not down for {meal} ({code}).",
    "sms_no_places": "You don't have a place at any meal just now, so there's nothing to cancel.",
    "sms_meals_list": "Near you:\n{list}\nReply YES for the first, or text a code to join.",
    "sms_no_meals_near": "No meals are on near you just now. Text MEALS again another day.",
    "sms_no_area": "We don't know your home area yet, so we can't find meals near you. "
    "Text HOME and your postcode, e.g. HOME KA21 5AB",
    "sms_feedback_thanks": "Thank you! We've noted {rating} out of 5 for {meal}. "
    "It helps hosts make everyone welcome.",
    "sms_feedback_given": "You've already told us about {meal}. Thank you!",
    "sms_help": "Blether: reply YES to take a place (YES 2 for two), NO to cancel, "
    "MEALS for what's on, HOME + postcode to set your area, or text a meal code. STOP ends texts.",
    "sms_sorry": "Sorry, I didn't follow. Reply YES to take a place, NO to cancel, "
    "MEALS for what's on, HELP for more, STOP to end texts.",
    "sms_welcome_back": "Welcome back to Blether: you'll get texts again. "
    "Text MEALS to see what's on near you.",
    "sms_relayed": "Thanks, we've passed your message to the host of {meal} ({code}).",
    # A party changed by YES 2 (conversation._change_party).
    "sms_party_changed": "Done: your place at {meal}, {when}, is now for {size}. "
    "Can't come? Reply NO {code}",
    "sms_party_waiting": "Done: you're on the waiting list for {meal} ({when}) for {size} now. "
    "Code {code}",
    "sms_party_no_room": "Sorry, {meal} ({when}) hasn't room for {size} now, "
    "so your place stays for {kept}. Code {code}",
    # Free texts passed between a guest and a host (api/sms/relay.py).
    "sms_question_passed": "Thanks, we've passed your message to {host}, the host of {meal} "
    "({when}, code {code}). Any answer comes by text.",
    "sms_answer_passed": "Thanks, we've passed your answer to {name} ({meal}, {code}).",
    "sms_host_unreachable": "Sorry, {host}, the host of {meal} ({code}), can't get texts "
    "just now, so we couldn't pass that on.",
    "sms_guest_unreachable": "Sorry, {name} can't get texts just now, so we couldn't pass on "
    "your answer about {meal} ({code}).",
    "sms_answer_unclear": "Sorry, who is that for? {names} asked you something. "
    "Send it again starting with the name, e.g. {first}: yes",
    "sms_relay_no_words": "Sorry, we can only pass on words, not emoji or pictures. "
    "Please write your message out.",
    "sms_relay_limit": "Sorry, that's a lot of messages to pass on, so we haven't passed that "
    "one on. Please try again {wait}.",
    # HOME and INVITES (api/sms/home.py); {rough} is '' or ' (roughly, around KA21)'.
    "sms_home_set": "Thanks! Your home area is {area}{rough}. Text MEALS for what's on near "
    "you, or INVITES ON to hear of new meals nearby.",
    "sms_home_set_invited": "Thanks! Your home area is {area}{rough}. We'll text you about new "
    "meals within {km} km. Text MEALS for what's on now.",
    "sms_home_ask": "Text HOME and your postcode, e.g. HOME KA21 5AB, and we'll find meals "
    "near you. We keep only your area, never the postcode.",
    "sms_home_invalid": "Sorry, that doesn't look like a postcode. "
    "Text HOME and your postcode, e.g. HOME KA21 5AB",
    "sms_home_unknown": "Sorry, we can't find that postcode. Check it and text HOME and your "
    "postcode again, e.g. HOME KA21 5AB",
    "sms_home_limit": "Sorry, that's a lot of postcodes in a short while. "
    "Please text HOME and your postcode again {wait}.",
    "sms_home_down": "Sorry, we can't look up postcodes just now. "
    "Please text HOME and your postcode again in an hour or so.",
    "sms_invites_on": "We'll text you when a meal is planned within {km} km of your home area. "
    "Text INVITES OFF to stop these.",
    "sms_invites_off": "No more texts about new meals near you. Text INVITES ON to have "
    "them again, or MEALS to see what's on.",
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

"""Every write about meals, by subject: `meals` (create, change, cancel, complete),
`publishing` (publish, safety answers), `signups`, `guests` (invited by the host, by phone),
`dishes`, `feedback`, `leaving`, and `bookings` (which venue booking may be released).
`seats` and `fanout` hold the steps they share; `errors` what they refuse.

`from meals.services import signup_create` keeps working; inside meals, and in new code,
import from the subject module.
"""

from meals.services.bookings import booking_cancel
from meals.services.dishes import dish_add
from meals.services.errors import (
    AlreadySignedUp,
    CannotPublish,
    FeedbackGiven,
    FeedbackInvalid,
    HoldExpired,
    MealInvalid,
    MealNotOpen,
    NotEnoughSeats,
    SignupInvalid,
)
from meals.services.feedback import FEEDBACK_WINDOW, feedback_create
from meals.services.guests import (
    GUEST_HOLD,
    guest_accept,
    guest_decline,
    guest_holds_expire,
    guest_invite,
)
from meals.services.leaving import person_leave
from meals.services.meals import (
    MAX_MEAL_LENGTH,
    meal_cancel,
    meal_create,
    meal_times_check,
    meal_update,
    meals_complete_finished,
)
from meals.services.publishing import meal_publish, safety_answers_save
from meals.services.seats import MAX_PARTY
from meals.services.signups import (
    signup_cancel,
    signup_create,
    signup_create_unread,
    signup_update,
)

__all__ = [
    "FEEDBACK_WINDOW",
    "GUEST_HOLD",
    "MAX_MEAL_LENGTH",
    "MAX_PARTY",
    "AlreadySignedUp",
    "CannotPublish",
    "FeedbackGiven",
    "FeedbackInvalid",
    "HoldExpired",
    "MealInvalid",
    "MealNotOpen",
    "NotEnoughSeats",
    "SignupInvalid",
    "booking_cancel",
    "dish_add",
    "feedback_create",
    "guest_accept",
    "guest_decline",
    "guest_holds_expire",
    "guest_invite",
    "meal_cancel",
    "meal_create",
    "meal_publish",
    "meal_times_check",
    "meal_update",
    "meals_complete_finished",
    "person_leave",
    "safety_answers_save",
    "signup_cancel",
    "signup_create",
    "signup_create_unread",
    "signup_update",
]

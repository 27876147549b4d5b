"""The meals app's tables, by subject: `meals` (a meal and its safety prompts) and `signups`
(sign-ups, dishes, feedback, host messages, SMS threads, guests' questions), `lifts` (drivers
and lifts)."""

from meals.models.lifts import LIVE_LIFT_STATUSES, Driver, Lift
from meals.models.meals import (
    ALLERGEN_CHOICES,
    ALLERGENS,
    CODE_ALPHABET,
    DIETARY_CHOICES,
    DIETARY_OPTIONS,
    FOOD_ARRANGEMENTS,
    OPEN_STATUSES,
    REGULAR,
    Meal,
    MealQuerySet,
    SafetyAnswer,
    SafetyPrompt,
    SafetyPromptQuerySet,
)
from meals.models.signups import (
    LIVE_SIGNUP_STATUSES,
    Dish,
    Feedback,
    GuestQuestion,
    HostMessage,
    Signup,
    SmsThread,
)

__all__ = [
    "ALLERGENS",
    "ALLERGEN_CHOICES",
    "CODE_ALPHABET",
    "DIETARY_CHOICES",
    "DIETARY_OPTIONS",
    "FOOD_ARRANGEMENTS",
    "LIVE_LIFT_STATUSES",
    "LIVE_SIGNUP_STATUSES",
    "OPEN_STATUSES",
    "REGULAR",
    "Dish",
    "Driver",
    "Feedback",
    "GuestQuestion",
    "HostMessage",
    "Lift",
    "Meal",
    "MealQuerySet",
    "SafetyAnswer",
    "SafetyPrompt",
    "SafetyPromptQuerySet",
    "Signup",
    "SmsThread",
]

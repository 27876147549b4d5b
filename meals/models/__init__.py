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
from meals.models.series import MAX_OCCURRENCES, MealSeries, Regular, SeriesSafetyAnswer
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
    "MAX_OCCURRENCES",
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
    "MealSeries",
    "Regular",
    "SafetyAnswer",
    "SafetyPrompt",
    "SafetyPromptQuerySet",
    "SeriesSafetyAnswer",
    "Signup",
    "SmsThread",
]

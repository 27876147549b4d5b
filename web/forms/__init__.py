"""Forms parse what a person typed into plain values for the services; no rules live here
beyond the shape of the input (the services hold the rules and say what is wrong)."""

from web.forms.base import apply_error
from web.forms.hosts import (
    AttendanceForm,
    BookingForm,
    CancelMealForm,
    FoodForm,
    GuestForm,
    HostMessageForm,
    KindForm,
    PlaceForm,
    SafetyForm,
    SeatsForm,
    StreetForm,
    WhenForm,
)
from web.forms.residents import (
    CodeForm,
    DishForm,
    DriverForm,
    FeedbackForm,
    JoinForm,
    MealFilterForm,
    NameForm,
    PhoneForm,
    SettingsForm,
)

__all__ = [
    "AttendanceForm",
    "BookingForm",
    "CancelMealForm",
    "CodeForm",
    "DishForm",
    "DriverForm",
    "FeedbackForm",
    "FoodForm",
    "GuestForm",
    "HostMessageForm",
    "JoinForm",
    "KindForm",
    "MealFilterForm",
    "NameForm",
    "PhoneForm",
    "PlaceForm",
    "SafetyForm",
    "SeatsForm",
    "SettingsForm",
    "StreetForm",
    "WhenForm",
    "apply_error",
]

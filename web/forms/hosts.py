"""Forms of a host's pages: proposing a meal step by step, and hosting it."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point

from meals.models import Meal, SafetyAnswer
from web.forms.base import (
    ALLERGEN_WORDS,
    DIETARY_WORDS,
    KIND_CHOICES,
    PARTY_CHOICES,
    PhoneField,
    PointMixin,
)

# ---------------------------------------------------------------- proposing a meal


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of meal?",
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of meal it is."},
    )
    title = forms.CharField(
        label="Give it a name",
        max_length=80,
        error_messages={"required": "Give the meal a name."},
    )
    description = forms.CharField(
        label="Say a little about it (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WhenForm(forms.Form):
    day = forms.DateField(
        label="Day",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the day.", "invalid": "Give a day like 28/11/2027."},
    )
    starts_at = forms.TimeField(
        label="Starts at",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Give a time like 12:00.",
            "invalid": "Give a time like 12:00.",
        },
    )
    ends_at = forms.TimeField(
        label="Ends at",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Give a time like 14:00.",
            "invalid": "Give a time like 14:00.",
        },
    )

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        day = self.cleaned_data["day"]
        starts = dt.datetime.combine(day, self.cleaned_data["starts_at"], tzinfo=zone)
        ends = dt.datetime.combine(day, self.cleaned_data["ends_at"], tzinfo=zone)
        return starts, ends


class PlaceForm(forms.Form):
    setting = forms.ChoiceField(
        label="Where will it be?",
        choices=[
            (Meal.Setting.STREET, "In the street, outside or in a garden"),
            (Meal.Setting.VENUE, "At a venue, like a community hall"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the street or a venue."},
    )


class StreetForm(PointMixin, forms.Form):
    place_description = forms.CharField(
        label="Where will people find you?",
        max_length=200,
        error_messages={"required": "Say where to find you, e.g. 'outside number 12'."},
    )
    on_road = forms.BooleanField(label="On the road itself, not the pavement", required=False)
    step_free = forms.BooleanField(label="Step-free", required=False)
    lat = forms.FloatField(label="Latitude", min_value=-90, max_value=90, required=False)
    lng = forms.FloatField(label="Longitude", min_value=-180, max_value=180, required=False)

    def point(self) -> Point | None:
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        if lat is None or lng is None:
            return None
        return Point(lng, lat, srid=4326)


class BookingForm(forms.Form):
    note = forms.CharField(label="A note for the venue (optional)", max_length=500, required=False)


class SeatsForm(forms.Form):
    capacity = forms.IntegerField(
        label="How many seats?",
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Say how many seats.",
            "invalid": "Give a number of seats, like 12.",
            "min_value": "There must be at least 1 seat.",
            "max_value": "Give at most 500 seats.",
        },
    )


class FoodForm(forms.Form):
    food = forms.ChoiceField(
        label="Who brings the food?",
        choices=[
            (Meal.Food.HOST_PROVIDES, "I will provide it"),
            (Meal.Food.BRING_A_DISH, "Everyone brings a dish"),
            (Meal.Food.MIXED, "A bit of both"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who brings the food."},
    )
    repeats = forms.ChoiceField(
        label="How often?",
        choices=[
            (Meal.Repeats.ONCE, "Just once"),
            (Meal.Repeats.WEEKLY, "Every week"),
            (Meal.Repeats.MORE_OFTEN, "More often than weekly"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often."},
    )
    weeks = forms.IntegerField(
        label="Every week: for how many weeks? (optional)",
        help_text="In the street, every week for 2 to 52 weeks makes a series: "
        "neighbours can come every time.",
        min_value=2,
        max_value=52,
        required=False,
        error_messages={
            "min_value": "Give 2 to 52 weeks.",
            "max_value": "Give 2 to 52 weeks.",
            "invalid": "Give a number of weeks, like 8.",
        },
    )
    dietary_options = forms.MultipleChoiceField(
        label="Dietary options (optional)",
        choices=DIETARY_WORDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allergens = forms.MultipleChoiceField(
        label="Allergens in the food you make (optional)",
        choices=ALLERGEN_WORDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


ANSWER_CHOICES = [
    (SafetyAnswer.Answer.YES, "Yes"),
    (SafetyAnswer.Answer.NO, "No"),
    (SafetyAnswer.Answer.NOT_APPLICABLE, "Does not apply"),
]


class SafetyForm(forms.Form):
    """One radio group (and a note) per prompt on the meal's sheet."""

    def __init__(self, *args, sheet: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for item in sheet:
            self.fields[f"answer_{item['key']}"] = forms.ChoiceField(
                label=item["question"],
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                required=item["level"] != "advisory",
                initial=item["answer"],
                error_messages={"required": "Answer this question."},
            )
            self.fields[f"note_{item['key']}"] = forms.CharField(
                label="A note (optional)", max_length=500, required=False, initial=item["note"]
            )

    def rows(self) -> list[dict]:
        return [
            {**item, "field": self[f"answer_{item['key']}"], "note": self[f"note_{item['key']}"]}
            for item in self.sheet
        ]

    def answers(self) -> list[dict]:
        return [
            {
                "key": item["key"],
                "answer": self.cleaned_data[f"answer_{item['key']}"],
                "note": self.cleaned_data[f"note_{item['key']}"],
            }
            for item in self.sheet
            if self.cleaned_data.get(f"answer_{item['key']}")
        ]


# ---------------------------------------------------------------- hosting


class GuestForm(forms.Form):
    phone = PhoneField(
        label="Their mobile number", error_messages={"required": "Enter their mobile number."}
    )
    name = forms.CharField(
        label="Their name", max_length=80, error_messages={"required": "Enter their name."}
    )
    party_size = forms.TypedChoiceField(
        label="How many of them?", choices=PARTY_CHOICES, coerce=int, initial=1
    )


class HostMessageForm(forms.Form):
    text = forms.CharField(
        label="Your message",
        max_length=320,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write a message.",
            "max_length": "Keep it to 320 characters.",
        },
    )


class AttendanceForm(forms.Form):
    signup = forms.IntegerField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(
        label="Did they come?",
        choices=[("attended", "Came"), ("no_show", "Did not come")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they came."},
    )


class CancelMealForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling? Guests are told.",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

"""Forms parse what a person typed into plain values for the services; no rules live here
beyond the shape of the input (the services hold the rules and say what is wrong)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point

from meals.models import ALLERGEN_CHOICES, DIETARY_CHOICES, Meal, SafetyAnswer
from people.errors import DomainError, InvalidPhone
from people.phones import normalise_phone

PARTY_CHOICES = [(n, str(n)) for n in range(1, 7)]
SCORE_CHOICES = [
    (1, "1 - not at all"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 - very much"),
]
KIND_CHOICES = [
    (Meal.Kind.SHARED_LUNCH, "Shared lunch"),
    (Meal.Kind.STREET_TEA, "Street tea"),
    (Meal.Kind.HIGH_TEA, "High tea"),
    (Meal.Kind.SUPPER, "Supper"),
]
ALLERGEN_WORDS = [(code, label.capitalize()) for code, label in ALLERGEN_CHOICES]
DIETARY_WORDS = [(code, label.capitalize()) for code, label in DIETARY_CHOICES]


def apply_error(
    form: forms.Form, error: DomainError, aliases: dict | None = None, field: str | None = None
) -> None:
    """Put a service's complaint on the fields it names (`aliases` maps a service's name to
    the form's), on `field` when it names none, or else above the form."""
    aliases = aliases or {}
    detail = error.detail
    if isinstance(detail, dict):
        reasons = detail.get("reasons")
        if isinstance(reasons, list):
            for reason in reasons:
                form.add_error(None, reason.get("message", str(reason)))
            return
        for name, messages in detail.items():
            messages = messages if isinstance(messages, list) else [messages]
            name = aliases.get(name, name)
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, str(message))
        return
    if isinstance(detail, list):
        for message in detail:
            form.add_error(field, str(message))
        return
    form.add_error(field, str(detail))


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalise_phone(value)
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc.detail)) from exc


# ---------------------------------------------------------------- signing in


class PhoneForm(forms.Form):
    phone = PhoneField(
        label="Mobile number",
        error_messages={"required": "Enter your mobile number."},
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="Code from the text",
        regex=r"^\s*[0-9]{6}\s*$",
        max_length=20,
        error_messages={
            "required": "Enter the code from the text.",
            "invalid": "The code is 6 digits.",
        },
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class NameForm(forms.Form):
    display_name = forms.CharField(
        label="Your first name",
        max_length=80,
        error_messages={"required": "Enter your first name."},
    )


# ---------------------------------------------------------------- finding and joining


class MealFilterForm(forms.Form):
    WHEN_CHOICES = [("", "Any time"), ("week", "This week"), ("later", "Later")]

    when = forms.ChoiceField(label="When", choices=WHEN_CHOICES, required=False)
    step_free = forms.BooleanField(label="Step-free only", required=False)
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "Any kind"), *KIND_CHOICES], required=False
    )
    dietary = forms.ChoiceField(
        label="Dietary option", choices=[("", "Any"), *DIETARY_WORDS], required=False
    )
    lat = forms.FloatField(min_value=-90, max_value=90, required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(min_value=-180, max_value=180, required=False, widget=forms.HiddenInput)

    def window(self, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
        """This week: until the end of Sunday, UK time; later: from then on."""
        local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
        monday = (local - dt.timedelta(days=local.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        week_end = monday + dt.timedelta(days=7)
        choice = self.cleaned_data.get("when")
        if choice == "week":
            return None, week_end
        if choice == "later":
            return week_end, None
        return None, None

    def point(self) -> Point | None:
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        if lat is None or lng is None:
            return None
        return Point(lng, lat, srid=4326)


class JoinForm(forms.Form):
    party_size = forms.TypedChoiceField(
        label="How many of you are coming?",
        choices=PARTY_CHOICES,
        coerce=int,
        initial=1,
        error_messages={"invalid_choice": "Choose a party of 1 to 6 people."},
    )
    dietary_needs = forms.CharField(
        label="Dietary needs (optional)", max_length=200, required=False
    )
    access_needs = forms.CharField(label="Access needs (optional)", max_length=200, required=False)


class DishForm(forms.Form):
    name = forms.CharField(
        label="What are you bringing?",
        max_length=80,
        error_messages={"required": "Give the dish a name."},
    )
    story = forms.CharField(
        label="Its story (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    allergens = forms.MultipleChoiceField(
        label="Which of the 14 allergens does it contain?",
        choices=ALLERGEN_WORDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class FeedbackForm(forms.Form):
    felt_welcome = forms.TypedChoiceField(
        label="Did you feel welcome?",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how welcome you felt, from 1 to 5."},
    )
    people_were_kind = forms.TypedChoiceField(
        label="Were people kind?",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how kind people were, from 1 to 5."},
    )
    comment = forms.CharField(
        label="Anything else? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ---------------------------------------------------------------- settings


class PointMixin:
    """Optional lat/lng pair: both or neither."""

    def clean(self):
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None) and not self.errors.get("lat"):
            self.add_error("lat", "Give both latitude and longitude, or use your location.")
        return data


class SettingsForm(PointMixin, forms.Form):
    RADIUS_CHOICES = [("1.0", "1 km"), ("2.0", "2 km"), ("3.0", "3 km"), ("5.0", "5 km")]

    display_name = forms.CharField(
        label="First name", max_length=80, error_messages={"required": "Enter your first name."}
    )
    lat = forms.FloatField(label="Latitude", min_value=-90, max_value=90, required=False)
    lng = forms.FloatField(label="Longitude", min_value=-180, max_value=180, required=False)
    sms_nudges = forms.TypedChoiceField(
        label="Texts about meals near me",
        choices=[("yes", "On"), ("no", "Off")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    nudge_radius_km = forms.ChoiceField(
        label="How far away?", choices=RADIUS_CHOICES, initial="2.0"
    )
    quiet_start = forms.TimeField(
        label="From",
        input_formats=["%H:%M"],
        error_messages={
            "invalid": "Give a time like 21:00.",
            "required": "Give a time like 21:00.",
        },
    )
    quiet_end = forms.TimeField(
        label="Until",
        input_formats=["%H:%M"],
        error_messages={
            "invalid": "Give a time like 09:00.",
            "required": "Give a time like 09:00.",
        },
    )
    dietary_needs = forms.CharField(label="Dietary needs", max_length=200, required=False)
    access_needs = forms.CharField(label="Access needs", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A distance set through the API (0.5-20 km) stays choosable, so saving keeps it.
        current = self.initial.get("nudge_radius_km")
        choices = list(self.RADIUS_CHOICES)
        if current and current not in dict(choices):
            choices = sorted([*choices, (current, f"{current} km")], key=lambda c: float(c[0]))
        self.fields["nudge_radius_km"].choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if start is not None and start == end:
            # An empty window would mean texts at any hour of the night (as the API says).
            self.add_error(
                "quiet_end", "Quiet hours must end at a different time from when they start."
            )
        return data


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

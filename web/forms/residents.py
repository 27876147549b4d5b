"""Forms of a resident's pages: signing in, finding and joining, dishes, feedback, settings."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point

from web.forms.base import (
    ALLERGEN_WORDS,
    DIETARY_WORDS,
    KIND_CHOICES,
    PARTY_CHOICES,
    SCORE_CHOICES,
    PhoneField,
    PointMixin,
)

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
    lift = forms.BooleanField(label="I need a lift", required=False)
    pickup_note = forms.CharField(
        label="Where to pick you up (optional)", max_length=120, required=False
    )


class DriverForm(forms.Form):
    """Offer lifts: the car's passenger seats, step-free or not, how far from home."""

    KM_CHOICES = [
        ("1.0", "1 km"),
        ("2.0", "2 km"),
        ("3.0", "3 km"),
        ("5.0", "5 km"),
        ("10.0", "10 km"),
    ]

    seats = forms.TypedChoiceField(
        label="Passenger seats in your car",
        choices=[(n, str(n)) for n in range(1, 9)],
        coerce=int,
        initial=3,
        error_messages={"invalid_choice": "Choose 1 to 8 seats."},
    )
    step_free = forms.BooleanField(
        label="Someone who cannot manage a step can get in", required=False
    )
    max_km = forms.ChoiceField(
        label="How far from home will you go to pick someone up?",
        choices=KM_CHOICES,
        initial="3.0",
    )


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


class SettingsForm(PointMixin, forms.Form):
    RADIUS_CHOICES = [("1.0", "1 km"), ("2.0", "2 km"), ("3.0", "3 km"), ("5.0", "5 km")]

    display_name = forms.CharField(
        label="First name", max_length=80, error_messages={"required": "Enter your first name."}
    )
    postcode = forms.CharField(label="Postcode", max_length=16, required=False)
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
        radius = self.fields["nudge_radius_km"]
        assert isinstance(radius, forms.ChoiceField)
        radius.choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if start is not None and start == end:
            # An empty window would mean texts at any hour of the night (as the API says).
            self.add_error(
                "quiet_end", "Quiet hours must end at a different time from when they start."
            )
        return data

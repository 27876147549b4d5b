"""What every form shares: choices in the neighbours' words, putting a service's complaint on
the field it names, phone numbers, and an optional map point."""

from typing import Any

from django import forms

from meals.models import ALLERGEN_CHOICES, DIETARY_CHOICES, Meal
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


class PointMixin(forms.Form):
    """Optional lat/lng pair: both or neither."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None) and not self.errors.get("lat"):
            self.add_error("lat", "Give both latitude and longitude, or use your location.")
        return data

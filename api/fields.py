"""Serializer fields shared across the API."""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.gis.geos import Point
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from people.errors import InvalidPhone
from people.phones import normalise_phone, textable_phone

HIDDEN_CHARACTERS = "Leave out invisible control characters."
# Bidirectional overrides, embeddings, isolates and marks: they reorder what others see.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def no_hidden_characters(value: str) -> None:
    """For one-line text other people see (names, titles): no control characters (line breaks
    included) and no bidirectional controls. Emoji joiners and accents are kept."""
    if any(c in BIDI_CONTROLS or unicodedata.category(c) == "Cc" for c in value):
        raise serializers.ValidationError(HIDDEN_CHARACTERS)


# The largest id a row can have (a bigint).
MAX_ID = 2**63 - 1


def whole_id(value: object) -> int | None:
    """An id as the whole number it names (an int, or a string of ASCII digits), from 1 to
    the largest bigint; None for anything else, which names no row there could be."""
    number = value if type(value) is int else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    return number if number is not None and 0 < number <= MAX_ID else None


MICRODEGREE = Decimal("0.000001")


def shown_degrees(value: float) -> float:
    """A coordinate to 6 places (about 0.1 m), rounding the shortest decimal that is the float
    (what was typed: 55.6336005 -> 55.633601) half away from zero, as PostgreSQL's
    `round(x::text::numeric, 6)` does for the nearby list, so the two agree to the digit."""
    return float(Decimal(repr(value)).quantize(MICRODEGREE, rounding=ROUND_HALF_UP))


class LatLngSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


@extend_schema_field(LatLngSerializer)
class PointField(serializers.Field):
    """A point as {"lat": 55.64, "lng": -4.78}."""

    # Doubled braces: DRF runs error messages through str.format.
    default_error_messages = {"invalid": 'Give a point as {{"lat": 55.64, "lng": -4.78}}.'}

    def to_representation(self, value: Point):
        if value is None:
            return None
        return {"lat": shown_degrees(value.y), "lng": shown_degrees(value.x)}

    def to_internal_value(self, data):
        inner = LatLngSerializer(data=data)
        if not isinstance(data, dict) or not inner.is_valid():
            self.fail("invalid")
        return Point(inner.validated_data["lng"], inner.validated_data["lat"], srid=4326)


HHMM_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": HHMM_PATTERN, "example": "21:00"})
class LocalTimeField(serializers.TimeField):
    """A local wall-clock time as "HH:MM" both ways; seconds are accepted and dropped.

    OpenAPI's `format: time` demands seconds and an offset, which "21:00" has not.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        return super().to_internal_value(value).replace(second=0, microsecond=0)


class AwareDateTimeField(serializers.DateTimeField):
    """A moment in ISO 8601 with its UTC offset; a bare wall time is refused, not guessed.

    "2027-10-31T01:30:00" happens twice in London that night, so no zone can place it.
    """

    default_error_messages = {
        "naive": "Give times with a UTC offset, e.g. 2026-11-28T12:00:00+00:00.",
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


@extend_schema_field(OpenApiTypes.STR)
class PhoneField(serializers.CharField):
    """Accepts E.164 or UK national format; gives E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        raw = super().to_internal_value(data)
        try:
            return normalise_phone(raw)
        except InvalidPhone as exc:
            raise serializers.ValidationError(str(exc.detail)) from exc


@extend_schema_field(OpenApiTypes.STR)
class TextablePhoneField(PhoneField):
    """A number Blether may start texting (a code, an invitation): a mobile in an allowed region."""

    def to_internal_value(self, data):
        raw = serializers.CharField.to_internal_value(self, data)
        try:
            return textable_phone(raw)
        except InvalidPhone as exc:
            raise serializers.ValidationError(str(exc.detail)) from exc


def parse_near(value: str) -> Point:
    """Parse `near=lat,lng` from a query string."""
    try:
        lat_s, lng_s = value.split(",")
        lat, lng = float(lat_s), float(lng_s)
    except (ValueError, AttributeError) as exc:
        raise serializers.ValidationError(
            {"near": ["Give near as lat,lng e.g. 55.64,-4.78."]}
        ) from exc
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise serializers.ValidationError({"near": ["Latitude or longitude out of range."]})
    return Point(lng, lat, srid=4326)

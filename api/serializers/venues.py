"""Shapes of venues, availability and bookings on the wire. Parsing only; rules live in venues/."""

import datetime as dt
import re

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import AwareDateTimeField, PointField, no_hidden_characters
from venues.models import (
    MAX_BOOKING_MINUTES,
    MAX_HORIZON_DAYS,
    Booking,
    Organisation,
    Venue,
)

DEFAULT_WINDOW = dt.timedelta(days=7)
MAX_WINDOW = dt.timedelta(days=62)


# One yes/no field for each name in `flags` (Venue.ACCESSIBILITY or Venue.FACILITIES). A
# comment, not a docstring: the schema would show a docstring on each of the four.
class _FlagsSerializer(serializers.Serializer):
    flags: tuple[str, ...] = ()
    flags_required = True

    def get_fields(self):
        return {name: serializers.BooleanField(required=self.flags_required) for name in self.flags}


class AccessibilitySerializer(_FlagsSerializer):
    flags = Venue.ACCESSIBILITY
    flags_required = False


class FacilitiesSerializer(_FlagsSerializer):
    flags = Venue.FACILITIES
    flags_required = False


class AccessibilityOut(_FlagsSerializer):
    flags = Venue.ACCESSIBILITY


class FacilitiesOut(_FlagsSerializer):
    flags = Venue.FACILITIES


HOUR_MINUTE = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


@extend_schema_field({"type": "string", "pattern": HOUR_MINUTE, "example": "09:30"})
class HourMinuteField(serializers.Field):
    """A wall-clock time as "HH:MM", in Europe/London local time."""

    default_error_messages = {"invalid": 'Give a time as "HH:MM", e.g. "09:30".'}

    def to_representation(self, value: dt.time) -> str:
        return value.strftime("%H:%M")

    def to_internal_value(self, data) -> dt.time:
        if not isinstance(data, str) or not re.fullmatch(HOUR_MINUTE, data):
            self.fail("invalid")
        hour, minute = data.split(":")
        return dt.time(int(hour), int(minute))


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday")
    opens = HourMinuteField()
    closes = HourMinuteField()

    def validate(self, attrs):
        if attrs["opens"] >= attrs["closes"]:
            raise serializers.ValidationError("A window must open before it closes.")
        return attrs


class OrganisationRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VenueRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VenueOut(serializers.ModelSerializer):
    location = PointField()
    accessibility = serializers.SerializerMethodField()
    facilities = serializers.SerializerMethodField()
    organisation = OrganisationRefOut()
    opening_hours = OpeningHoursSerializer(many=True)
    distance_m = serializers.SerializerMethodField(
        help_text="Metres from `near`; null when the search gave no `near`."
    )

    class Meta:
        model = Venue
        fields = [
            "id",
            "name",
            "kind",
            "address",
            "location",
            "capacity",
            "accessibility",
            "facilities",
            "house_rules",
            "organisation",
            "booking_policy",
            "min_notice_hours",
            "booking_horizon_days",
            "min_booking_minutes",
            "max_bookings_per_person",
            "opening_hours",
            "active",
            "distance_m",
        ]

    @extend_schema_field(AccessibilityOut)
    def get_accessibility(self, obj: Venue) -> dict[str, bool]:
        return {name: getattr(obj, name) for name in Venue.ACCESSIBILITY}

    @extend_schema_field(FacilitiesOut)
    def get_facilities(self, obj: Venue) -> dict[str, bool]:
        return {name: getattr(obj, name) for name in Venue.FACILITIES}

    def get_distance_m(self, obj) -> float | None:
        distance = getattr(obj, "distance_m", None)
        return None if distance is None else round(distance.m, 1)


class VenueUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120, validators=[no_hidden_characters])
    kind = serializers.ChoiceField(choices=Venue.Kind.choices)
    address = serializers.CharField(max_length=250)
    location = PointField()
    capacity = serializers.IntegerField(min_value=1, max_value=10000)
    accessibility = AccessibilitySerializer(required=False)
    facilities = FacilitiesSerializer(required=False)
    house_rules = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    booking_policy = serializers.ChoiceField(choices=Venue.BookingPolicy.choices, required=False)
    min_notice_hours = serializers.IntegerField(min_value=0, max_value=24 * 90, required=False)
    booking_horizon_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_HORIZON_DAYS,
        required=False,
        help_text="How far ahead a slot may start; default 183 (about 6 months)",
    )
    min_booking_minutes = serializers.IntegerField(
        min_value=1,
        max_value=MAX_BOOKING_MINUTES,
        required=False,
        help_text="The shortest slot that may be booked; default 30",
    )
    max_bookings_per_person = serializers.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        help_text="Live bookings yet to start that one person may hold here; default 4",
    )
    # DRF passes max_length to the list (many=True); its stubs leave that argument out.
    opening_hours = OpeningHoursSerializer(many=True, required=False, max_length=50)  # type: ignore[call-arg]
    active = serializers.BooleanField(required=False)


class VenueCreateIn(VenueUpdateIn):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), help_text="Id of an organisation you are staff of"
    )


class VenueSearchIn(serializers.Serializer):
    near = serializers.CharField(required=False, max_length=60)
    radius_km = serializers.FloatField(required=False, default=5, min_value=0.01, max_value=50)
    kind = serializers.ChoiceField(choices=Venue.Kind.choices, required=False)
    step_free = serializers.BooleanField(required=False)
    min_capacity = serializers.IntegerField(required=False, min_value=1, max_value=100000)
    organisation = serializers.IntegerField(required=False, min_value=1, max_value=2**62)


class AvailabilityIn(serializers.Serializer):
    """`from` and `to` are Python keywords, hence the fields are built here."""

    def get_fields(self):
        return {
            "from": AwareDateTimeField(required=False),
            "to": AwareDateTimeField(required=False),
        }

    def validate(self, attrs):
        try:
            start = attrs.get("from") or timezone.now()
            end = attrs.get("to") or start + DEFAULT_WINDOW
        except OverflowError as exc:
            raise serializers.ValidationError({"from": ["That date is out of range."]}) from exc
        if end <= start:
            raise serializers.ValidationError({"to": ["`to` must be after `from`."]})
        if end - start > MAX_WINDOW:
            raise serializers.ValidationError({"to": ["Ask for at most 62 days at a time."]})
        return {"start": start, "end": end}


class BusyOut(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class AvailabilityOut(serializers.Serializer):
    opening_hours = OpeningHoursSerializer(many=True)
    busy = BusyOut(many=True)


class BookingIn(serializers.Serializer):
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class DeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class PersonRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()


class BookingOut(serializers.ModelSerializer):
    venue = VenueRefOut()
    requested_by = PersonRefOut()
    meal = serializers.SerializerMethodField(help_text="Id of the meal held in this slot, if any")

    class Meta:
        model = Booking
        fields = [
            "id",
            "venue",
            "status",
            "starts_at",
            "ends_at",
            "note",
            "requested_by",
            "decision_reason",
            "decided_at",
            "created_at",
            "meal",
        ]

    def get_meal(self, obj) -> int | None:
        meal = getattr(obj, "meal", None)
        return meal.pk if meal is not None else None

"""Drivers and lifts: what goes in and out. The pick-up note is filled in by the view, from
`meals.lift_selectors.pickup_note_for`, never read from the row here."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meals.lift_texts import DRIVER_TEXT_MAX, pickup_at
from meals.models import Driver, Lift
from meals.models.lifts import MAX_CAR_SEATS, MAX_DRIVE_KM, PICKUP_NOTE_MAX


class DriverIn(serializers.Serializer):
    seats = serializers.IntegerField(
        min_value=1, max_value=MAX_CAR_SEATS, help_text="Passenger seats in the car"
    )
    step_free = serializers.BooleanField(default=False, help_text="Easy to get in without a step")
    max_km = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal(MAX_DRIVE_KM),
        help_text="How far from home you will go to pick someone up",
    )


class DriverOut(serializers.ModelSerializer):
    checked = serializers.BooleanField(help_text="An organisation has checked you (PVG)")
    checked_by = serializers.CharField(
        source="checked_by.name", allow_null=True, default=None, help_text="Which organisation"
    )
    max_km = serializers.DecimalField(max_digits=4, decimal_places=1)

    class Meta:
        model = Driver
        fields = ["seats", "step_free", "max_km", "checked", "checked_by", "checked_at"]


class LiftIn(serializers.Serializer):
    pickup_note = serializers.CharField(
        max_length=PICKUP_NOTE_MAX,
        allow_blank=True,
        default="",
        help_text="Street and door; shown only to the driver who takes it, until the meal ends",
    )
    step_free = serializers.BooleanField(default=False, help_text="I need a step-free car")


class LiftMessageIn(serializers.Serializer):
    text = serializers.CharField(max_length=DRIVER_TEXT_MAX)


class LiftMealOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class AreaOut(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class LiftOut(serializers.ModelSerializer):
    meal = LiftMealOut()
    guest_name = serializers.CharField(source="guest.first_name")
    driver_name = serializers.CharField(
        source="driver.person.first_name", allow_null=True, default=None
    )
    status = serializers.ChoiceField(choices=Lift.Status.choices)
    area = serializers.SerializerMethodField(help_text="The guest's home area, to about 100 m")
    pickup_at = serializers.SerializerMethodField(help_text="About when the driver comes")
    pickup_note = serializers.SerializerMethodField(
        help_text="Only for the guest and the driver who took it, until the meal ends; else ''"
    )
    distance_km = serializers.SerializerMethodField(
        help_text="From the driver's home, in open-request lists; otherwise null"
    )

    class Meta:
        model = Lift
        fields = [
            "id",
            "meal",
            "status",
            "guest_name",
            "driver_name",
            "passengers",
            "step_free",
            "area",
            "pickup_at",
            "pickup_note",
            "distance_km",
            "created_at",
            "taken_at",
        ]

    @extend_schema_field(AreaOut)
    def get_area(self, lift: Lift) -> dict:
        return {"lat": lift.area.y, "lng": lift.area.x}

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_pickup_at(self, lift: Lift) -> str:
        return serializers.DateTimeField().to_representation(pickup_at(lift.meal))

    def get_pickup_note(self, lift: Lift) -> str:
        return self.context.get("notes", {}).get(lift.pk, "")

    def get_distance_km(self, lift: Lift) -> float | None:
        distance = getattr(lift, "distance_m", None)
        return None if distance is None else round(distance.m / 1000, 1)

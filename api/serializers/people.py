from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import (
    LocalTimeField,
    PhoneField,
    PointField,
    TextablePhoneField,
    no_hidden_characters,
)
from people.models import User


class CodeRequestIn(serializers.Serializer):
    phone = TextablePhoneField()


class CodeRequestOut(serializers.Serializer):
    detail = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the code stays valid")


class TokenIn(serializers.Serializer):
    phone = PhoneField()
    # [0-9], not \d: Python's \d also matches other scripts' digits.
    code = serializers.RegexField(
        r"^\s*[0-9]{6}\s*$", max_length=20, error_messages={"invalid": "The code is 6 digits."}
    )


class RefreshIn(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class TokenPairOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class QuietHoursSerializer(serializers.Serializer):
    start = LocalTimeField()
    end = LocalTimeField()

    def validate(self, attrs):
        # A PATCH makes nested fields optional too; a window still needs both ends.
        missing = {
            name: ["This field is required."] for name in ("start", "end") if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        if attrs["start"] == attrs["end"]:
            # An empty window would mean texts at any hour of the night.
            raise serializers.ValidationError(
                {"end": ["Quiet hours must end at a different time from when they start."]}
            )
        return attrs


class OrganisationRoleOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


class MeOut(serializers.ModelSerializer):
    home_location = PointField(allow_null=True)
    quiet_hours = serializers.SerializerMethodField()
    organisations = serializers.SerializerMethodField()
    nudge_radius_km = serializers.FloatField()

    class Meta:
        model = User
        fields = [
            "id",
            "phone",
            "display_name",
            "home_location",
            "nudge_radius_km",
            "sms_nudges",
            "quiet_hours",
            "dietary_needs",
            "access_needs",
            "organisations",
        ]

    @extend_schema_field(QuietHoursSerializer)
    def get_quiet_hours(self, obj: User) -> dict[str, Any]:
        return QuietHoursSerializer({"start": obj.quiet_start, "end": obj.quiet_end}).data

    @extend_schema_field(OrganisationRoleOut(many=True))
    def get_organisations(self, obj: User) -> list[dict[str, Any]]:
        return [
            {"id": m.organisation_id, "name": m.organisation.name, "role": m.role}
            for m in obj.memberships.select_related("organisation").order_by("organisation__name")
        ]


class MeIn(serializers.Serializer):
    display_name = serializers.CharField(
        max_length=80, allow_blank=True, required=False, validators=[no_hidden_characters]
    )
    home_location = PointField(allow_null=True, required=False)
    nudge_radius_km = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("20"),
        coerce_to_string=False,
        required=False,
    )
    sms_nudges = serializers.BooleanField(required=False)
    quiet_hours = QuietHoursSerializer(required=False)
    dietary_needs = serializers.CharField(max_length=200, allow_blank=True, required=False)
    access_needs = serializers.CharField(max_length=200, allow_blank=True, required=False)


class TokenOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = MeOut()


class HomeIn(serializers.Serializer):
    postcode = serializers.CharField(
        max_length=16, help_text="A UK postcode, any case and spacing: `KA21 5AB`. Not kept."
    )


class HomeOut(serializers.Serializer):
    area = serializers.CharField(help_text="What the area is called: `Saltcoats`")
    located_by = serializers.ChoiceField(
        choices=["service", "table", "fallback"],
        help_text="`service`: the postcode itself was looked up; `table`: no postcode service "
        "is configured, so the middle of its district; `fallback`: the service did not answer, "
        "so the middle of its district",
    )
    approximate = serializers.BooleanField(help_text="True unless `located_by` is `service`")
    home_location = PointField(help_text="The home area as stored, to about 100 m")

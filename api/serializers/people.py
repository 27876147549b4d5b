from decimal import Decimal

from rest_framework import serializers

from api.fields import PhoneField, PointField
from people.models import User


class CodeRequestIn(serializers.Serializer):
    phone = PhoneField()


class CodeRequestOut(serializers.Serializer):
    detail = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the code stays valid")


class TokenIn(serializers.Serializer):
    phone = PhoneField()
    code = serializers.RegexField(
        r"^\s*\d{6}\s*$", error_messages={"invalid": "The code is 6 digits."}
    )


class RefreshIn(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class QuietHoursSerializer(serializers.Serializer):
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")


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

    def get_quiet_hours(self, obj) -> QuietHoursSerializer:
        return {"start": obj.quiet_start.strftime("%H:%M"), "end": obj.quiet_end.strftime("%H:%M")}

    def get_organisations(self, obj) -> OrganisationRoleOut(many=True):
        return [
            {"id": m.organisation_id, "name": m.organisation.name, "role": m.role}
            for m in obj.memberships.select_related("organisation").order_by("organisation__name")
        ]


class MeIn(serializers.Serializer):
    display_name = serializers.CharField(max_length=80, allow_blank=True, required=False)
    home_location = PointField(allow_null=True, required=False)
    nudge_radius_km = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("20"),
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

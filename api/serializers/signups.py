"""Sign-ups, guests, dishes and feedback: what goes in and out about who comes and what they bring."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import (
    TextablePhoneField,
)
from api.serializers.meals import MealOut, datetime_out
from meals.models import ALLERGENS, Dish, Feedback, Signup
from people.phones import mask_phone

MAX_CAPACITY = 500


class SignupIn(serializers.Serializer):
    party_size = serializers.IntegerField(min_value=1, max_value=6, default=1)
    dietary_needs = serializers.CharField(max_length=200, allow_blank=True, default="")
    access_needs = serializers.CharField(max_length=200, allow_blank=True, default="")
    lift = serializers.BooleanField(default=False, help_text="I need a lift there")
    pickup_note = serializers.CharField(
        max_length=120,
        allow_blank=True,
        default="",
        help_text="With `lift`: street and door, shown only to the driver who takes it",
    )


class SignupPatchIn(serializers.Serializer):
    party_size = serializers.IntegerField(
        min_value=1, max_value=6, required=False, help_text="Mine only"
    )
    attendance = serializers.ChoiceField(
        choices=["attended", "no_show"], required=False, help_text="The host only"
    )


class SignupOut(serializers.ModelSerializer):
    meal = serializers.IntegerField(source="meal_id")
    status = serializers.ChoiceField(choices=Signup.Status.choices)
    channel = serializers.ChoiceField(choices=Signup.Channel.choices)
    waitlist_position = serializers.IntegerField(
        allow_null=True, help_text="Place in the queue while waitlisted; otherwise null"
    )

    class Meta:
        model = Signup
        fields = [
            "id",
            "meal",
            "status",
            "party_size",
            "dietary_needs",
            "access_needs",
            "channel",
            "waitlist_position",
            "hold_expires_at",
            "created_at",
        ]


def signup_out(signup: Signup) -> dict:
    """SignupOut's answer, key for key, as a plain dict: the sign-up POST is the busiest write,
    and building a ModelSerializer's fields for one row costs more than its statement."""
    zone = timezone.get_current_timezone()
    return {
        "id": signup.pk,
        "meal": signup.meal_id,
        "status": signup.status,
        "party_size": signup.party_size,
        "dietary_needs": signup.dietary_needs,
        "access_needs": signup.access_needs,
        "channel": signup.channel,
        "waitlist_position": signup.waitlist_position,  # type: ignore[attr-defined]
        "hold_expires_at": datetime_out(signup.hold_expires_at, zone),
        "created_at": datetime_out(signup.created_at, zone),
    }


class MySignupOut(SignupOut):
    # One's own sign-ups name their meal in full where others' give its id.
    meal = MealOut()  # type: ignore[assignment]


class HostSignupOut(serializers.ModelSerializer):
    """What a host sees of a guest: first name, needs, and only a masked phone."""

    first_name = serializers.CharField(
        source="name_for_host",
        help_text="For a guest the host invited, the name the host typed; otherwise the "
        "person's own first name",
    )
    status = serializers.ChoiceField(choices=Signup.Status.choices)
    channel = serializers.ChoiceField(choices=Signup.Channel.choices)
    phone = serializers.SerializerMethodField(help_text="Masked: only the last three digits")
    waitlist_position = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Signup
        fields = [
            "id",
            "first_name",
            "phone",
            "party_size",
            "dietary_needs",
            "access_needs",
            "channel",
            "status",
            "waitlist_position",
            "hold_expires_at",
            "created_at",
        ]

    def get_phone(self, signup) -> str:
        return mask_phone(signup.person.phone)


class GuestIn(serializers.Serializer):
    phone = TextablePhoneField()
    name = serializers.CharField(max_length=80)
    party_size = serializers.IntegerField(min_value=1, max_value=6, default=1)


# ---------------------------------------------------------------- dishes and feedback


class CookOut(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()


class DishIn(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    story = serializers.CharField(max_length=1000, allow_blank=True, default="")
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=list(ALLERGENS)),
        max_length=len(ALLERGENS),
        default=list,
    )
    serves = serializers.IntegerField(min_value=1, max_value=200, default=4)
    vegetarian = serializers.BooleanField(default=False)
    vegan = serializers.BooleanField(default=False)


class DishOut(serializers.ModelSerializer):
    added_by = serializers.SerializerMethodField(
        help_text="Who brings it: shown to the host and to people coming; otherwise null"
    )
    allergens = serializers.ListField(child=serializers.ChoiceField(choices=list(ALLERGENS)))

    class Meta:
        model = Dish
        fields = [
            "id",
            "name",
            "story",
            "allergens",
            "serves",
            "vegetarian",
            "vegan",
            "added_by",
            "created_at",
        ]

    @extend_schema_field(CookOut(allow_null=True))
    def get_added_by(self, dish):
        return CookOut(dish.added_by).data if getattr(dish, "cook_shown", False) else None


class FeedbackIn(serializers.Serializer):
    felt_welcome = serializers.IntegerField(min_value=1, max_value=5)
    people_were_kind = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None
    )
    comment = serializers.CharField(max_length=1000, allow_blank=True, default="")


class FeedbackOut(serializers.ModelSerializer):
    meal = serializers.IntegerField(source="meal_id")

    class Meta:
        model = Feedback
        fields = ["id", "meal", "felt_welcome", "people_were_kind", "comment", "created_at"]

"""Meals over HTTP: separate In (parse) and Out (show) serializers; no business rules here."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import (
    AwareDateTimeField,
    PointField,
    TextablePhoneField,
    no_hidden_characters,
)
from api.pagination import PageSizeField
from meals.models import ALLERGENS, DIETARY_OPTIONS, Dish, Feedback, Meal, SafetyAnswer, Signup
from people.phones import mask_phone
from venues.models import Booking

MAX_CAPACITY = 500


# ---------------------------------------------------------------- query parameters


class PageQueryIn(serializers.Serializer):
    """Paging, checked so a bad value is a 400 rather than silently ignored."""

    page = serializers.IntegerField(required=False, min_value=1)
    page_size = PageSizeField(required=False)


class MealQueryIn(PageQueryIn):
    near = serializers.CharField(
        required=False, help_text="lat,lng, e.g. 55.6336,-4.7842; nearest first"
    )
    radius_km = serializers.FloatField(
        required=False, min_value=0.1, max_value=50, default=5, help_text="With near; max 50"
    )
    from_ = AwareDateTimeField(required=False, help_text="Starting at or after")
    to = AwareDateTimeField(required=False, help_text="Starting before")
    kind = serializers.ChoiceField(choices=Meal.Kind.choices, required=False)
    step_free = serializers.BooleanField(required=False)
    has_seats = serializers.BooleanField(required=False)
    dietary = serializers.ChoiceField(choices=list(DIETARY_OPTIONS), required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


# ---------------------------------------------------------------- meals


class PersonOut(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class MealVenueAccessOut(serializers.Serializer):
    step_free = serializers.BooleanField()
    accessible_toilet = serializers.BooleanField()
    hearing_loop = serializers.BooleanField()
    parking = serializers.BooleanField()


class VenueBriefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    accessibility = serializers.SerializerMethodField()

    def get_accessibility(self, venue) -> MealVenueAccessOut:
        return MealVenueAccessOut(venue).data


class MySignupBriefOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Signup.Status.choices)
    party_size = serializers.IntegerField()
    waitlist_position = serializers.IntegerField(allow_null=True)


class MealOut(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Meal.Kind.choices)
    setting = serializers.ChoiceField(choices=Meal.Setting.choices)
    status = serializers.ChoiceField(choices=Meal.Status.choices)
    food = serializers.ChoiceField(choices=Meal.Food.choices)
    repeats = serializers.ChoiceField(choices=Meal.Repeats.choices)
    dietary_options = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DIETARY_OPTIONS))
    )
    host = PersonOut()
    venue = VenueBriefOut(allow_null=True)
    booking = serializers.IntegerField(source="booking_id", allow_null=True)
    location = PointField()
    seats_left = serializers.IntegerField()
    waitlist_count = serializers.IntegerField()
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=list(ALLERGENS)),
        source="all_allergens",
        help_text="The host's and every dish's allergens together",
    )
    distance_m = serializers.SerializerMethodField(help_text="Only with near; otherwise null")
    my_signup = serializers.SerializerMethodField(help_text="My live sign-up, if I have one")

    class Meta:
        model = Meal
        fields = [
            "id",
            "code",
            "kind",
            "title",
            "description",
            "host",
            "starts_at",
            "ends_at",
            "setting",
            "venue",
            "booking",
            "location",
            "place_description",
            "on_road",
            "step_free",
            "capacity",
            "seats_taken",
            "seats_left",
            "waitlist_count",
            "status",
            "food",
            "repeats",
            "dietary_options",
            "allergens",
            "distance_m",
            "my_signup",
            "published_at",
            "cancelled_reason",
        ]

    def get_distance_m(self, meal) -> int | None:
        distance = getattr(meal, "distance_m", None)
        return None if distance is None else round(distance.m)

    @extend_schema_field(MySignupBriefOut(allow_null=True))
    def get_my_signup(self, meal):
        mine = getattr(meal, "viewer_signups", None)
        return MySignupBriefOut(mine[0]).data if mine else None


class MealPatchIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Meal.Kind.choices, required=False)
    title = serializers.CharField(max_length=80, required=False, validators=[no_hidden_characters])
    description = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, trim_whitespace=True
    )
    starts_at = AwareDateTimeField(required=False)
    ends_at = AwareDateTimeField(required=False)
    location = PointField(required=False)
    place_description = serializers.CharField(max_length=200, allow_blank=True, required=False)
    on_road = serializers.BooleanField(required=False)
    step_free = serializers.BooleanField(required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, required=False)
    food = serializers.ChoiceField(choices=Meal.Food.choices, required=False)
    repeats = serializers.ChoiceField(choices=Meal.Repeats.choices, required=False)
    dietary_options = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DIETARY_OPTIONS)),
        max_length=len(DIETARY_OPTIONS),
        required=False,
    )
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=list(ALLERGENS)),
        max_length=len(ALLERGENS),
        required=False,
        help_text="Allergens in what the host provides",
    )


@extend_schema_field(OpenApiTypes.INT)
class MyBookingField(serializers.PrimaryKeyRelatedField):
    """One of the signed-in person's own bookings."""

    def get_queryset(self):
        request = self.context.get("request")
        return Booking.objects.filter(requested_by=getattr(request, "user", None))


class MealIn(MealPatchIn):
    kind = serializers.ChoiceField(choices=Meal.Kind.choices)
    title = serializers.CharField(max_length=80, validators=[no_hidden_characters])
    setting = serializers.ChoiceField(choices=Meal.Setting.choices)
    booking = MyBookingField(
        required=False, allow_null=True, help_text="For setting=venue: one of my bookings"
    )
    starts_at = AwareDateTimeField(
        required=False, help_text="Required for street meals; defaults to the booking's start"
    )
    ends_at = AwareDateTimeField(
        required=False, help_text="Required for street meals; defaults to the booking's end"
    )
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY)


class PublishReasonOut(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[
            "prompt_unanswered",
            "stop_prompt_no",
            "booking_not_confirmed",
            "not_in_future",
            "not_draft",
        ]
    )
    key = serializers.CharField(required=False, help_text="The safety prompt, where one is meant")
    message = serializers.CharField()


class PublishErrorOut(serializers.Serializer):
    detail = serializers.CharField()
    reasons = PublishReasonOut(many=True)


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


# ---------------------------------------------------------------- safety


class SafetyAnswerIn(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    answer = serializers.ChoiceField(choices=SafetyAnswer.Answer.choices)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class SafetyIn(serializers.Serializer):
    answers = SafetyAnswerIn(many=True, max_length=30)


class SafetyOut(serializers.Serializer):
    key = serializers.CharField()
    version = serializers.IntegerField()
    question = serializers.CharField()
    guidance = serializers.CharField()
    level = serializers.ChoiceField(choices=["required", "advisory", "stop"])
    answer = serializers.ChoiceField(choices=SafetyAnswer.Answer.choices, allow_null=True)
    note = serializers.CharField()
    question_answered = serializers.CharField(
        allow_null=True, help_text="The wording as it was when answered"
    )
    answered_by = serializers.IntegerField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


# ---------------------------------------------------------------- sign-ups


class SignupIn(serializers.Serializer):
    party_size = serializers.IntegerField(min_value=1, max_value=6, default=1)
    dietary_needs = serializers.CharField(max_length=200, allow_blank=True, default="")
    access_needs = serializers.CharField(max_length=200, allow_blank=True, default="")


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


class MySignupOut(SignupOut):
    meal = MealOut()


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

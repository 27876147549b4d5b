"""Meal series and regulars over HTTP: In (parse) and Out (show) serializers only."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import LocalTimeField, PointField, no_hidden_characters
from api.serializers.meals import MAX_CAPACITY, MealPatchIn, PersonOut
from meals.models import ALLERGENS, DIETARY_OPTIONS, MAX_OCCURRENCES, Meal, MealSeries, Regular
from meals.recurrence import rule_words
from meals.services.seats import MAX_PARTY
from meals.services.series import TEMPLATE_FIELDS
from venues.models import Venue

NTH_CHOICES = [1, 2, 3, 4, -1]


class SeriesPatchIn(MealPatchIn):
    """What a meal takes, less its own times (a series has a wall-clock time and a length)."""

    start_time = LocalTimeField(required=False, help_text="London wall-clock time, HH:MM")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=720, required=False)

    def get_fields(self):
        fields = super().get_fields()
        for name in ("starts_at", "ends_at", "repeats"):
            fields.pop(name)
        return fields


class SeriesChangeIn(SeriesPatchIn):
    from_date = serializers.DateField(
        required=False, help_text="Change the dates from this one onward; default today"
    )


class SeriesIn(SeriesPatchIn):
    kind = serializers.ChoiceField(choices=Meal.Kind.choices)
    title = serializers.CharField(max_length=80, validators=[no_hidden_characters])
    setting = serializers.ChoiceField(choices=Meal.Setting.choices)
    venue = serializers.PrimaryKeyRelatedField(
        queryset=Venue.objects.active(),
        required=False,
        allow_null=True,
        help_text="For setting=venue: every date is asked for in one booking request",
    )
    location = PointField(required=False, help_text="Required for street")
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY)
    start_time = LocalTimeField(help_text="London wall-clock time, HH:MM; kept across BST/GMT")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=720)
    rule = serializers.ChoiceField(choices=MealSeries.Rule.choices)
    nth = serializers.ChoiceField(
        choices=NTH_CHOICES,
        required=False,
        allow_null=True,
        help_text="Monthly only: the 1st to 4th weekday of the month, or -1 for the last",
    )
    starts_on = serializers.DateField(help_text="The first date; every date falls on its weekday")
    until = serializers.DateField(
        required=False, allow_null=True, help_text="The last date; give this or count"
    )
    count = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_OCCURRENCES,
        help_text="How many times; give this or until",
    )


class OccurrenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    occurs_on = serializers.DateField()
    starts_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Meal.Status.choices)
    seats_left = serializers.IntegerField()


class ClashOut(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField()


class SeriesOut(serializers.ModelSerializer):
    host = PersonOut()
    venue = serializers.IntegerField(source="venue_id", allow_null=True)
    kind = serializers.ChoiceField(choices=Meal.Kind.choices)
    setting = serializers.ChoiceField(choices=Meal.Setting.choices)
    food = serializers.ChoiceField(choices=Meal.Food.choices)
    rule = serializers.ChoiceField(choices=MealSeries.Rule.choices)
    nth = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=MealSeries.Status.choices)
    location = PointField()
    start_time = LocalTimeField()
    dietary_options = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DIETARY_OPTIONS))
    )
    allergens = serializers.ListField(child=serializers.ChoiceField(choices=list(ALLERGENS)))
    rule_text = serializers.SerializerMethodField(help_text="e.g. 'every Wednesday'")
    regulars_count = serializers.IntegerField()
    my_regular = serializers.SerializerMethodField(help_text="My party if I come every time")
    upcoming = serializers.SerializerMethodField(help_text="The dates written so far to come")

    class Meta:
        model = MealSeries
        fields = [
            "id",
            "host",
            *TEMPLATE_FIELDS,
            "venue",
            "start_time",
            "duration_minutes",
            "rule",
            "nth",
            "rule_text",
            "starts_on",
            "until",
            "count",
            "status",
            "published_at",
            "ended_at",
            "regulars_count",
            "my_regular",
            "upcoming",
        ]

    def get_rule_text(self, series: MealSeries) -> str:
        return rule_words(series)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_my_regular(self, series: MealSeries) -> int | None:
        mine = getattr(series, "viewer_regulars", None)
        return mine[0].party_size if mine else None

    @extend_schema_field(OccurrenceOut(many=True))
    def get_upcoming(self, series: MealSeries) -> list:
        return list(OccurrenceOut(getattr(series, "upcoming_meals", []), many=True).data)


class RegularIn(serializers.Serializer):
    party_size = serializers.IntegerField(min_value=1, max_value=MAX_PARTY, default=1)


class RegularOut(serializers.Serializer):
    series = serializers.IntegerField(source="series_id")
    party_size = serializers.IntegerField()
    joined_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Regular.Channel.choices)
    signed_up = serializers.IntegerField(help_text="Dates written so far that I was signed up to")


class SeriesCreatedOut(SeriesOut):
    clashes = ClashOut(
        many=True, help_text="At a venue: the dates it could not give, left out of the series"
    )

    class Meta(SeriesOut.Meta):
        fields = [*SeriesOut.Meta.fields, "clashes"]

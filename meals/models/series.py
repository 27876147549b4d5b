"""A meal series (a lunch club that runs itself), its safety answers, and its regulars.

Each occurrence is a real `Meal` with `series` and `occurs_on` set; meals.recurrence says
which dates a series has, and meals.services.series writes them ahead.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils import timezone

from meals.models.meals import ALLERGEN_CHOICES, DIETARY_CHOICES, Meal, SafetyAnswer, SafetyPrompt
from meals.models.signups import Signup
from venues.models import SeriesBooking, Venue

# The furthest a series runs: 52 occurrences, or an end date within a year of its start.
MAX_OCCURRENCES = 52
MAX_SPAN_DAYS = 366
# "last" in a monthly rule.
LAST_WEEK = -1


class MealSeries(models.Model):
    class Rule(models.TextChoices):
        WEEKLY = "weekly"
        FORTNIGHTLY = "fortnightly"
        MONTHLY = "monthly", "monthly, on the nth weekday"

    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        ENDED = "ended"

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_series"
    )
    # The meal template every occurrence copies.
    kind = models.CharField(max_length=16, choices=Meal.Kind.choices)
    title = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    setting = models.CharField(max_length=8, choices=Meal.Setting.choices)
    # At a venue: one booking request for every date (each date its own Booking).
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="meal_series"
    )
    series_booking = models.OneToOneField(
        SeriesBooking, null=True, blank=True, on_delete=models.PROTECT, related_name="series"
    )
    location = models.PointField(geography=True, srid=4326, spatial_index=False)
    place_description = models.CharField(max_length=200, blank=True)
    on_road = models.BooleanField(default=False)
    step_free = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField()
    food = models.CharField(max_length=14, choices=Meal.Food.choices, default=Meal.Food.MIXED)
    dietary_options = ArrayField(
        models.CharField(max_length=20, choices=DIETARY_CHOICES), default=list, blank=True
    )
    allergens = ArrayField(
        models.CharField(max_length=12, choices=ALLERGEN_CHOICES), default=list, blank=True
    )
    # When: a London wall-clock time and a length, on the dates of the rule.
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    rule = models.CharField(max_length=12, choices=Rule.choices)
    # Monthly only: the 1st to 4th weekday of the month, or -1 for the last.
    nth = models.SmallIntegerField(null=True, blank=True)
    starts_on = models.DateField()
    until = models.DateField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped on every edit, so each occurrence rewritten gets its own texts.
    revision = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Not stored: set by series_create, the dates the venue could not give
    # (venues.services.Clash).
    clashes: list

    class Meta:
        verbose_name_plural = "meal series"
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) ^ Q(count__isnull=True),
                name="meals_series_one_end",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=1, count__lte=MAX_OCCURRENCES),
                name="meals_series_count_range",
            ),
            models.CheckConstraint(
                condition=(Q(rule="monthly") & Q(nth__in=[1, 2, 3, 4, LAST_WEEK]))
                | (~Q(rule="monthly") & Q(nth__isnull=True)),
                name="meals_series_nth_monthly",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="meals_series_capacity"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=720),
                name="meals_series_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.rule})"


class SeriesSafetyAnswer(models.Model):
    """The host's answer for the whole series, copied to each occurrence while the prompt's
    version stays the one answered."""

    series = models.ForeignKey(MealSeries, on_delete=models.CASCADE, related_name="safety_answers")
    prompt = models.ForeignKey(SafetyPrompt, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=40)
    question_asked = models.CharField(max_length=300)
    answer = models.CharField(max_length=16, choices=SafetyAnswer.Answer.choices)
    note = models.CharField(max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "key"], name="meals_series_one_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.answer} for series {self.series_id}"


class Regular(models.Model):
    """Someone who comes every time: signed up to each new occurrence, in `joined_at` order."""

    Channel = Signup.Channel  # how they joined, as for a sign-up

    series = models.ForeignKey(MealSeries, on_delete=models.CASCADE, related_name="regulars")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regular_of"
    )
    party_size = models.PositiveSmallIntegerField(default=1)
    channel = models.CharField(max_length=3, choices=Channel.choices, default=Channel.APP)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "person"], name="meals_one_regular"),
            models.CheckConstraint(
                condition=Q(party_size__gte=1) & Q(party_size__lte=6),
                name="meals_regular_party_1_to_6",
            ),
        ]
        indexes = [models.Index(fields=["series", "joined_at"], name="meals_regular_order_idx")]

    def __str__(self) -> str:
        return f"{self.person} every time at {self.series_id}"

"""A meal, and the safety prompts it shows (which ones, written once in SQL)."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.lookups import Exact, In
from django.utils import timezone

from venues.models import Booking, Organisation, Venue

# The UK's 14 allergens, as codes.
ALLERGENS = (
    "celery",
    "gluten",
    "crustaceans",
    "eggs",
    "fish",
    "lupin",
    "milk",
    "molluscs",
    "mustard",
    "tree_nuts",
    "peanuts",
    "sesame",
    "soya",
    "sulphites",
)
ALLERGEN_CHOICES = [(a, a.replace("_", " ")) for a in ALLERGENS]

DIETARY_OPTIONS = (
    "vegetarian",
    "vegan",
    "halal",
    "kosher",
    "gluten_free",
    "dairy_free",
    "soft_food",
)
DIETARY_CHOICES = [(d, d.replace("_", " ")) for d in DIETARY_OPTIONS]

# Share codes avoid 0/O and 1/I/L so they survive being read aloud or typed on a keypad.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class MealQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Meal.Status.PUBLISHED)

    def upcoming(self, now=None):
        return self.filter(starts_at__gt=now or timezone.now())

    def visible_to(self, viewer=None):
        """Meals that were ever published, plus the viewer's own. A meal never published
        (a draft, or a draft cancelled or left behind by its host) is its host's alone."""
        shown = Q(published_at__isnull=False) & ~Q(status=Meal.Status.DRAFT)
        if viewer is not None and viewer.is_authenticated:
            shown |= Q(host=viewer)
        return self.filter(shown)

    def with_safety_counts(self):
        """Each meal with `safety_due`, the required and stop prompts it shows, and
        `safety_unmet`, those that keep it from being published (unanswered, or a stop prompt
        answered no): the one count that publishing, the host's reminders and the admin use."""
        due = _shown(_outer(1), _outer(2)) & ~Q(level=SafetyPrompt.Level.ADVISORY)
        unmet = _unmet(_outer(1), _outer(2))
        return self.annotate(safety_due=_count(due), safety_unmet=_count(unmet))


class Meal(models.Model):
    class Kind(models.TextChoices):
        SHARED_LUNCH = "shared_lunch"
        STREET_TEA = "street_tea"
        HIGH_TEA = "high_tea"
        SUPPER = "supper"

    class Setting(models.TextChoices):
        VENUE = "venue"
        STREET = "street"

    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        CANCELLED = "cancelled"
        COMPLETED = "completed"

    class Food(models.TextChoices):
        HOST_PROVIDES = "host_provides"
        BRING_A_DISH = "bring_a_dish"
        MIXED = "mixed"

    class Repeats(models.TextChoices):
        ONCE = "once"
        WEEKLY = "weekly"
        MORE_OFTEN = "more_often"
        FORTNIGHTLY = "fortnightly"
        MONTHLY = "monthly"

    code = models.CharField(max_length=8, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_meals"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    setting = models.CharField(max_length=8, choices=Setting.choices)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="meals"
    )
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="meal"
    )
    # For venue meals a copy of the venue's point, so one GiST index serves "near me": the
    # partial one in Meta over published meals only (no index over every meal's location).
    location = models.PointField(geography=True, srid=4326, spatial_index=False)
    place_description = models.CharField(max_length=200, blank=True)
    on_road = models.BooleanField(default=False, help_text="A street tea on the carriageway itself")
    step_free = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField()
    seats_taken = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    food = models.CharField(max_length=14, choices=Food.choices, default=Food.MIXED)
    repeats = models.CharField(max_length=12, choices=Repeats.choices, default=Repeats.ONCE)
    dietary_options = ArrayField(
        models.CharField(max_length=20, choices=DIETARY_CHOICES), default=list, blank=True
    )
    allergens = ArrayField(
        models.CharField(max_length=12, choices=ALLERGEN_CHOICES),
        default=list,
        blank=True,
        help_text="The host's own declared allergens; dishes add theirs",
    )
    cancelled_reason = models.CharField(max_length=300, blank=True)
    # An occurrence of a series, on its London date; (series, occurs_on) is written once.
    series = models.ForeignKey(
        "meals.MealSeries",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occurrences",
    )
    occurs_on = models.DateField(null=True, blank=True)
    # Bumped on every change of time or place, so each change's texts get their own dedupe key.
    revision = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MealQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "starts_at"], name="meals_status_start_idx"),
            # "Near me" walks this nearest-first (KNN) and stops after a page; it holds only the
            # meals a search can find, not the ever-growing past ones. Written as an expression:
            # Django 5.2's PostGIS schema editor drops the condition of a spatial `fields=` index
            # (Django ticket #36694).
            GistIndex(
                F("location"), condition=Q(status="published"), name="meals_published_location_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="meals_no_overselling"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="meals_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meals_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["series", "occurs_on"],
                condition=Q(series__isnull=False),
                name="meals_one_occurrence_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def all_allergens(self) -> list[str]:
        """The host's declared allergens plus every dish's, in the UK 14's order."""
        from_dishes = getattr(self, "dish_allergens", None)
        if from_dishes is None:
            from_dishes = [a for dish in self.dishes.all() for a in dish.allergens]
        present = set(self.allergens) | set(from_dishes)
        return [a for a in ALLERGENS if a in present]


# A meal that is a draft or published can still change, and still needs its venue booking.
OPEN_STATUSES = (Meal.Status.DRAFT, Meal.Status.PUBLISHED)
# Any food arrangement counts: cooked by the host, brought by guests, or both.
FOOD_ARRANGEMENTS = (Meal.Food.HOST_PROVIDES, Meal.Food.BRING_A_DISH, Meal.Food.MIXED)
REGULAR = (Meal.Repeats.WEEKLY, Meal.Repeats.MORE_OFTEN)


# Which prompts a meal shows, written once in SQL for both uses: one meal in hand (prompts_for
# and publishing, even with changes not saved yet) and every meal of a query (the admin, the
# host's reminders). `meal(name)` gives the meal's setting, food, repeats, on_road,
# organisation or pk; `deeper(name)` the same from a subquery one level further in.
MealRef = Callable[[str], Any]


def _in_hand(meal: "Meal") -> MealRef:
    organisation = meal.venue.organisation_id if meal.venue is not None else None

    def value(name: str) -> Value:
        return Value(organisation if name == "organisation" else getattr(meal, name))

    return value


def _outer(depth: int) -> MealRef:
    """The meal row `depth` queries out: the one a Meal query annotates."""

    def ref(name: str) -> OuterRef:
        outer = OuterRef("venue__organisation_id" if name == "organisation" else name)
        for _ in range(depth - 1):
            outer = OuterRef(outer)
        return outer

    return ref


def _fits(meal: MealRef) -> Q:
    applies = SafetyPrompt.Applies
    street: Exact[str] = Exact(meal("setting"), Meal.Setting.STREET)
    food: In[str] = In(meal("food"), FOOD_ARRANGEMENTS)
    # django-stubs type Q & <lookup> as Combinable; Django makes it a Q (ticket #32455).
    return (Q(organisation=None) | Q(organisation=meal("organisation"))) & (  # type: ignore[return-value]
        Q(applies=applies.ALL)
        | (Q(applies=applies.FOOD) & food)
        | (Q(applies=applies.FOOD_REGULAR) & food & In(meal("repeats"), REGULAR))
        | (Q(applies=applies.STREET) & street)
        | (Q(applies=applies.STREET_ON_ROAD) & street & Exact(meal("on_road"), True))
        | (Q(applies=applies.VENUE) & Exact(meal("setting"), Meal.Setting.VENUE))
    )


def _shown(meal: MealRef, deeper: MealRef) -> Q:
    """The newest active version of each prompt that fits the meal."""
    versions = SafetyPrompt.objects.filter(_fits(deeper), active=True, key=OuterRef("key"))
    newer = versions.filter(version__gt=OuterRef("version"))
    # django-stubs type Q & Exists as Combinable; Django makes it a Q (ticket #32455).
    return Q(active=True) & _fits(meal) & ~Exists(newer)  # type: ignore[return-value]


def _unmet(meal: MealRef, deeper: MealRef) -> Q:
    """Shown prompts that keep the meal from being published: a required or stop prompt not
    answered, or a stop prompt answered no."""
    answers = SafetyAnswer.objects.filter(meal_id=deeper("pk"), key=OuterRef("key"))
    said_no = Exists(answers.filter(answer=SafetyAnswer.Answer.NO))
    unmet = ~Exists(answers) | (Q(level=SafetyPrompt.Level.STOP) & said_no)
    return _shown(meal, deeper) & ~Q(level=SafetyPrompt.Level.ADVISORY) & unmet


def _count(condition: Q) -> Subquery:
    prompts = SafetyPrompt.objects.filter(condition).order_by()
    return Subquery(prompts.annotate(n=Func("pk", function="COUNT")).values("n"))


class SafetyPromptQuerySet(models.QuerySet):
    def shown_for(self, meal: "Meal"):
        """The newest active version of each prompt that applies to `meal` as it is in memory
        (meals.safety.prompts_for then leaves out advisory ones over the setting's limit)."""
        return self.filter(_shown(_in_hand(meal), _in_hand(meal)))

    def unmet_for(self, meal: "Meal"):
        """The prompts that keep `meal` from being published, the ones
        Meal.objects.with_safety_counts counts; `said_no` marks a stop prompt answered no."""
        said_no = SafetyAnswer.objects.filter(
            meal_id=meal.pk, key=OuterRef("key"), answer=SafetyAnswer.Answer.NO
        )
        unmet = self.filter(_unmet(_in_hand(meal), _in_hand(meal)))
        return unmet.annotate(said_no=Exists(said_no))


class SafetyPrompt(models.Model):
    """One version of one prompt in the catalogue. Rewording makes a new version."""

    class Level(models.TextChoices):
        REQUIRED = "required"
        ADVISORY = "advisory"
        STOP = "stop"

    class Applies(models.TextChoices):
        ALL = "all"
        FOOD = "food"
        FOOD_REGULAR = "food_regular", "food, weekly or more"
        STREET = "street"
        STREET_ON_ROAD = "street_on_road", "street, on a road"
        VENUE = "venue"

    key = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    question = models.CharField(max_length=300)
    guidance = models.CharField(max_length=400, blank=True)
    level = models.CharField(max_length=8, choices=Level.choices)
    applies = models.CharField(max_length=16, choices=Applies.choices)
    # An organisation's own prompt, shown only for meals at its venues.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="safety_prompts"
    )
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    objects = SafetyPromptQuerySet.as_manager()

    class Meta:
        ordering = ["position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="meals_prompt_key_version"),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class SafetyAnswer(models.Model):
    class Answer(models.TextChoices):
        YES = "yes"
        NO = "no"
        NOT_APPLICABLE = "not_applicable"

    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="safety_answers")
    prompt = models.ForeignKey(SafetyPrompt, on_delete=models.PROTECT, related_name="answers")
    key = models.CharField(max_length=40)
    question_asked = models.CharField(max_length=300, help_text="The wording the host answered")
    answer = models.CharField(max_length=16, choices=Answer.choices)
    note = models.CharField(max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meal", "key"], name="meals_one_answer_per_prompt"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.answer} for {self.meal_id}"

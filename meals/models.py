from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Q
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
    # For venue meals a copy of the venue's point, so one GiST index serves "near me".
    location = models.PointField(geography=True, srid=4326)
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
    # Bumped on every change of time or place, so each change's texts get their own dedupe key.
    revision = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MealQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "starts_at"], name="meals_status_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="meals_no_overselling"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="meals_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meals_ends_after_start"
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


LIVE_SIGNUP_STATUSES = ("confirmed", "waitlisted", "invited")


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed"
        WAITLISTED = "waitlisted"
        INVITED = "invited"
        CANCELLED = "cancelled"
        ATTENDED = "attended"
        NO_SHOW = "no_show"

    class Channel(models.TextChoices):
        APP = "app"
        SMS = "sms"

    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signups"
    )
    party_size = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices)
    channel = models.CharField(max_length=3, choices=Channel.choices, default=Channel.APP)
    dietary_needs = models.CharField(max_length=200, blank=True)
    access_needs = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Waitlist order: first come, first served.
    queued_at = models.DateTimeField(default=timezone.now)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name the host typed for an invited guest; the host never sees the account's own name.
    guest_name = models.CharField(max_length=80, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["meal", "status", "queued_at"], name="meals_signup_queue_idx"),
            models.Index(fields=["person", "status"], name="meals_signup_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(party_size__gte=1) & Q(party_size__lte=6), name="meals_party_1_to_6"
            ),
            models.UniqueConstraint(
                fields=["meal", "person"],
                condition=Q(status__in=LIVE_SIGNUP_STATUSES),
                name="meals_one_live_signup",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} x{self.party_size} for {self.meal_id} ({self.status})"

    @property
    def name_for_host(self) -> str:
        """A guest the host invited goes by the name the host typed; others by their own."""
        if self.invited_by_id is not None:
            return self.guest_name
        return self.person.first_name


class Dish(models.Model):
    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="dishes")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dishes"
    )
    name = models.CharField(max_length=80)
    story = models.TextField(blank=True, max_length=1000)
    allergens = ArrayField(
        models.CharField(max_length=12, choices=ALLERGEN_CHOICES), default=list, blank=True
    )
    serves = models.PositiveSmallIntegerField(default=4)
    vegetarian = models.BooleanField(default=False)
    vegan = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    class Channel(models.TextChoices):
        APP = "app"
        SMS = "sms"

    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback"
    )
    felt_welcome = models.PositiveSmallIntegerField(null=True, blank=True)
    people_were_kind = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.CharField(max_length=1000, blank=True)
    channel = models.CharField(max_length=3, choices=Channel.choices, default=Channel.APP)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meal", "person"], name="meals_feedback_once"),
            models.CheckConstraint(
                condition=Q(felt_welcome__isnull=True)
                | Q(felt_welcome__gte=1, felt_welcome__lte=5),
                name="meals_felt_welcome_1_5",
            ),
            models.CheckConstraint(
                condition=Q(people_were_kind__isnull=True)
                | Q(people_were_kind__gte=1, people_were_kind__lte=5),
                name="meals_kind_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"feedback on {self.meal_id}"


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


class HostMessage(models.Model):
    """A host's text to everyone signed up; kept for rate limits and the record."""

    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="host_messages")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(max_length=320)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"message to meal {self.meal_id}"


class SmsThread(models.Model):
    """Per phone: the meal a YES or a digit refers to in the SMS conversation."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_thread"
    )
    meal = models.ForeignKey(
        Meal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    meal_set_at = models.DateTimeField(null=True, blank=True)
    feedback_meal = models.ForeignKey(
        Meal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback_asked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sms thread of {self.person_id}"

"""Sign-ups and what comes of them: dishes, feedback, the host's texts, SMS threads."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils import timezone

from meals.models.meals import ALLERGEN_CHOICES, Meal

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
            # The waiting parties of a meal, in queue order: counted for every meal of a page of
            # the nearby list, and a sign-up's place in the queue. Small: only waiting rows.
            models.Index(
                fields=["meal", "queued_at", "id"],
                condition=Q(status="waitlisted"),
                name="meals_signup_waiting_idx",
            ),
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


class HostMessage(models.Model):
    """A host's text to everyone signed up; kept for rate limits and the record."""

    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="host_messages")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(max_length=320)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Not stored: set on the message host_message_send returns, a count per reason of the
    # guests left out (notifications.services.UNREACHABLE_REASONS).
    not_sent: dict[str, int]

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


class GuestQuestion(models.Model):
    """A guest's text passed to the host by SMS, so the host can answer it by text.

    The words are not kept: only who asked about which meal, and when the host answered.
    """

    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="guest_questions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["meal", "asked_at"], name="meals_question_meal_idx")]

    def __str__(self) -> str:
        return f"question from {self.asked_by_id} about {self.meal_id}"

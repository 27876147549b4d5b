"""Lifts: neighbours who offer to drive, and guests who ask to be driven to a meal."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Q
from django.utils import timezone

from meals.models.meals import Meal
from meals.models.signups import Signup
from venues.models import Organisation

MAX_CAR_SEATS = 8
MAX_DRIVE_KM = 50
PICKUP_NOTE_MAX = 120


class Driver(models.Model):
    """Someone who offers lifts. They see requests only once an organisation has checked them
    (in Scotland, PVG membership), which its officer records in the admin."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="driver"
    )
    seats = models.PositiveSmallIntegerField(help_text="Passenger seats in the car")
    step_free = models.BooleanField(
        default=False, help_text="Someone who cannot manage a step can get in"
    )
    max_km = models.DecimalField(
        max_digits=4, decimal_places=1, help_text="How far from home they will go to pick up"
    )
    checked_by = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=MAX_CAR_SEATS), name="meals_driver_seats"
            ),
            models.CheckConstraint(
                condition=Q(max_km__gt=0, max_km__lte=MAX_DRIVE_KM), name="meals_driver_km"
            ),
            models.CheckConstraint(
                condition=Q(checked_at__isnull=True) | Q(checked_by__isnull=False),
                name="meals_driver_checked_by",
            ),
        ]

    def __str__(self) -> str:
        return f"driver {self.person}"

    @property
    def checked(self) -> bool:
        return self.checked_at is not None


LIVE_LIFT_STATUSES = ("open", "taken")


class Lift(models.Model):
    """A guest's request to be driven to a meal, and the driver who took it."""

    class Status(models.TextChoices):
        OPEN = "open"
        TAKEN = "taken"
        CANCELLED = "cancelled"

    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="lifts")
    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="lifts")
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lifts"
    )
    # The guest's coarse home (people.geo), never more precise than ~100 m.
    area = models.PointField(geography=True, srid=4326, spatial_index=False)
    # A street and door: shown to the driver who takes it until the meal ends, then blanked.
    pickup_note = models.CharField(max_length=PICKUP_NOTE_MAX, blank=True)
    passengers = models.PositiveSmallIntegerField(default=1)
    step_free = models.BooleanField(default=False, help_text="Needs a step-free car")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    driver = models.ForeignKey(
        Driver, null=True, blank=True, on_delete=models.SET_NULL, related_name="lifts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    taken_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the driver last texted the guest: the guest's replies reach the driver for 48 h.
    driver_texted_at = models.DateTimeField(null=True, blank=True)
    # When the host was told nobody had taken it, 24 h before: once per request.
    host_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Drivers walk the open requests nearest first; an expression, as the meal's own
            # partial GiST index is (Django ticket #36694).
            GistIndex(F("area"), condition=Q(status="open"), name="meals_lift_open_area_idx"),
            models.Index(fields=["driver", "meal", "status"], name="meals_lift_driver_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["signup"],
                condition=Q(status__in=LIVE_LIFT_STATUSES),
                name="meals_one_live_lift",
            ),
            models.CheckConstraint(
                condition=Q(status="taken", driver__isnull=False)
                | (~Q(status="taken") & Q(driver__isnull=True)),
                name="meals_lift_taken_has_driver",
            ),
            models.CheckConstraint(
                condition=Q(passengers__gte=1, passengers__lte=MAX_CAR_SEATS),
                name="meals_lift_passengers",
            ),
        ]

    def __str__(self) -> str:
        return f"lift for {self.guest_id} to {self.meal_id} ({self.status})"

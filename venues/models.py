from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db.models import F, Func, Q


class Organisation(models.Model):
    """A sponsor: a housing association, council, charity or community group."""

    class Kind(models.TextChoices):
        HOUSING_ASSOCIATION = "housing_association"
        COUNCIL = "council"
        CHARITY = "charity"
        COMMUNITY_GROUP = "community_group"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # The area it serves, for counting street meals in its reports.
    area = models.MultiPolygonField(srid=4326, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin"
        STAFF = "staff"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="venues_one_membership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role}) at {self.organisation}"


DEFAULT_HORIZON_DAYS = 183
MAX_HORIZON_DAYS = 730
DEFAULT_MIN_BOOKING_MINUTES = 30
MAX_BOOKING_MINUTES = 12 * 60
DEFAULT_MAX_BOOKINGS_PER_PERSON = 4


class VenueQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Venue(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY_HALL = "community_hall"
        COMMON_ROOM = "common_room"
        LIBRARY = "library"
        CHURCH_HALL = "church_hall"
        CAFE = "cafe"
        GARDEN = "garden"
        OTHER = "other"

    class BookingPolicy(models.TextChoices):
        AUTO_CONFIRM = "auto_confirm"
        APPROVAL = "approval"

    # The venue's yes/no features, named once: each is a BooleanField below; the API groups
    # them as `accessibility` and `facilities`.
    ACCESSIBILITY = ("step_free", "accessible_toilet", "hearing_loop", "parking")
    FACILITIES = ("kitchen", "tea_urn", "tables", "outdoor_space")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    address = models.CharField(max_length=250)
    location = models.PointField(geography=True, srid=4326)  # GiST-indexed by default
    capacity = models.PositiveIntegerField()
    step_free = models.BooleanField(default=False)
    accessible_toilet = models.BooleanField(default=False)
    hearing_loop = models.BooleanField(default=False)
    parking = models.BooleanField(default=False)
    kitchen = models.BooleanField(default=False)
    tea_urn = models.BooleanField(default=False)
    tables = models.BooleanField(default=True)
    outdoor_space = models.BooleanField(default=False)
    house_rules = models.TextField(blank=True)
    booking_policy = models.CharField(
        max_length=12, choices=BookingPolicy.choices, default=BookingPolicy.APPROVAL
    )
    min_notice_hours = models.PositiveIntegerField(default=48)
    # The venue's booking policy, so nobody can hold its whole calendar.
    booking_horizon_days = models.PositiveIntegerField(
        default=DEFAULT_HORIZON_DAYS, help_text="How far ahead a slot may start (about 6 months)"
    )
    min_booking_minutes = models.PositiveIntegerField(
        default=DEFAULT_MIN_BOOKING_MINUTES, help_text="The shortest slot that may be booked"
    )
    max_bookings_per_person = models.PositiveIntegerField(
        default=DEFAULT_MAX_BOOKINGS_PER_PERSON,
        help_text="Live bookings yet to start that one person may hold here",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="venues_capacity_positive"),
            models.CheckConstraint(
                condition=Q(
                    booking_horizon_days__gte=1, booking_horizon_days__lte=MAX_HORIZON_DAYS
                ),
                name="venues_booking_horizon_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    min_booking_minutes__gte=1, min_booking_minutes__lte=MAX_BOOKING_MINUTES
                ),
                name="venues_min_booking_range",
            ),
            models.CheckConstraint(
                condition=Q(max_bookings_per_person__gte=1), name="venues_bookings_per_person_min"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One weekly opening window; weekday 0 is Monday."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField()
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="venues_weekday_0_6"),
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")), name="venues_opens_before_closes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} day {self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


LIVE_BOOKING_STATUSES = ("requested", "confirmed")


class SeriesBooking(models.Model):
    """One request for every date of a meal series: each date is its own Booking (under the
    same exclusion constraint), and the venue's staff approve or decline them all at once."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="series_bookings")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="series_bookings"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.venue} series from {self.created_at:%Y-%m-%d}"


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested"
        CONFIRMED = "confirmed"
        DECLINED = "declined"
        CANCELLED = "cancelled"

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    note = models.CharField(max_length=500, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="booking_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # One date of a series' booking: decided together with the others.
    series_booking = models.ForeignKey(
        SeriesBooking, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )

    class Meta:
        indexes = [models.Index(fields=["venue", "starts_at"], name="venues_booking_venue_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="venues_booking_ends_after_start"
            ),
            # Double-booking is impossible: the database has the last word.
            ExclusionConstraint(
                name="venues_booking_no_overlap",
                expressions=[
                    ("venue", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=LIVE_BOOKING_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"

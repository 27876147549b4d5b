import datetime as dt
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.gis.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra: Any) -> "User":
        user = self.model(phone=phone, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person, known by their mobile number. SMS-only neighbours are users too."""

    phone = models.CharField(
        max_length=20, unique=True, null=True, blank=True, help_text="E.164, e.g. +447700900123"
    )
    display_name = models.CharField(max_length=80, blank=True)
    # Rounded to ~100 m on the way in (people.geo.coarse_point); never a doorstep.
    home_location = models.PointField(geography=True, srid=4326, null=True, blank=True)
    nudge_radius_km = models.DecimalField(max_digits=4, decimal_places=1, default=2)
    sms_nudges = models.BooleanField(default=False, help_text="Wants invitations to meals nearby")
    quiet_start = models.TimeField(default=dt.time(21, 0))
    quiet_end = models.TimeField(default=dt.time(9, 0))
    dietary_needs = models.CharField(max_length=200, blank=True)
    access_needs = models.CharField(max_length=200, blank=True)

    has_app = models.BooleanField(default=False, help_text="Has signed in to the app at least once")
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    phone_invalid = models.BooleanField(default=False)
    undelivered_streak = models.PositiveSmallIntegerField(default=0)
    sms_paused = models.BooleanField(default=False)

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # The stored half of the calendar feed's address (people.feeds); null until first asked for.
    calendar_key = models.CharField(max_length=32, unique=True, null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        indexes = [
            # The widest radius anyone wants invitations from, at a glance: a meal's
            # invitations look for neighbours within it through the GiST index on homes.
            models.Index(
                fields=["nudge_radius_km"],
                condition=models.Q(sms_nudges=True),
                name="people_nudge_radius_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or f"Person {self.pk}"

    @property
    def first_name(self) -> str:
        return (self.display_name or "").split(" ")[0]

    @property
    def can_receive_sms(self) -> bool:
        return bool(
            self.phone
            and self.is_active
            and self.sms_opted_out_at is None
            and not self.phone_invalid
            and not self.sms_paused
        )


class LoginCode(models.Model):
    """A one-time sign-in code; only its keyed hash is stored."""

    phone = models.CharField(max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "-created_at"], name="people_code_phone_idx")]

    def __str__(self) -> str:
        return f"code for {self.phone[-3:]} at {self.created_at:%Y-%m-%d %H:%M}"


class RateLimitHit(models.Model):
    """One request counted against a rate limit while Redis could not be reached.

    `key` is the limit's scope and a keyed hash of whom it counts (people.ratelimit), never a
    number or an address in the clear. Rows older than the longest window are deleted as
    new ones come.
    """

    key = models.CharField(max_length=100)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "-at"], name="people_ratelimit_key_idx"),
            models.Index(fields=["at"], name="people_ratelimit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key.split(':')[0]} at {self.at:%Y-%m-%d %H:%M:%S}"

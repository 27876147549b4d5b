"""Writing a meal: create, change, cancel, complete (publishing: meals.services.publishing)."""

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from meals.models import (
    ALLERGENS,
    CODE_ALPHABET,
    LIVE_SIGNUP_STATUSES,
    OPEN_STATUSES,
    Meal,
    Signup,
)
from meals.services.bookings import booking_cancel
from meals.services.errors import MealInvalid
from meals.services.fanout import signups_tell
from meals.services.lift_steps import lifts_release, lifts_taken_signup_ids, lifts_tell_moved
from meals.services.publishing import safety_reasons
from meals.services.seats import constraint_name, locked_meal, promote_waitlist
from meals.texts import meal_text_context, shorten
from people.errors import NotAllowed
from people.models import User
from people.unset import UNSET, Unset, given
from venues.models import LIVE_BOOKING_STATUSES, Booking, Venue

MAX_MEAL_LENGTH = dt.timedelta(hours=12)
CODE_CONSTRAINT = "meals_meal_code_key"
TIME_OR_PLACE = ("starts_at", "ends_at", "location", "place_description")
PROMPT_SHAPING = ("food", "repeats", "on_road")
# A venue meal takes these from its venue.
FROM_THE_VENUE = ("location", "on_road", "step_free")
# Queued texts a new time or place makes wrong (a lift's "pick you up about" too); reminders
# are rewritten for the new revision.
STALE_AFTER_MOVE = ["reminder_24h", "reminder_2h", "meal_invitation", "series_invitation"]
STALE_AFTER_MOVE += ["meal_changed", "lift_meal_moved", "lift_guest_meal_moved", "lift_taken"]


# ---------------------------------------------------------------- checks


def meal_times_check(*, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Raise MealInvalid unless a meal could run from `starts_at` to `ends_at` (also for a face
    that asks for the time before the meal exists)."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise MealInvalid({"starts_at": ["Give times with a UTC offset."]})
    if ends_at <= starts_at:
        raise MealInvalid({"ends_at": ["The meal must end after it starts."]})
    if ends_at - starts_at > MAX_MEAL_LENGTH:
        raise MealInvalid({"ends_at": ["A meal can be at most 12 hours long."]})
    if starts_at <= timezone.now():
        raise MealInvalid({"starts_at": ["That time has already passed."]})


def _check_booking_covers(
    *, booking: Booking, starts_at: dt.datetime, ends_at: dt.datetime
) -> None:
    if not (booking.starts_at <= starts_at and ends_at <= booking.ends_at):
        raise MealInvalid({"starts_at": ["The meal must fit inside your booking of the venue."]})


def _check_venue_capacity(*, capacity: int, venue: Venue) -> None:
    if capacity > venue.capacity:
        raise MealInvalid({"capacity": [f"{venue.name} seats at most {venue.capacity}."]})


def _check_street_place(*, place_description: str | None) -> None:
    if not (place_description or "").strip():
        raise MealInvalid({"place_description": ["Say where to find you."]})


def clean_allergens(values: Sequence[str], field: str = "allergens") -> list[str]:
    """The allergens given, in the UK 14's order; MealInvalid names any that is not one."""
    unknown = sorted(set(values) - set(ALLERGENS))
    if unknown:
        raise MealInvalid({field: [f"Not one of the 14 allergens: {', '.join(unknown)}."]})
    return [a for a in ALLERGENS if a in set(values)]


# ---------------------------------------------------------------- creating


def new_share_code() -> str:
    """4 characters (5 once 4 keep colliding), mixing letters and digits so no code is a word."""
    for attempt in range(40):
        length = 4 if attempt < 20 else 5
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if not (any(c.isdigit() for c in code) and any(c.isalpha() for c in code)):
            continue
        if not Meal.objects.filter(code=code).exists():
            return code
    raise AssertionError("no free share code after 40 tries")


def _take_booking(
    meal: Meal,
    booking: Booking | None,
    *,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
) -> None:
    """A venue meal is held on one live booking of the host's that no other meal has, and
    takes its times (unless given), the venue's point and its step-free flag."""
    if booking is None:
        raise MealInvalid({"booking": ["A meal at a venue needs one of your bookings."]})
    booking = Booking.objects.select_for_update().select_related("venue").get(pk=booking.pk)
    if booking.requested_by_id != meal.host_id:
        raise MealInvalid({"booking": ["Choose one of your own bookings."]})
    if booking.status not in LIVE_BOOKING_STATUSES:
        raise MealInvalid({"booking": [f"That booking is {booking.status}."]})
    if Meal.objects.filter(booking=booking).exists():
        raise MealInvalid({"booking": ["That booking already has a meal."]})
    meal.starts_at = booking.starts_at if starts_at is None else starts_at
    meal.ends_at = booking.ends_at if ends_at is None else ends_at
    _check_booking_covers(booking=booking, starts_at=meal.starts_at, ends_at=meal.ends_at)
    _check_venue_capacity(capacity=meal.capacity, venue=booking.venue)
    meal.venue, meal.booking = booking.venue, booking
    meal.location = booking.venue.location
    meal.step_free = booking.venue.step_free
    meal.on_road = False


def _place_street_meal(
    meal: Meal,
    booking: Booking | None,
    *,
    location: Point | None,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
) -> None:
    """A street meal has no booking, and needs a pin, words to find it by and its times."""
    if booking is not None:
        raise MealInvalid({"booking": ["A street meal has no venue booking."]})
    errors = {}
    if isinstance(location, Point):
        meal.location = location
    else:
        errors["location"] = ["Put a pin where the tea will be."]
    if not (meal.place_description or "").strip():
        errors["place_description"] = ["Say where to find you, e.g. 'outside number 12'."]
    if errors:
        raise MealInvalid(errors)
    if starts_at is None or ends_at is None:
        raise MealInvalid({"starts_at": ["Say when the meal starts and ends."]})
    meal.starts_at, meal.ends_at = starts_at, ends_at


def insert_with_new_code(meal: Meal) -> Meal:
    for _attempt in range(5):
        meal.code = new_share_code()
        try:
            with transaction.atomic():
                meal.save(force_insert=True)
                return meal
        except IntegrityError as exc:
            if constraint_name(exc) != CODE_CONSTRAINT:
                raise
    raise AssertionError("share code kept colliding")


@transaction.atomic
def meal_create(
    *,
    host: User,
    setting: str,
    kind: str,
    title: str,
    capacity: int,
    booking: Booking | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    description: str = "",
    location: Point | None = None,
    place_description: str = "",
    on_road: bool = False,
    step_free: bool = False,
    food: str = Meal.Food.MIXED,
    repeats: str = Meal.Repeats.ONCE,
    dietary_options: Sequence[str] = (),
    allergens: Sequence[str] = (),
) -> Meal:
    """A draft meal. A venue meal needs a live booking of the host's covering its time and
    takes the venue's point and step-free flag; a street meal needs a point and a place."""
    meal = Meal(
        host=host,
        setting=setting,
        kind=kind,
        title=title,
        capacity=capacity,
        description=description,
        place_description=place_description,
        on_road=on_road,
        step_free=step_free,
        food=food,
        repeats=repeats,
        dietary_options=list(dietary_options),
    )
    if setting == Meal.Setting.VENUE:
        _take_booking(meal, booking, starts_at=starts_at, ends_at=ends_at)
    elif setting == Meal.Setting.STREET:
        _place_street_meal(meal, booking, location=location, starts_at=starts_at, ends_at=ends_at)
    else:
        raise MealInvalid({"setting": ["Choose venue or street."]})
    meal_times_check(starts_at=meal.starts_at, ends_at=meal.ends_at)
    meal.allergens = clean_allergens(allergens)
    return insert_with_new_code(meal)


# ---------------------------------------------------------------- changing


def _check_host_may_change(meal: Meal, by: User) -> None:
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host can change this meal.")
    if meal.status not in OPEN_STATUSES:
        raise MealInvalid(f"This meal is {meal.status}; it can no longer be changed.")


def _check_place_change(meal: Meal, changes: dict[str, Any]) -> None:
    """A venue meal keeps the venue's point and access; a street meal keeps words to find it."""
    if meal.setting == Meal.Setting.VENUE:
        for name in FROM_THE_VENUE:
            if name in changes and changes[name] != getattr(meal, name):
                raise MealInvalid({name: ["A venue meal takes this from the venue."]})
    if meal.setting == Meal.Setting.STREET:
        _check_street_place(
            place_description=changes.get("place_description", meal.place_description)
        )


def _check_time_change(meal: Meal, changes: dict[str, Any]) -> None:
    if "starts_at" not in changes and "ends_at" not in changes:
        return
    starts_at = changes.get("starts_at", meal.starts_at)
    ends_at = changes.get("ends_at", meal.ends_at)
    meal_times_check(starts_at=starts_at, ends_at=ends_at)
    if meal.booking is not None:
        _check_booking_covers(booking=meal.booking, starts_at=starts_at, ends_at=ends_at)


def _check_capacity_change(meal: Meal, changes: dict[str, Any]) -> None:
    if "capacity" not in changes:
        return
    if changes["capacity"] < meal.seats_taken:
        raise MealInvalid({"capacity": [f"{meal.seats_taken} seats are already taken or held."]})
    if meal.venue is not None:
        _check_venue_capacity(capacity=changes["capacity"], venue=meal.venue)


def _changed(meal: Meal, changes: dict[str, Any], names: Sequence[str]) -> list[str]:
    return [n for n in names if n in changes and changes[n] != getattr(meal, n)]


def _check_still_safe(meal: Meal) -> None:
    """A published meal must still meet the safety prompts its new shape brings in."""
    unmet = safety_reasons(meal)
    if unmet:
        raise MealInvalid({"detail": "Answer the new safety questions first.", "reasons": unmet})


def _tell_moved(meal: Meal) -> None:
    """Everyone with a live sign-up hears the new time or place; what said the old is withdrawn."""
    live = meal.signups.filter(status__in=LIVE_SIGNUP_STATUSES).select_related("person")
    signups_tell(
        meal=meal,
        # Guests with a driver hear it with their new pick-up time (lifts_tell_moved).
        signups=live.exclude(pk__in=lifts_taken_signup_ids(meal)),
        template="meal_changed",
        context=meal_text_context(meal),
        dedupe_key=lambda signup: f"meal-changed:{meal.pk}:{meal.revision}:{signup.pk}",
        expires_at=meal.starts_at,
        withdraw_reason="meal moved",
        withdraw_templates=STALE_AFTER_MOVE,
    )
    lifts_tell_moved(meal)


def _change(*, meal: Meal, by: User, changes: dict[str, Any]) -> Meal:
    meal = locked_meal(meal)
    _check_host_may_change(meal, by)
    _check_place_change(meal, changes)
    if "allergens" in changes:
        changes["allergens"] = clean_allergens(changes["allergens"])
    _check_time_change(meal, changes)
    _check_capacity_change(meal, changes)
    published = meal.status == Meal.Status.PUBLISHED
    moved = published and bool(_changed(meal, changes, TIME_OR_PLACE))
    reshaped = published and bool(_changed(meal, changes, PROMPT_SHAPING))
    for name, value in changes.items():
        setattr(meal, name, value)
    if reshaped:
        _check_still_safe(meal)
    if moved:
        meal.revision += 1
    meal.save()
    if moved:
        _tell_moved(meal)
    promote_waitlist(meal)
    return meal


@transaction.atomic
def meal_update(
    *,
    meal: Meal,
    by: User,
    kind: str | Unset = UNSET,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    starts_at: dt.datetime | Unset = UNSET,
    ends_at: dt.datetime | Unset = UNSET,
    location: Point | Unset = UNSET,
    place_description: str | Unset = UNSET,
    on_road: bool | Unset = UNSET,
    step_free: bool | Unset = UNSET,
    capacity: int | Unset = UNSET,
    food: str | Unset = UNSET,
    repeats: str | Unset = UNSET,
    dietary_options: Sequence[str] | Unset = UNSET,
    allergens: Sequence[str] | Unset = UNSET,
) -> Meal:
    """The host changes a draft or published meal; only what is given changes. A new time or
    place for a published meal is texted to everyone with a live sign-up; more seats promote
    the waitlist."""
    changes = given(
        kind=kind,
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        place_description=place_description,
        on_road=on_road,
        step_free=step_free,
        capacity=capacity,
        food=food,
        repeats=repeats,
        dietary_options=dietary_options,
        allergens=allergens,
    )
    return _change(meal=meal, by=by, changes=changes)


# ---------------------------------------------------------------- cancelling and completing


@transaction.atomic
def meal_cancel(*, meal: Meal, by: User, reason: str = "") -> Meal:
    """The host calls a meal off: every live sign-up is cancelled and told, and the venue
    booking is released."""
    meal = locked_meal(meal)
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host can cancel this meal.")
    over = meal.status == Meal.Status.PUBLISHED and meal.ends_at <= timezone.now()
    if meal.status not in OPEN_STATUSES or over:
        raise MealInvalid(f"This meal is {meal.status}; it cannot be cancelled now.")
    was_published = meal.status == Meal.Status.PUBLISHED
    now = timezone.now()
    meal.status = Meal.Status.CANCELLED
    meal.cancelled_reason = reason.strip()
    meal.seats_taken = 0
    meal.save(update_fields=["status", "cancelled_reason", "seats_taken", "updated_at"])
    live = list(meal.signups.filter(status__in=LIVE_SIGNUP_STATUSES).select_related("person"))
    Signup.objects.filter(pk__in=[s.pk for s in live]).update(
        status=Signup.Status.CANCELLED, cancelled_at=now, hold_expires_at=None
    )
    short = shorten(meal.cancelled_reason, 50)
    # Withdrawn before the cancellation texts are written, so only they survive; a draft's
    # guests (invited, say) were never told of the meal and are not told now.
    signups_tell(
        meal=meal,
        signups=live if was_published else [],
        template="meal_cancelled",
        context={**meal_text_context(meal), "reason": f" Reason: {short}" if short else ""},
        dedupe_key=lambda signup: f"meal-cancelled:{meal.pk}:{signup.pk}",
        expires_at=meal.starts_at,
        withdraw_reason="meal cancelled",
    )
    # After the withdrawal above, which would take back the drivers' texts too.
    lifts_release(signups=live)
    if meal.booking is not None and meal.booking.status in LIVE_BOOKING_STATUSES:
        booking_cancel(booking=meal.booking, by=by)
    return meal


@transaction.atomic
def meals_complete_finished(*, now: dt.datetime | None = None) -> int:
    """Mark published meals that have ended as completed; returns how many."""
    now = now or timezone.now()
    return Meal.objects.filter(status=Meal.Status.PUBLISHED, ends_at__lte=now).update(
        status=Meal.Status.COMPLETED, updated_at=now
    )

"""The host changes a series from a date onward, or ends it (one date is cancelled as any
meal is: meals.services.meals.meal_cancel)."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, MealSeries, Regular, Signup
from meals.recurrence import occurrence_times, rule_short
from meals.services.bookings import booking_cancel
from meals.services.errors import SeriesInvalid
from meals.services.meals import clean_allergens, meal_cancel, meal_update
from meals.services.seats import drop_signup, locked_meal
from meals.services.series import TEMPLATE_FIELDS
from meals.services.series_rows import (
    check_ends_by_midnight,
    check_series_host,
    locked_series,
    london_today,
    open_occurrences,
)
from meals.texts import shorten
from notifications.services import Outgoing, notify_many
from people.models import User
from people.unset import UNSET, Unset, given
from venues.models import LIVE_BOOKING_STATUSES, Booking

ENDED_REASON = "The host has ended this series."
# What meal_update takes as it is (a meal never changes setting); the time is per date.
MEAL_FIELDS = tuple(name for name in TEMPLATE_FIELDS if name != "setting")


def _occurrence_changes(series: MealSeries, changes: dict[str, Any], day: dt.date) -> dict:
    out = {name: value for name, value in changes.items() if name in MEAL_FIELDS}
    if "start_time" in changes or "duration_minutes" in changes:
        out["starts_at"], out["ends_at"] = occurrence_times(
            day=day, start_time=series.start_time, duration_minutes=series.duration_minutes
        )
    return out


def _check_venue_changes(series: MealSeries, changes: dict[str, Any]) -> None:
    """A venue series takes its place from the venue and seats no more than it holds, even
    when no date is written yet for meal_update to check."""
    venue = series.venue
    if venue is None:
        return
    errors = {
        name: ["A venue series takes this from the venue."]
        for name in ("location", "on_road", "step_free")
        if name in changes
    }
    if changes.get("capacity", 0) > venue.capacity:
        errors["capacity"] = [f"{venue.name} seats at most {venue.capacity}."]
    if errors:
        raise SeriesInvalid(errors)


@transaction.atomic
def series_update(
    *,
    series: MealSeries,
    by: User,
    from_date: dt.date | None = None,
    kind: str | Unset = UNSET,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    location: Point | Unset = UNSET,
    place_description: str | Unset = UNSET,
    on_road: bool | Unset = UNSET,
    step_free: bool | Unset = UNSET,
    capacity: int | Unset = UNSET,
    food: str | Unset = UNSET,
    dietary_options: Sequence[str] | Unset = UNSET,
    allergens: Sequence[str] | Unset = UNSET,
    start_time: dt.time | Unset = UNSET,
    duration_minutes: int | Unset = UNSET,
) -> MealSeries:
    """Change the series from `from_date` (default: today) onward. Each occurrence from then
    that can still change is changed as a meal is (meal_update): guests of a published one
    hear of a new time or place, and new safety prompts must be answered first; occurrences
    written later copy the series as it now is."""
    changes = given(
        kind=kind,
        title=title,
        description=description,
        location=location,
        place_description=place_description,
        on_road=on_road,
        step_free=step_free,
        capacity=capacity,
        food=food,
        dietary_options=dietary_options,
        allergens=allergens,
        start_time=start_time,
        duration_minutes=duration_minutes,
    )
    series = locked_series(series)
    check_series_host(series, by, "change")
    if "allergens" in changes:
        changes["allergens"] = clean_allergens(changes["allergens"])
    if "start_time" in changes:
        changes["start_time"] = changes["start_time"].replace(second=0, microsecond=0)
    if "place_description" in changes and not changes["place_description"].strip():
        raise SeriesInvalid({"place_description": ["Say where to find you."]})
    _check_venue_changes(series, changes)
    check_ends_by_midnight(
        start_time=changes.get("start_time", series.start_time),
        duration_minutes=changes.get("duration_minutes", series.duration_minutes),
    )
    for name, value in changes.items():
        setattr(series, name, value)
    series.revision += 1
    series.save(update_fields=[*changes, "revision"])
    for meal in open_occurrences(series, on_or_after=from_date or london_today()):
        meal_update(meal=meal, by=by, **_occurrence_changes(series, changes, meal.occurs_on))
    return series


def _drop_regulars(series: MealSeries, meal_pks: list[int]) -> None:
    """Regulars' places at the dates being cancelled go quietly: they get one text instead."""
    regulars = Regular.objects.filter(series=series).values("person_id")
    for pk in meal_pks:
        meal = locked_meal(series.occurrences.get(pk=pk))
        signups = Signup.objects.filter(
            meal=meal, status__in=LIVE_SIGNUP_STATUSES, person_id__in=regulars
        ).select_related("person")
        for signup in signups:
            drop_signup(meal, signup)


def _release_unused_bookings(series: MealSeries, by: User) -> None:
    """At a venue, the dates booked beyond those written as meals are given back too."""
    if series.series_booking_id is None:
        return
    unused = Booking.objects.filter(
        series_booking_id=series.series_booking_id,
        status__in=LIVE_BOOKING_STATUSES,
        meal__isnull=True,
    ).order_by("pk")
    for booking in unused:
        booking_cancel(booking=booking, by=by)


@transaction.atomic
def series_end(*, series: MealSeries, by: User) -> MealSeries:
    """End the series: no more dates are written, every date yet to come is cancelled (those
    signed up for one date are told as for any cancelled meal, and its venue booking released
    with those of dates not written yet) and each regular gets one text."""
    series = locked_series(series)
    check_series_host(series, by, "end")
    series.status = MealSeries.Status.ENDED
    series.ended_at = timezone.now()
    series.save(update_fields=["status", "ended_at"])
    meal_pks = list(open_occurrences(series).values_list("pk", flat=True))
    _drop_regulars(series, meal_pks)
    for pk in meal_pks:
        meal_cancel(meal=series.occurrences.get(pk=pk), by=by, reason=ENDED_REASON)
    _release_unused_bookings(series, by)
    regulars = Regular.objects.filter(series=series).select_related("person").order_by("pk")
    context = {
        "meal": shorten(series.title, 32),
        "every": rule_short(series),
        "host": shorten(series.host.first_name or "Your neighbour", 14),
    }
    notify_many(
        template="series_ended",
        items=[
            Outgoing(
                recipient=r.person, context=context, dedupe_key=f"series-ended:{series.pk}:{r.pk}"
            )
            for r in regulars
        ],
    )
    return series

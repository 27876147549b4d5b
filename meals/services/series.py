"""A meal series: creating it, writing its occurrences ahead, publishing, changing and ending.

Occurrences are real meals with `series` and `occurs_on`; the unique constraint
`meals_one_occurrence_per_date` makes writing them idempotent. Each is built from its London
date and the series' wall-clock time (meals.recurrence). Regulars: meals.services.regulars.
"""

import datetime as dt
from collections.abc import Sequence

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from meals.models import MAX_OCCURRENCES, Meal, MealSeries
from meals.models.series import LAST_WEEK, MAX_SPAN_DAYS
from meals.recurrence import dates_of, occurrence_times
from meals.services.errors import CannotPublish, SeriesInvalid
from meals.services.meals import clean_allergens, insert_with_new_code
from meals.services.publishing import meal_publish
from meals.services.regulars import regulars_seat
from meals.services.seats import constraint_name
from meals.services.series_rows import (
    check_ends_by_midnight,
    locked_series,
    london_today,
    open_occurrences,
    repeats_of,
)
from meals.services.series_safety import series_answers_copy
from people.errors import NotAllowed
from people.models import User
from venues.models import LIVE_BOOKING_STATUSES, Booking, Venue
from venues.services import Clash, series_booking_request

# Occurrences are written this far ahead, by series_create and then by the beat task.
WINDOW = dt.timedelta(weeks=8)
OCCURRENCE_CONSTRAINT = "meals_one_occurrence_per_date"
# What an occurrence copies from its series as it is.
TEMPLATE_FIELDS = (
    "kind",
    "title",
    "description",
    "setting",
    "location",
    "place_description",
    "on_road",
    "step_free",
    "capacity",
    "food",
    "dietary_options",
    "allergens",
)


# ---------------------------------------------------------------- checks


def _check_rule(*, rule: str, nth: int | None) -> None:
    if rule not in MealSeries.Rule.values:
        raise SeriesInvalid({"rule": ["Choose weekly, fortnightly or monthly."]})
    if rule == MealSeries.Rule.MONTHLY and nth not in (1, 2, 3, 4, LAST_WEEK):
        raise SeriesInvalid(
            {"nth": ["Choose the first to fourth, or the last, weekday of the month."]}
        )
    if rule != MealSeries.Rule.MONTHLY and nth is not None:
        raise SeriesInvalid({"nth": ["Only a monthly series takes a week of the month."]})


def _check_end(*, starts_on: dt.date, until: dt.date | None, count: int | None) -> None:
    if (until is None) == (count is None):
        raise SeriesInvalid(
            {"until": ["Say when the series ends: give either an end date or a number of times."]}
        )
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise SeriesInvalid({"count": [f"A series runs 1 to {MAX_OCCURRENCES} times."]})
    if until is not None and until < starts_on:
        raise SeriesInvalid({"until": ["The series must end on or after its first date."]})
    if until is not None and (until - starts_on).days > MAX_SPAN_DAYS:
        raise SeriesInvalid({"until": ["A series can run for at most a year; start another."]})


def _check_when(*, starts_on: dt.date, start_time: dt.time, duration_minutes: int) -> None:
    if starts_on < london_today():
        raise SeriesInvalid({"starts_on": ["That date has already passed."]})
    if (starts_on - london_today()).days > MAX_SPAN_DAYS:
        raise SeriesInvalid({"starts_on": ["Start the series within a year from today."]})
    if not 15 <= duration_minutes <= 12 * 60:
        raise SeriesInvalid({"duration_minutes": ["A meal lasts 15 minutes to 12 hours."]})
    check_ends_by_midnight(start_time=start_time, duration_minutes=duration_minutes)


def _check_street(*, location: Point | None, place_description: str) -> Point:
    errors = {}
    if not isinstance(location, Point):
        errors["location"] = ["Put a pin where the meal will be."]
    if not place_description.strip():
        errors["place_description"] = ["Say where to find you, e.g. 'outside number 12'."]
    if errors or not isinstance(location, Point):
        raise SeriesInvalid(errors)
    return location


def _check_venue(*, venue: Venue | None, capacity: int) -> Venue:
    if venue is None:
        raise SeriesInvalid({"venue": ["Choose the venue the series is at."]})
    if capacity > venue.capacity:
        raise SeriesInvalid({"capacity": [f"{venue.name} seats at most {venue.capacity}."]})
    return venue


def _has_a_date_to_come(series: MealSeries) -> bool:
    """Whether the series' last date is still to start (a start beyond the first 8 weeks has
    no date written yet, and is still a series)."""
    days = list(dates_of(series))
    if not days:
        return False
    starts_at, _ends_at = occurrence_times(
        day=days[-1], start_time=series.start_time, duration_minutes=series.duration_minutes
    )
    return starts_at > timezone.now()


def _book_the_dates(series: MealSeries, venue: Venue) -> list[Clash]:
    """One request to the venue for every date of the series; the clashes it could not give."""
    slots = [
        occurrence_times(
            day=day, start_time=series.start_time, duration_minutes=series.duration_minutes
        )
        for day in dates_of(series)
    ]
    group, _booked, clashes = series_booking_request(venue=venue, person=series.host, slots=slots)
    series.series_booking = group
    series.save(update_fields=["series_booking"])
    return clashes


# ---------------------------------------------------------------- occurrences


def _occurrence(series: MealSeries, day: dt.date) -> Meal:
    starts_at, ends_at = occurrence_times(
        day=day, start_time=series.start_time, duration_minutes=series.duration_minutes
    )
    meal = Meal(
        host=series.host,
        series=series,
        occurs_on=day,
        starts_at=starts_at,
        ends_at=ends_at,
        repeats=repeats_of(series),
    )
    for name in TEMPLATE_FIELDS:
        setattr(meal, name, getattr(series, name))
    meal.venue_id = series.venue_id
    return meal


def _bookings_by_start(series: MealSeries) -> dict[dt.datetime, Booking] | None:
    """A venue series' live bookings by their start; None for a street series."""
    if series.series_booking_id is None:
        return None
    live = Booking.objects.filter(
        series_booking_id=series.series_booking_id, status__in=LIVE_BOOKING_STATUSES
    )
    return {booking.starts_at: booking for booking in live}


def _insert_occurrence(meal: Meal) -> Meal | None:
    """The new occurrence, or None if that date of the series is already written."""
    try:
        with transaction.atomic():
            return insert_with_new_code(meal)
    except IntegrityError as exc:
        if constraint_name(exc) != OCCURRENCE_CONSTRAINT:
            raise
        return None


def _open_up(series: MealSeries, meal: Meal) -> None:
    """Publish a new occurrence of a published series with the series' safety answers, and
    seat its regulars; one a changed prompt holds back stays a draft (its host is reminded)."""
    series_answers_copy(series=series, meal=meal)
    try:
        with transaction.atomic():
            meal_publish(meal=meal, by=series.host)
    except CannotPublish:
        return
    regulars_seat(meal=meal)


@transaction.atomic
def series_occurrences_write(*, series: MealSeries, now: dt.datetime | None = None) -> list[Meal]:
    """Write the occurrences of the next 8 weeks that are not written yet; returns the new
    ones. Running it again writes nothing. Takes the series row lock."""
    now = now or timezone.now()
    series = locked_series(series)
    if series.status == MealSeries.Status.ENDED:
        return []
    horizon = london_today(now) + WINDOW
    written = set(series.occurrences.values_list("occurs_on", flat=True))
    booked = _bookings_by_start(series)
    new = []
    for day in dates_of(series):
        if day > horizon:
            break
        meal = _occurrence(series, day)
        if day in written or meal.starts_at <= now:
            continue
        if booked is not None:
            # A date the venue could not give was listed when the series was made.
            meal.booking = booked.get(meal.starts_at)
            if meal.booking is None:
                continue
        inserted = _insert_occurrence(meal)
        if inserted is not None:
            new.append(inserted)
            if series.status == MealSeries.Status.PUBLISHED:
                _open_up(series, inserted)
    return new


def series_windows_extend(*, now: dt.datetime | None = None) -> int:
    """The beat task: every series still running gets its next 8 weeks written."""
    running = MealSeries.objects.exclude(status=MealSeries.Status.ENDED).order_by("pk")
    return sum(len(series_occurrences_write(series=s, now=now)) for s in running)


# ---------------------------------------------------------------- creating and publishing


@transaction.atomic
def series_create(
    *,
    host: User,
    setting: str,
    kind: str,
    title: str,
    capacity: int,
    start_time: dt.time,
    duration_minutes: int,
    rule: str,
    starts_on: dt.date,
    nth: int | None = None,
    until: dt.date | None = None,
    count: int | None = None,
    location: Point | None = None,
    venue: Venue | None = None,
    place_description: str = "",
    description: str = "",
    on_road: bool = False,
    step_free: bool = False,
    food: str = Meal.Food.MIXED,
    dietary_options: Sequence[str] = (),
    allergens: Sequence[str] = (),
) -> MealSeries:
    """A draft series and its first 8 weeks of draft occurrences. At a venue, one booking
    request covers every date; the dates it could not give are on `series.clashes` and get no
    meal. Raises SeriesInvalid (400) for a series with no end (or two), a monthly rule on no
    real week, or a bad place, and BookingInvalid (400) when the venue can give no date."""
    _check_rule(rule=rule, nth=nth)
    _check_end(starts_on=starts_on, until=until, count=count)
    _check_when(starts_on=starts_on, start_time=start_time, duration_minutes=duration_minutes)
    if setting == Meal.Setting.VENUE:
        venue = _check_venue(venue=venue, capacity=capacity)
        point, on_road, step_free = venue.location, False, venue.step_free
    elif setting == Meal.Setting.STREET:
        venue = None
        point = _check_street(location=location, place_description=place_description)
    else:
        raise SeriesInvalid({"setting": ["Choose venue or street."]})
    series = MealSeries.objects.create(
        host=host,
        venue=venue,
        setting=setting,
        kind=kind,
        title=title,
        capacity=capacity,
        start_time=start_time.replace(second=0, microsecond=0),
        duration_minutes=duration_minutes,
        rule=rule,
        nth=nth,
        starts_on=starts_on,
        until=until,
        count=count,
        location=point,
        place_description=place_description,
        description=description,
        on_road=on_road,
        step_free=step_free,
        food=food,
        dietary_options=list(dietary_options),
        allergens=clean_allergens(allergens),
    )
    series.clashes = _book_the_dates(series, venue) if venue is not None else []
    series_occurrences_write(series=series)
    if not _has_a_date_to_come(series):
        raise SeriesInvalid({"starts_on": ["None of the series' dates is still to come."]})
    return series


@transaction.atomic
def series_publish(*, series: MealSeries, by: User) -> MealSeries:
    """Publish every occurrence written so far, each with the series' safety answers; raises
    CannotPublish (400) with the first occurrence's reasons if any cannot be."""
    series = locked_series(series)
    if series.host_id != by.pk:
        raise NotAllowed("Only the host can publish this series.")
    if series.status != MealSeries.Status.DRAFT:
        reason = {"code": "not_draft", "message": f"This series is {series.status}."}
        raise CannotPublish({"detail": CannotPublish.default_detail, "reasons": [reason]})
    for meal in open_occurrences(series).filter(status=Meal.Status.DRAFT):
        series_answers_copy(series=series, meal=meal)
        meal_publish(meal=meal, by=by)
    series.status = MealSeries.Status.PUBLISHED
    series.published_at = timezone.now()
    series.save(update_fields=["status", "published_at"])
    return series

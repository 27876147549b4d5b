"""Steps every series service shares: the series row lock, its open occurrences, the
repeats label its occurrences carry, London's date, and the checks of who and when."""

import datetime as dt

from django.utils import timezone

from meals.models import OPEN_STATUSES, Meal, MealSeries
from meals.services.errors import SeriesInvalid
from people.errors import NotAllowed
from people.models import User

# The label that shapes the safety prompts (the food-registration one: weekly or more).
REPEATS = {
    MealSeries.Rule.WEEKLY: Meal.Repeats.WEEKLY,
    MealSeries.Rule.FORTNIGHTLY: Meal.Repeats.FORTNIGHTLY,
    MealSeries.Rule.MONTHLY: Meal.Repeats.MONTHLY,
}


def london_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now()).date()


def repeats_of(series: MealSeries) -> str:
    return REPEATS[MealSeries.Rule(series.rule)]


def locked_series(series: MealSeries) -> MealSeries:
    """The series again, its row locked until the transaction ends. Lock order: the series,
    then its occurrences' meal rows."""
    return (
        MealSeries.objects.select_for_update(of=("self",)).select_related("host").get(pk=series.pk)
    )


def open_occurrences(series: MealSeries, *, on_or_after: dt.date | None = None):
    """The occurrences yet to start that can still change, soonest first."""
    found = series.occurrences.filter(status__in=OPEN_STATUSES, starts_at__gt=timezone.now())
    if on_or_after is not None:
        found = found.filter(occurs_on__gte=on_or_after)
    return found.select_related("host", "venue").order_by("starts_at")


def check_ends_by_midnight(*, start_time: dt.time, duration_minutes: int) -> None:
    """A date of a series ends on the London day it starts (at midnight at the latest)."""
    if start_time.hour * 60 + start_time.minute + duration_minutes > 24 * 60:
        raise SeriesInvalid(
            {"duration_minutes": ["A date of a series must end by midnight on the day it starts."]}
        )


def check_series_host(series: MealSeries, by: User, doing: str) -> None:
    """Only the host changes a series, and not once it has ended."""
    if series.host_id != by.pk:
        raise NotAllowed(f"Only the host can {doing} this series.")
    if series.status == MealSeries.Status.ENDED:
        raise SeriesInvalid("This series has ended.")

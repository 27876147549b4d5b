"""Which dates a series has, and when each occurrence starts: pure functions of the rule.

Dates are London dates and the start is the London wall-clock time on that date, so a 12:30
lunch stays at 12:30 across the changes to and from British Summer Time.
"""

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings

from meals.models.series import LAST_WEEK, MAX_OCCURRENCES, MealSeries

WEEK = dt.timedelta(days=7)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", LAST_WEEK: "last"}


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The nth (1-4, or LAST_WEEK) `weekday` of a month."""
    if nth == LAST_WEEK:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        last = following - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7) + WEEK * (nth - 1)


def _monthly(starts_on: dt.date, nth: int) -> Iterator[dt.date]:
    year, month = starts_on.year, starts_on.month
    while True:
        day = _nth_weekday(year, month, starts_on.weekday(), nth)
        if day >= starts_on:
            yield day
        year, month = year + month // 12, month % 12 + 1


def _every(starts_on: dt.date, step: dt.timedelta) -> Iterator[dt.date]:
    day = starts_on
    while True:
        yield day
        day += step


def series_dates(
    *,
    rule: str,
    starts_on: dt.date,
    nth: int | None = None,
    until: dt.date | None = None,
    count: int | None = None,
) -> Iterator[dt.date]:
    """Every date of the series in order: on the weekday of `starts_on`, from it, until
    `until` (inclusive) or for `count` dates, and never more than MAX_OCCURRENCES."""
    if rule == MealSeries.Rule.MONTHLY:
        dates = _monthly(starts_on, nth or 1)
    else:
        dates = _every(starts_on, WEEK * (2 if rule == MealSeries.Rule.FORTNIGHTLY else 1))
    limit = min(count or MAX_OCCURRENCES, MAX_OCCURRENCES)
    for index, day in enumerate(dates):
        if index >= limit or (until is not None and day > until):
            return
        yield day


def dates_of(series: MealSeries) -> Iterator[dt.date]:
    return series_dates(
        rule=series.rule,
        starts_on=series.starts_on,
        nth=series.nth,
        until=series.until,
        count=series.count,
    )


def occurrence_times(
    *, day: dt.date, start_time: dt.time, duration_minutes: int
) -> tuple[dt.datetime, dt.datetime]:
    """When the occurrence on London date `day` starts and ends, as aware times in UTC.

    A wall time the clocks skip (01:30 on the March day) is read with the offset before the
    change, so it starts an hour later by the clock (02:30 BST); one they repeat (01:30 on
    the October day) is the first of the two. The length is real minutes, not wall-clock ones,
    so a meal across a change still lasts `duration_minutes`. UTC, because Python never
    equates a London time in the repeated hour with the same moment in another zone.
    """
    wall = dt.datetime.combine(day, start_time, tzinfo=ZoneInfo(settings.TIME_ZONE))
    starts_at = wall.astimezone(dt.UTC)
    return starts_at, starts_at + dt.timedelta(minutes=duration_minutes)


def rule_words(series: MealSeries) -> str:
    """'every Wednesday', 'every other Wednesday', 'the second Wednesday of the month'."""
    day = WEEKDAYS[series.starts_on.weekday()]
    if series.rule == MealSeries.Rule.WEEKLY:
        return f"every {day}"
    if series.rule == MealSeries.Rule.FORTNIGHTLY:
        return f"every other {day}"
    return f"the {NTH_WORDS[series.nth or 1]} {day} of the month"


def rule_short(series: MealSeries) -> str:
    """The same for a text: 'Wed', 'other Wed', '2nd Wed', 'last Wed'."""
    day = WEEKDAYS[series.starts_on.weekday()][:3]
    if series.rule == MealSeries.Rule.WEEKLY:
        return day
    if series.rule == MealSeries.Rule.FORTNIGHTLY:
        return f"other {day}"
    nth = series.nth or 1
    return f"last {day}" if nth == LAST_WEEK else f"{('1st', '2nd', '3rd', '4th')[nth - 1]} {day}"

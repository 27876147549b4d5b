import datetime as dt

import pytest
import time_machine

from meals.models import Meal, MealSeries, SafetyAnswer
from meals.recurrence import series_dates
from meals.services.errors import SeriesInvalid
from meals.services.series import series_windows_extend
from tests.clock import LONDON, london
from tests.meals.series_helpers import make_series, published_series

pytestmark = pytest.mark.django_db

# Wednesday 14 October 2026; the clocks go back on Sunday 25 October.
BEFORE_THE_CHANGE = dt.date(2026, 10, 14)


def _local(meal: Meal) -> tuple[dt.date, dt.time]:
    local = meal.starts_at.astimezone(LONDON)
    return local.date(), local.time()


@pytest.mark.clock("09:00", on=BEFORE_THE_CHANGE)
def test_a_weekly_lunch_stays_at_half_past_twelve_across_the_october_change(host):
    series = make_series(host, starts_on=dt.date(2026, 10, 21), count=3)

    meals = list(series.occurrences.order_by("starts_at"))

    assert [_local(m) for m in meals] == [
        (dt.date(2026, 10, 21), dt.time(12, 30)),
        (dt.date(2026, 10, 28), dt.time(12, 30)),
        (dt.date(2026, 11, 4), dt.time(12, 30)),
    ]
    # 11:30 UTC in summer time, 12:30 UTC after the change.
    assert [m.starts_at.astimezone(dt.UTC).hour for m in meals] == [11, 12, 12]
    assert [m.ends_at - m.starts_at for m in meals] == [dt.timedelta(minutes=90)] * 3
    assert [m.occurs_on for m in meals] == [
        dt.date(2026, 10, 21),
        dt.date(2026, 10, 28),
        dt.date(2026, 11, 4),
    ]
    assert {m.status for m in meals} == {"draft"}
    assert {m.repeats for m in meals} == {"weekly"}


@pytest.mark.clock("09:00", on=dt.date(2027, 3, 1))
def test_the_march_change_keeps_the_wall_time_too(host):
    series = make_series(host, starts_on=dt.date(2027, 3, 24), rule="weekly", count=2)

    meals = list(series.occurrences.order_by("starts_at"))

    assert [_local(m)[1] for m in meals] == [dt.time(12, 30), dt.time(12, 30)]
    assert [m.starts_at.astimezone(dt.UTC).hour for m in meals] == [12, 11]


@pytest.mark.clock("09:00", on=BEFORE_THE_CHANGE)
def test_the_beat_task_writes_eight_weeks_ahead_and_twice_changes_nothing(host):
    series = make_series(host, starts_on=dt.date(2026, 10, 21), count=20)
    first = sorted(series.occurrences.values_list("occurs_on", flat=True))
    # Today plus 8 weeks is 9 December: 21 Oct to 9 Dec is 8 Wednesdays.
    assert first == [dt.date(2026, 10, 21) + dt.timedelta(weeks=n) for n in range(8)]

    assert series_windows_extend() == 0
    assert series_windows_extend() == 0
    assert series.occurrences.count() == 8

    with time_machine.travel(london("09:00", on=dt.date(2026, 10, 29)), tick=False):
        assert series_windows_extend() == 2
        assert series_windows_extend() == 0
    assert sorted(series.occurrences.values_list("occurs_on", flat=True))[-2:] == [
        dt.date(2026, 12, 16),
        dt.date(2026, 12, 23),
    ]
    assert series.occurrences.count() == 10


def test_monthly_rules_on_the_second_and_the_last_wednesday():
    second = series_dates(rule="monthly", starts_on=dt.date(2026, 10, 7), nth=2, count=3)
    last = series_dates(rule="monthly", starts_on=dt.date(2026, 10, 7), nth=-1, count=3)

    assert list(second) == [dt.date(2026, 10, 14), dt.date(2026, 11, 11), dt.date(2026, 12, 9)]
    assert list(last) == [dt.date(2026, 10, 28), dt.date(2026, 11, 25), dt.date(2026, 12, 30)]


def test_fortnightly_until_a_date_includes_that_date():
    dates = series_dates(
        rule="fortnightly", starts_on=dt.date(2026, 10, 7), until=dt.date(2026, 11, 4)
    )

    assert list(dates) == [dt.date(2026, 10, 7), dt.date(2026, 10, 21), dt.date(2026, 11, 4)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"count": None}, "until"),
        ({"count": 3, "until": dt.date.today() + dt.timedelta(days=60)}, "until"),
        ({"count": 0}, "count"),
        ({"count": 53}, "count"),
        ({"rule": "monthly", "nth": 5}, "nth"),
        ({"rule": "monthly"}, "nth"),
        ({"rule": "weekly", "nth": 2}, "nth"),
        ({"starts_on": dt.date.today() - dt.timedelta(days=2)}, "starts_on"),
        ({"starts_on": dt.date(9999, 12, 29), "rule": "monthly", "nth": -1}, "starts_on"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"place_description": " "}, "place_description"),
        ({"setting": "venue"}, "venue"),
        ({"setting": "garden"}, "setting"),
    ],
)
def test_a_series_that_cannot_be_is_refused_and_writes_nothing(host, overrides, field):
    with pytest.raises(SeriesInvalid) as caught:
        make_series(host, **overrides)

    assert list(caught.value.detail) == [field]
    assert MealSeries.objects.count() == 0
    assert Meal.objects.count() == 0


@pytest.mark.clock("09:00", on=BEFORE_THE_CHANGE)
def test_publishing_copies_the_answers_and_publishes_every_date(host):
    series = published_series(host, starts_on=dt.date(2026, 10, 21), count=3)

    meals = list(series.occurrences.order_by("starts_at"))
    assert [m.status for m in meals] == ["published"] * 3
    assert series.status == "published"
    keys = set(series.safety_answers.values_list("key", flat=True))
    assert "regular_food_registered" in keys
    for meal in meals:
        assert set(SafetyAnswer.objects.filter(meal=meal).values_list("key", flat=True)) == keys


@pytest.mark.clock("09:00", on=BEFORE_THE_CHANGE)
def test_dates_written_later_are_published_with_the_answers(host):
    series = published_series(host, starts_on=dt.date(2026, 10, 21), count=9)

    with time_machine.travel(london("09:00", on=dt.date(2026, 10, 22)), tick=False):
        series_windows_extend()
        last = series.occurrences.get(occurs_on=dt.date(2026, 12, 16))

    assert last.status == "published"
    assert last.safety_answers.count() == series.safety_answers.count()

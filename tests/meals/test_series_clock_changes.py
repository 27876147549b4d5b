"""A series around the clock changes, at hours the ordinary lunch tests never reach: a start
the March change skips, a length across either change, and half past midnight."""

import datetime as dt

import pytest
import time_machine

from meals.models import Meal
from meals.services.series import series_windows_extend
from tests.clock import LONDON, london
from tests.meals.series_helpers import make_series

pytestmark = pytest.mark.django_db

SPRING = dt.date(2027, 3, 28)  # 01:00 GMT becomes 02:00 BST
AUTUMN = dt.date(2026, 10, 25)  # 02:00 BST becomes 01:00 GMT
AUTUMN_2027 = dt.date(2027, 10, 31)


def _utc(meal: Meal) -> tuple[str, str]:
    return meal.starts_at.astimezone(dt.UTC).isoformat(), meal.ends_at.astimezone(
        dt.UTC
    ).isoformat()


@pytest.mark.clock("09:00", on=dt.date(2027, 3, 1))
def test_a_start_in_the_hour_the_spring_change_skips_is_an_hour_later_by_the_clock(host):
    series = make_series(host, starts_on=SPRING, start_time=dt.time(1, 30), duration_minutes=60)

    meal = series.occurrences.get(occurs_on=SPRING)

    # 01:30 never happens that night: read with the offset before the change, it is 02:30 BST.
    assert meal.starts_at.astimezone(LONDON).strftime("%H:%M %Z") == "02:30 BST"
    assert _utc(meal) == ("2027-03-28T01:30:00+00:00", "2027-03-28T02:30:00+00:00")
    # The week after is the ordinary 01:30.
    after = series.occurrences.get(occurs_on=SPRING + dt.timedelta(weeks=1))
    assert after.starts_at.astimezone(LONDON).strftime("%H:%M %Z") == "01:30 BST"


@pytest.mark.parametrize(
    ("day", "utc", "local_end"),
    [
        pytest.param(
            SPRING,
            ("2027-03-28T00:30:00+00:00", "2027-03-28T02:30:00+00:00"),
            "03:30 BST",
            marks=pytest.mark.clock("09:00", on=dt.date(2027, 3, 1)),
        ),
        pytest.param(
            AUTUMN,
            ("2026-10-24T23:30:00+00:00", "2026-10-25T01:30:00+00:00"),
            "01:30 GMT",
            marks=pytest.mark.clock("09:00", on=dt.date(2026, 10, 12)),
        ),
    ],
)
def test_a_meal_across_a_change_lasts_its_minutes(host, day, utc, local_end):
    series = make_series(host, starts_on=day, start_time=dt.time(0, 30), duration_minutes=120)

    meal = series.occurrences.get(occurs_on=day)

    assert _utc(meal) == utc
    assert meal.ends_at.astimezone(LONDON).strftime("%H:%M %Z") == local_end


@pytest.mark.clock("09:00", on=dt.date(2027, 10, 11))
def test_half_past_midnight_every_week_across_the_autumn_change(host):
    series = make_series(
        host, starts_on=dt.date(2027, 10, 24), start_time=dt.time(0, 30), duration_minutes=60
    )

    meals = list(series.occurrences.order_by("starts_at")[:3])

    assert [m.occurs_on for m in meals] == [
        dt.date(2027, 10, 24),
        AUTUMN_2027,
        dt.date(2027, 11, 7),
    ]
    assert [m.starts_at.astimezone(LONDON).strftime("%d %H:%M") for m in meals] == [
        "24 00:30",
        "31 00:30",
        "07 00:30",
    ]
    assert [m.ends_at - m.starts_at for m in meals] == [dt.timedelta(hours=1)] * 3


@pytest.mark.clock("09:00", on=dt.date(2027, 1, 20))
def test_series_starting_beyond_the_window_are_written_later_skipped_hour_and_all(host):
    # 20 January plus 8 weeks is 17 March: neither series has a date written yet.
    skipped = make_series(
        host, starts_on=dt.date(2027, 3, 21), start_time=dt.time(1, 30), duration_minutes=60
    )
    later = make_series(host, starts_on=dt.date(2027, 3, 24), title="Soup club")
    assert skipped.occurrences.count() == 0
    assert later.occurrences.count() == 0

    with time_machine.travel(london("09:00", on=dt.date(2027, 2, 1)), tick=False):
        assert series_windows_extend() == 3

    assert skipped.occurrences.get(occurs_on=SPRING).ends_at == london("2027-03-28T03:30")
    assert list(later.occurrences.values_list("occurs_on", flat=True)) == [dt.date(2027, 3, 24)]

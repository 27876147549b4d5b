import datetime as dt

import pytest
import time_machine

from meals.models import Regular, Signup
from meals.services.errors import AlreadyRegular
from meals.services.meals import meal_cancel
from meals.services.regulars import regular_join, regular_leave
from meals.services.series import series_windows_extend
from meals.services.series_changes import series_end, series_update
from meals.services.signups import signup_cancel, signup_create
from notifications.models import Message
from tests.clock import LONDON, london
from tests.factories import UserFactory
from tests.meals.series_helpers import published_series

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 10, 12)
FIRST = dt.date(2026, 10, 14)


def _queue(meal) -> tuple[list[int], list[int]]:
    """(confirmed, waitlisted) person ids, each in queue order."""
    signups = Signup.objects.filter(meal=meal).order_by("queued_at", "pk")
    confirmed = [s.person_id for s in signups if s.status == "confirmed"]
    waiting = [s.person_id for s in signups if s.status == "waitlisted"]
    return confirmed, waiting


@pytest.mark.clock("09:00", on=MONDAY)
def test_thirty_regulars_and_twenty_seats_first_come_first_seated_every_week(host):
    series = published_series(host, starts_on=FIRST, count=12, capacity=20)
    people = [UserFactory() for _ in range(30)]
    for minute, person in enumerate(people):
        with time_machine.travel(london("09:00", on=MONDAY) + dt.timedelta(minutes=minute)):
            regular_join(series=series, person=person)
    ids = [p.pk for p in people]

    with time_machine.travel(london("09:00", on=FIRST + dt.timedelta(days=1)), tick=False):
        assert series_windows_extend() == 1
    meals = list(series.occurrences.order_by("starts_at"))
    assert len(meals) == 9
    for meal in meals:
        meal.refresh_from_db()
        assert _queue(meal) == (ids[:20], ids[20:])
        assert meal.seats_taken == 20


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_regular_skips_one_date_and_the_first_waiting_takes_it(host):
    series = published_series(host, starts_on=FIRST, count=3, capacity=1)
    ann, bob = UserFactory(), UserFactory()
    regular_join(series=series, person=ann)
    regular_join(series=series, person=bob)
    first, second, third = series.occurrences.order_by("starts_at")

    signup_cancel(signup=Signup.objects.get(meal=second, person=ann), by=ann)

    assert _queue(first) == ([ann.pk], [bob.pk])
    assert _queue(second) == ([bob.pk], [])
    assert _queue(third) == ([ann.pk], [bob.pk])
    assert Regular.objects.filter(series=series).count() == 2


@pytest.mark.clock("09:00", on=MONDAY)
def test_stopping_gives_up_the_places_to_come_and_no_more_are_made(host):
    series = published_series(host, starts_on=FIRST, count=10, capacity=1)
    ann, bob = UserFactory(), UserFactory()
    regular_join(series=series, person=ann)
    regular_join(series=series, person=bob)

    assert regular_leave(series=series, person=ann) == 8

    assert not Regular.objects.filter(person=ann).exists()
    for meal in series.occurrences.all():
        assert _queue(meal) == ([bob.pk], [])
    with time_machine.travel(london("09:00", on=FIRST + dt.timedelta(days=1)), tick=False):
        series_windows_extend()
    assert _queue(series.occurrences.get(occurs_on=FIRST + dt.timedelta(weeks=8))) == (
        [bob.pk],
        [],
    )


@pytest.mark.clock("09:00", on=MONDAY)
def test_joining_twice_is_a_conflict(host, resident):
    series = published_series(host, starts_on=FIRST, count=2)
    regular_join(series=series, person=resident)

    with pytest.raises(AlreadyRegular):
        regular_join(series=series, person=resident)
    assert Signup.objects.filter(person=resident).count() == 2


@pytest.mark.clock("09:00", on=MONDAY)
def test_the_host_cancels_one_date_and_those_coming_are_told(host, resident):
    series = published_series(host, starts_on=FIRST, count=3)
    regular_join(series=series, person=resident)
    second = series.occurrences.get(occurs_on=FIRST + dt.timedelta(weeks=1))

    meal_cancel(meal=second, by=host, reason="Hall painting")

    told = Message.objects.filter(recipient=resident, template="meal_cancelled")
    assert list(told.values_list("subject", flat=True)) == [f"meal:{second.pk}"]
    assert [m.status for m in series.occurrences.order_by("starts_at")] == [
        "published",
        "cancelled",
        "published",
    ]
    # The cancelled date is never written again.
    series_windows_extend()
    assert series.occurrences.count() == 3


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_new_time_from_a_date_onward_moves_those_dates_and_tells_their_guests(host, resident):
    series = published_series(host, starts_on=FIRST, count=3)
    regular_join(series=series, person=resident)

    series_update(
        series=series, by=host, from_date=FIRST + dt.timedelta(weeks=1), start_time=dt.time(13)
    )

    times = [m.starts_at.astimezone(LONDON).time() for m in series.occurrences.order_by("pk")]
    assert times == [dt.time(12, 30), dt.time(13), dt.time(13)]
    assert Message.objects.filter(recipient=resident, template="meal_changed").count() == 2


@pytest.mark.clock("09:00", on=MONDAY)
def test_ending_cancels_every_date_to_come_and_texts_each_regular_once(host, resident):
    series = published_series(host, starts_on=FIRST, count=3)
    one_off = UserFactory()
    regular_join(series=series, person=resident)
    signup_create(meal=series.occurrences.get(occurs_on=FIRST), person=one_off)

    series_end(series=series, by=host)

    assert set(series.occurrences.values_list("status", flat=True)) == {"cancelled"}
    assert list(Message.objects.filter(recipient=resident).values_list("template", flat=True)) == [
        "series_ended"
    ]
    assert list(Message.objects.filter(recipient=one_off).values_list("template", flat=True)) == [
        "meal_cancelled"
    ]
    assert series_windows_extend() == 0


@pytest.mark.clock("09:00", on=MONDAY)
def test_leaving_blether_ends_the_series_hosted_and_stops_being_a_regular(host, resident):
    from meals.services.leaving import person_leave

    hosted = published_series(host, starts_on=FIRST, count=2)
    other = published_series(UserFactory(), starts_on=FIRST, count=2)
    regular_join(series=other, person=host)

    person_leave(person=host)

    hosted.refresh_from_db()
    assert hosted.status == "ended"
    assert set(hosted.occurrences.values_list("status", flat=True)) == {"cancelled"}
    assert not Regular.objects.filter(person=host).exists()
    assert set(Signup.objects.filter(person=host).values_list("status", flat=True)) == {"cancelled"}

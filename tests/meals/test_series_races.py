"""Series under concurrency, with real threads on their own PostgreSQL connections: regulars
joining at once never oversell a date, and two beat runs write each date once."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from meals.models import Meal, Regular, Signup
from meals.services.regulars import regular_join
from meals.services.series import series_windows_extend
from tests.factories import UserFactory
from tests.meals.series_helpers import published_series

REGULARS = 30
SEATS = 20


def _in_threads(calls: list) -> list:
    gate = threading.Event()

    def run(call):
        gate.wait()
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        gate.set()
        return [f.result() for f in futures]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_thirty_regulars_joining_at_once_fill_twenty_seats_and_queue_the_rest_in_order():
    host = UserFactory(has_app=True)
    series = published_series(host, count=12, capacity=SEATS)
    people = [UserFactory() for _ in range(REGULARS)]

    _in_threads([lambda p=p: regular_join(series=series, person=p) for p in people])

    meals = list(series.occurrences.order_by("starts_at"))
    assert len(meals) == 8
    for meal in meals:
        statuses = list(Signup.objects.filter(meal=meal).values_list("status", flat=True))
        assert sorted(statuses) == ["confirmed"] * SEATS + ["waitlisted"] * (REGULARS - SEATS)
        assert Meal.objects.get(pk=meal.pk).seats_taken == SEATS
    # A date written later seats them strictly in the order they joined.
    order = list(
        Regular.objects.filter(series=series)
        .order_by("joined_at", "pk")
        .values_list("person_id", flat=True)
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=7), tick=False):
        assert series_windows_extend() == 1
        ninth = series.occurrences.order_by("-starts_at").first()
    queue = Signup.objects.filter(meal=ninth).order_by("queued_at", "pk")
    assert [s.person_id for s in queue if s.status == "confirmed"] == order[:SEATS]
    assert [s.person_id for s in queue if s.status == "waitlisted"] == order[SEATS:]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_once_write_each_date_once():
    host = UserFactory(has_app=True)
    series = published_series(host, count=20)
    regular_join(series=series, person=UserFactory())

    with time_machine.travel(timezone.now() + dt.timedelta(days=21), tick=True):
        written = _in_threads([series_windows_extend, series_windows_extend])

    assert sorted(written) == [0, 3]
    assert series.occurrences.count() == 11
    assert Signup.objects.count() == 11

"""Regulars racing the beat and the host, with real threads on their own connections: one
side holds its transaction open while the other starts, so the interleaving is the bad one
every time, not by luck."""

import datetime as dt
import threading
import time

import pytest
from django.db import connections, transaction
from django.utils import timezone

from meals.models import Regular, Signup
from meals.services.errors import SignupInvalid
from meals.services.regulars import regular_join, regular_leave, regulars_stop_all
from meals.services.series import series_occurrences_write
from meals.services.series_changes import series_end
from tests.factories import UserFactory
from tests.meals.series_helpers import published_series

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _hold_open_while(first, then) -> object:
    """Run `first` in a transaction on one thread and keep it open while `then` starts on
    another; commit after a moment; `then`'s result, or the error it raised."""
    done_first, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def holder():
        try:
            with transaction.atomic():
                first()
                done_first.set()
                release.wait(timeout=10)
        finally:
            done_first.set()
            connections.close_all()

    def other():
        done_first.wait(timeout=10)
        try:
            outcome["result"] = then()
        except Exception as exc:
            outcome["result"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    done_first.wait(timeout=10)
    time.sleep(0.5)  # `then` is now waiting on the lock, or (before the fix) done
    release.set()
    for thread in threads:
        thread.join(timeout=20)
    return outcome["result"]


def _places(person) -> list[str]:
    signups = Signup.objects.filter(person=person).order_by("meal__starts_at")
    return list(signups.values_list("status", flat=True))


@pytest.mark.parametrize(
    ("already_regular", "move", "places"),
    [
        (False, regular_join, ["confirmed"] * 9),  # joining: a place at the new date too
        (True, regular_leave, ["cancelled"] * 9),  # leaving: no place left at it
    ],
)
def test_a_regular_joining_or_leaving_while_the_beat_writes_a_date(already_regular, move, places):
    host, guest = UserFactory(has_app=True), UserFactory()
    series = published_series(host, count=20)
    if already_regular:
        regular_join(series=series, person=guest)
    assert series.occurrences.count() == 8
    # The beat as it will run a week on: one more date comes into the window.
    a_week_on = timezone.now() + dt.timedelta(days=7)

    def beat():
        assert len(series_occurrences_write(series=series, now=a_week_on)) == 1

    _hold_open_while(beat, lambda: move(series=series, person=guest))

    assert series.occurrences.count() == 9
    assert _places(guest) == places


def test_joining_while_the_host_ends_the_series_is_refused_and_leaves_no_regular():
    host, guest = UserFactory(has_app=True), UserFactory()
    series = published_series(host, count=4)

    refused = _hold_open_while(
        lambda: series_end(series=series, by=host),
        lambda: regular_join(series=series, person=guest),
    )

    assert isinstance(refused, SignupInvalid)
    assert not Regular.objects.exists()
    assert _places(guest) == []


def test_the_beat_writing_a_date_while_a_regular_texts_stop_makes_them_no_place():
    host, guest = UserFactory(has_app=True), UserFactory()
    series = published_series(host, count=20)
    regular_join(series=series, person=guest)
    a_week_on = timezone.now() + dt.timedelta(days=7)

    _hold_open_while(
        lambda: regulars_stop_all(person=guest),
        lambda: series_occurrences_write(series=series, now=a_week_on),
    )

    assert series.occurrences.count() == 9
    # The places held before STOP stay; the new date gives them none.
    assert _places(guest) == ["confirmed"] * 8

"""Plans changing while a driver takes a lift, with real threads, each on its own PostgreSQL
connection: a guest cancelling, a guest growing their party, a driver lowering their seats.
Whoever wins, no car carries more than its seats and nobody is left holding a dead lift."""

import threading
import time

import pytest
from django.db import transaction
from django.db.models import Sum

from meals.models import Driver, Lift, Signup
from meals.services.lift_steps import LiftInvalid
from meals.services.lifts import lift_cancel, lift_request, lift_take
from meals.services.signups import signup_cancel
from notifications.models import Message
from tests.conftest import client_for
from tests.lift_world import driver, guest_with_lift, lunch
from tests.meals.test_series_races import _in_threads

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.clock("14:00")]

ROUNDS = 4


def _meals(n):
    return [lunch(code=f"CAR{i}", title=f"Lunch {i}") for i in range(n)]


def test_a_guest_cancelling_while_the_driver_takes_leaves_the_lift_cancelled_and_the_driver_told():
    lifts = [guest_with_lift(meal) for meal in _meals(ROUNDS)]
    ann = driver(seats=ROUNDS)
    take = client_for(ann.person)
    calls = []
    for lift in lifts:
        guest = client_for(lift.guest)
        calls.append(lambda lift=lift: take.post(f"/api/lifts/{lift.pk}/take/").status_code)
        calls.append(
            lambda lift=lift, guest=guest: (
                guest.delete(f"/api/meals/{lift.meal_id}/lift/").status_code
            )
        )

    codes = _in_threads(calls)

    takes, cancels = codes[0::2], codes[1::2]
    assert cancels == [204] * ROUNDS
    assert set(takes) <= {200, 404, 409}
    assert [(lift.status, lift.driver_id) for lift in Lift.objects.order_by("pk")] == [
        ("cancelled", None)
    ] * ROUNDS
    # A driver who got the lift before the guest let it go is told it is no longer needed.
    freed = Message.objects.filter(recipient=ann.person, template="lift_freed").count()
    assert freed == takes.count(200)


def test_a_party_growing_while_the_driver_takes_another_lift_never_overfills_the_car():
    ann = driver(seats=2)
    pairs = []
    for meal in _meals(ROUNDS):
        mine = guest_with_lift(meal)
        lift_take(lift=mine, by=ann.person)
        pairs.append((mine, guest_with_lift(meal, name="Isa Reid")))
    take = client_for(ann.person)
    calls = []
    for mine, other in pairs:
        guest = client_for(mine.guest)
        path = f"/api/meals/{mine.meal_id}/signups/{mine.signup_id}/"
        calls.append(
            lambda g=guest, p=path: g.patch(p, {"party_size": 2}, format="json").status_code
        )
        calls.append(lambda other=other: take.post(f"/api/lifts/{other.pk}/take/").status_code)

    codes = _in_threads(calls)

    # Exactly one of each pair wins the car's last seat.
    assert sorted(zip(codes[0::2], codes[1::2], strict=True)) in (
        [(200, 409)] * k + [(409, 200)] * (ROUNDS - k) for k in range(ROUNDS + 1)
    )
    for mine, _other in pairs:
        carried = Lift.objects.filter(driver=ann, meal_id=mine.meal_id, status="taken")
        assert carried.aggregate(n=Sum("passengers"))["n"] == 2
        lift = Lift.objects.get(pk=mine.pk)
        assert lift.passengers == Signup.objects.get(pk=mine.signup_id).party_size


def test_a_driver_lowering_their_seats_while_taking_a_lift_never_carries_more_than_they_offer():
    ann = driver(seats=2)
    pairs = []
    for meal in _meals(ROUNDS):
        mine = guest_with_lift(meal)
        lift_take(lift=mine, by=ann.person)
        pairs.append(guest_with_lift(meal, name="Isa Reid"))
    client = client_for(ann.person)
    offer = {"seats": 1, "step_free": False, "max_km": "5.0"}
    calls = [lambda: client.put("/api/me/driver/", offer, format="json").status_code]
    calls += [lambda o=o: client.post(f"/api/lifts/{o.pk}/take/").status_code for o in pairs]

    codes = _in_threads(calls)

    seats = Driver.objects.get(pk=ann.pk).seats
    most = max(
        Lift.objects.filter(driver=ann, meal_id=o.meal_id, status="taken").count() for o in pairs
    )
    assert most <= seats
    # Either the offer changed first and every take found the car full, or a take came first,
    # the offer was refused and the car kept its two seats for every take.
    assert codes in ([200] + [409] * ROUNDS, [409] + [200] * ROUNDS)
    assert (seats == 1) == (codes[0] == 200)


def _while_held(first, then):
    """Run `first` in a transaction kept open half a second after it is done, and `then`, in
    another thread, as soon as `first` is done; return what `then` returned (or raised)."""
    done, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            first()
            done.set()
            release.wait(timeout=10)

    def after():
        done.wait(timeout=10)
        try:
            return then()
        except LiftInvalid as exc:
            return exc

    def release_soon():
        done.wait(timeout=10)
        time.sleep(0.5)  # `then` has run into the held rows by now, or finished without them
        release.set()

    return _in_threads([hold, after, release_soon])[1]


def test_a_lift_asked_for_while_the_place_is_being_cancelled_is_never_left_open():
    meal = lunch()
    jean = guest_with_lift(meal)
    Lift.objects.all().delete()
    signup = Signup.objects.get(pk=jean.signup_id)

    asked = _while_held(
        lambda: signup_cancel(signup=signup, by=signup.person),
        lambda: lift_request(meal=meal, person=signup.person),
    )

    assert isinstance(asked, LiftInvalid), asked
    assert Lift.objects.count() == 0


def test_a_guest_letting_go_of_a_lift_a_driver_is_taking_that_moment_tells_that_driver():
    lift = guest_with_lift(lunch())
    ann = driver()

    _while_held(
        lambda: lift_take(lift=lift, by=ann.person),
        lambda: lift_cancel(lift=Lift.objects.get(pk=lift.pk), by=lift.guest),
    )

    lift.refresh_from_db()
    assert (lift.status, lift.driver_id) == ("cancelled", None)
    assert Message.objects.filter(recipient=ann.person, template="lift_freed").count() == 1

"""A car never carries more than its seats, proved with real threads, each on its own
PostgreSQL connection, taking requests at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from meals.models import Lift
from tests.conftest import client_for
from tests.lift_world import driver, guest_with_lift, lunch

GUESTS = 20
SEATS = 3


def _race(calls):
    """Run every (client, path) POST at once; return the status codes in order."""
    gate = threading.Event()

    def post(client, path):
        gate.wait()
        try:
            return client.post(path).status_code
        except Exception as exc:  # any exception is a failure, reported by the caller
            return repr(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(post, client, path) for client, path in calls]
        gate.set()
        return [f.result() for f in futures]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_20_guests_racing_for_3_car_seats_get_exactly_3_lifts():
    meal = lunch()
    lifts = [guest_with_lift(meal, name=f"Guest {n}") for n in range(GUESTS)]
    ann = driver(seats=SEATS)
    client = client_for(ann.person)

    codes = _race([(client, f"/api/lifts/{lift.pk}/take/") for lift in lifts])

    assert sorted(codes, key=str) == [200] * SEATS + [409] * (GUESTS - SEATS)
    taken = Lift.objects.filter(driver=ann, status="taken")
    assert taken.count() == SEATS
    assert Lift.objects.filter(status="open", driver__isnull=True).count() == GUESTS - SEATS
    won = {lift.pk for lift, code in zip(lifts, codes, strict=True) if code == 200}
    assert set(taken.values_list("pk", flat=True)) == won


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_drivers_racing_for_one_request_leave_it_with_exactly_one():
    lift = guest_with_lift(lunch())
    drivers = [driver(name=f"Driver {n}") for n in range(8)]

    codes = _race([(client_for(d.person), f"/api/lifts/{lift.pk}/take/") for d in drivers])

    # A loser finds it taken (409) or, when the winner committed first, no longer theirs to see.
    assert codes.count(200) == 1
    assert {c for c in codes if c != 200} <= {404, 409}
    lift.refresh_from_db()
    assert lift.status == "taken"
    assert drivers[codes.index(200)].pk == lift.driver_id

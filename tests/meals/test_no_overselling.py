"""Seats are never oversold, proved with real threads on their own PostgreSQL connections."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connections, transaction
from django.db.models import F

from meals.models import Meal, Signup
from tests.conftest import client_for
from tests.factories import MealFactory, UserFactory

SIGNUPS = 200
CAPACITY = 20
# Each worker holds its own connection; the server's connection limit is shared.
WORKERS = 25


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_signups_never_oversell_and_queue_in_arrival_order():
    meal = MealFactory(capacity=CAPACITY)
    rng = random.Random(20)
    people = [(UserFactory(has_app=True), rng.randint(1, 4)) for _ in range(SIGNUPS)]
    clients = [(client_for(person), size) for person, size in people]
    gate = threading.Event()
    done = threading.Event()
    seen_taken = []

    def sign_up(client, size):
        gate.wait()
        try:
            response = client.post(
                f"/api/meals/{meal.pk}/signups/", {"party_size": size}, format="json"
            )
            return response.status_code, response.json()
        except Exception as exc:  # any exception is a failure, reported below
            return 0, repr(exc)
        finally:
            connections.close_all()

    def watch():
        while not done.is_set():
            seen_taken.append(Meal.objects.values_list("seats_taken", flat=True).get(pk=meal.pk))
        connections.close_all()

    watcher = threading.Thread(target=watch)
    watcher.start()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(sign_up, client, size) for client, size in clients]
        gate.set()
        results = [f.result() for f in futures]
    done.set()
    watcher.join()

    assert [code for code, _ in results if code != 201] == []
    assert max(seen_taken) <= CAPACITY

    meal.refresh_from_db()
    signups = list(Signup.objects.filter(meal=meal).order_by("queued_at", "pk"))
    assert len(signups) == SIGNUPS
    confirmed = [s for s in signups if s.status == "confirmed"]
    assert meal.seats_taken == sum(s.party_size for s in confirmed) <= CAPACITY
    assert {s.status for s in signups} == {"confirmed", "waitlisted"}
    # Replaying arrivals in queue order gives exactly the statuses the server chose.
    free = CAPACITY
    for signup in signups:
        expected = "confirmed" if signup.party_size <= free else "waitlisted"
        if expected == "confirmed":
            free -= signup.party_size
        assert signup.status == expected, signup
    assert len({s.queued_at for s in signups}) == SIGNUPS
    positions = [body.get("waitlist_position") for _, body in results]
    assert sorted(p for p in positions if p is not None) == list(
        range(1, len(signups) - len(confirmed) + 1)
    )


@pytest.mark.django_db
def test_the_database_itself_refuses_to_oversell():
    meal = MealFactory(capacity=20, seats_taken=19)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Meal.objects.filter(pk=meal.pk).update(seats_taken=F("seats_taken") + 2)
    assert "meals_no_overselling" in str(caught.value)
    meal.refresh_from_db()
    assert meal.seats_taken == 19

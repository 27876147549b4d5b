"""Double-booking is impossible: the exclusion constraint decides under real concurrency."""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from tests.conftest import client_for
from tests.factories import UserFactory, VenueFactory
from tests.venues.helpers import days_ahead, local_slot
from venues.models import Booking

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _post_all(requests: list[tuple]) -> list:
    """Fire every (client, path, body) at once from its own thread and connection."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def run(index: int, client, path: str, body: dict) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post(path, body, format="json")
            answers[index] = (response.status_code, response.json())
        except Exception as exc:  # a crash must show up as a failed answer, not vanish
            answers[index] = (None, repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_fifty_overlapping_requests_one_wins_the_rest_are_told_it_is_taken():
    venue = VenueFactory(booking_policy="auto_confirm")
    day = days_ahead(6)
    requests = []
    for n in range(50):
        # Every slot overlaps every other: starts are at most 49 minutes apart, each lasts 2 h.
        start = (dt.datetime.combine(day, dt.time(12)) + dt.timedelta(minutes=n)).time()
        end = (dt.datetime.combine(day, dt.time(14)) + dt.timedelta(minutes=n)).time()
        starts_at, ends_at = local_slot(day, start, end)
        body = {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}
        requests.append((client_for(UserFactory()), f"/api/venues/{venue.pk}/bookings/", body))

    answers = _post_all(requests)

    statuses = Counter(status for status, _ in answers)
    assert statuses == {201: 1, 409: 49}, answers
    taken = [body for status, body in answers if status == 409]
    assert all(
        body == {"detail": "Sorry, that time is already booked at this venue. Try another time."}
        for body in taken
    )
    winner = next(body for status, body in answers if status == 201)
    booking = Booking.objects.get(venue=venue)
    assert (booking.pk, booking.status) == (winner["id"], "confirmed")


def test_back_to_back_slots_booked_at_the_same_moment_both_succeed():
    venue = VenueFactory(booking_policy="approval")
    day = days_ahead(6)
    requests = []
    for start, end in ((dt.time(12), dt.time(14)), (dt.time(14), dt.time(16))):
        starts_at, ends_at = local_slot(day, start, end)
        body = {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}
        requests.append((client_for(UserFactory()), f"/api/venues/{venue.pk}/bookings/", body))

    answers = _post_all(requests)

    assert [status for status, _ in answers] == [201, 201], answers
    assert [body["status"] for _, body in answers] == ["requested", "requested"]
    assert Booking.objects.filter(venue=venue, status="requested").count() == 2


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def test_a_deadlock_between_overlapping_inserts_still_ends_in_a_409_not_a_500():
    """Two overlapping inserts can each wait on the other's uncommitted row.

    The other transaction holds 12-14 and then asks for 14:30-15:30 while ours (13-15) waits
    on it: PostgreSQL aborts one of the two. Ours is retried in its savepoint and meets the
    committed 12-14, so the person asking is told the slot is taken.
    """
    venue = VenueFactory()
    day = days_ahead(6)
    first = local_slot(day, dt.time(12), dt.time(14))
    later = local_slot(day, dt.time(14, 30), dt.time(15, 30))
    ours = local_slot(day, dt.time(13), dt.time(15))
    holder = UserFactory()
    client = client_for(UserFactory())
    first_inserted = threading.Event()
    ours_pid: list[int] = []
    answers: dict = {}

    def other_transaction() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                # Our request starts waiting first and has the shorter timeout, so it is the
                # transaction PostgreSQL aborts; that is the path under test.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL deadlock_timeout = '10s'")
                Booking.objects.create(
                    venue=venue,
                    requested_by=holder,
                    starts_at=first[0],
                    ends_at=first[1],
                    status="confirmed",
                )
                first_inserted.set()
                deadline = time.monotonic() + 20
                while not (ours_pid and _waiting_on_a_lock(ours_pid[0])):
                    assert time.monotonic() < deadline, "our request never waited"
                    time.sleep(0.02)
                Booking.objects.create(
                    venue=venue,
                    requested_by=holder,
                    starts_at=later[0],
                    ends_at=later[1],
                    status="confirmed",
                )
            answers["other"] = "committed"
        except Exception as exc:
            answers["other"] = repr(exc)
        finally:
            connection.close()

    def our_request() -> None:
        try:
            first_inserted.wait(timeout=20)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                ours_pid.append(cursor.fetchone()[0])
            response = client.post(
                f"/api/venues/{venue.pk}/bookings/",
                {"starts_at": ours[0].isoformat(), "ends_at": ours[1].isoformat()},
                format="json",
            )
            answers["ours"] = (response.status_code, response.json())
        except Exception as exc:
            answers["ours"] = (None, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=other_transaction), threading.Thread(target=our_request)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert answers == {
        "other": "committed",
        "ours": (
            409,
            {"detail": "Sorry, that time is already booked at this venue. Try another time."},
        ),
    }
    assert Booking.objects.filter(venue=venue).count() == 2

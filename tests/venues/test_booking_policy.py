"""A venue's booking policy: how far ahead, how short, and how many one person may hold."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection

from tests.conftest import client_for
from tests.factories import BookingFactory, MembershipFactory, UserFactory, VenueFactory
from tests.venues.helpers import days_ahead, local_slot
from venues.models import Booking
from venues.services import BookingInvalid, TooManyBookings, booking_cancel, booking_request

UTC = dt.UTC
# Sunday 10 January 2027, 10:00 in London (GMT): 183 days on is Monday 12 July, 11:00 BST.
NOW = dt.datetime(2027, 1, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def _book(venue, person, starts_at, minutes=60):
    return booking_request(
        venue=venue,
        person=person,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
    )


@pytest.mark.django_db
def test_a_venue_takes_bookings_up_to_183_days_ahead(pinned, resident):
    venue = VenueFactory(name="Town Hall")

    last = _book(venue, resident, dt.datetime(2027, 7, 12, 10, 0, tzinfo=UTC))
    with pytest.raises(BookingInvalid) as caught:
        _book(venue, resident, dt.datetime(2027, 7, 12, 10, 1, tzinfo=UTC))

    assert last.status == "confirmed"
    assert caught.value.detail == (
        "Town Hall takes bookings up to 183 days ahead: choose a start on or before 12 July 2027."
    )
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_year_9999_and_a_microsecond_long_booking_are_a_clear_400(pinned, resident_client):
    venue = VenueFactory(name="Town Hall")
    path = f"/api/venues/{venue.pk}/bookings/"

    far = resident_client.post(
        path,
        {"starts_at": "9999-12-31T12:00:00+00:00", "ends_at": "9999-12-31T14:00:00+00:00"},
        format="json",
    )
    tiny = resident_client.post(
        path,
        {"starts_at": "2027-01-16T12:00:00+00:00", "ends_at": "2027-01-16T12:00:00.000001+00:00"},
        format="json",
    )

    assert (far.status_code, far.json()) == (
        400,
        {
            "detail": "Town Hall takes bookings up to 183 days ahead: "
            "choose a start on or before 12 July 2027."
        },
    )
    assert (tiny.status_code, tiny.json()) == (
        400,
        {"detail": "A booking at Town Hall must be at least 30 minutes long."},
    )
    assert Booking.objects.count() == 0


@pytest.mark.django_db
def test_a_booking_must_last_the_venues_minimum(pinned, resident):
    venue = VenueFactory(name="Town Hall")
    start = dt.datetime(2027, 1, 16, 12, 0, tzinfo=UTC)

    with pytest.raises(BookingInvalid) as caught:
        _book(venue, resident, start, minutes=29)
    thirty = _book(venue, resident, start, minutes=30)

    assert caught.value.detail == "A booking at Town Hall must be at least 30 minutes long."
    assert (thirty.ends_at - thirty.starts_at) == dt.timedelta(minutes=30)


@pytest.mark.django_db
def test_one_person_holds_at_most_four_live_bookings_yet_to_come_per_venue(pinned, resident):
    venue = VenueFactory(name="Town Hall")
    other_venue = VenueFactory(name="Library")
    noon = dt.datetime(2027, 1, 16, 12, 0, tzinfo=UTC)
    # Neither of these counts: one has passed, one was cancelled.
    BookingFactory(
        venue=venue,
        requested_by=resident,
        starts_at=NOW - dt.timedelta(days=2),
        ends_at=NOW - dt.timedelta(days=2) + dt.timedelta(hours=2),
        status="confirmed",
    )
    BookingFactory(
        venue=venue,
        requested_by=resident,
        starts_at=noon + dt.timedelta(days=30),
        ends_at=noon + dt.timedelta(days=30, hours=2),
        status="cancelled",
    )
    four = [_book(venue, resident, noon + dt.timedelta(days=n)) for n in range(4)]

    with pytest.raises(TooManyBookings) as caught:
        _book(venue, resident, noon + dt.timedelta(days=5))

    assert caught.value.status_code == 409
    assert caught.value.detail == (
        "You already hold 4 bookings of Town Hall yet to come, which is as many as it allows. "
        "Cancel one or wait until one has passed."
    )
    assert _book(other_venue, resident, noon).status == "confirmed"
    assert _book(venue, UserFactory(), noon + dt.timedelta(days=5)).status == "confirmed"
    booking_cancel(booking=four[0], by=resident)
    assert _book(venue, resident, noon + dt.timedelta(days=6)).status == "confirmed"
    assert (
        Booking.objects.filter(venue=venue, requested_by=resident, status="confirmed").count() == 5
    )


@pytest.mark.django_db
def test_staff_set_a_venues_policy_within_bounds(pinned, resident):
    membership = MembershipFactory(role="admin")
    venue = VenueFactory(organisation=membership.organisation, name="Town Hall")
    staff = client_for(membership.person)

    refused = staff.patch(
        f"/api/venues/{venue.pk}/",
        {"booking_horizon_days": 731, "min_booking_minutes": 0, "max_bookings_per_person": 0},
        format="json",
    )
    changed = staff.patch(
        f"/api/venues/{venue.pk}/",
        {"booking_horizon_days": 14, "min_booking_minutes": 90, "max_bookings_per_person": 1},
        format="json",
    )

    assert refused.status_code == 400
    assert sorted(refused.json()) == [
        "booking_horizon_days",
        "max_bookings_per_person",
        "min_booking_minutes",
    ]
    assert changed.status_code == 200
    assert [
        changed.json()[k]
        for k in ("booking_horizon_days", "min_booking_minutes", "max_bookings_per_person")
    ] == [14, 90, 1]
    with pytest.raises(BookingInvalid) as too_far:
        _book(venue, resident, dt.datetime(2027, 1, 25, 12, 0, tzinfo=UTC), minutes=90)
    assert too_far.value.detail == (
        "Town Hall takes bookings up to 14 days ahead: choose a start on or before 24 January 2027."
    )
    with pytest.raises(BookingInvalid):
        _book(venue, resident, dt.datetime(2027, 1, 16, 12, 0, tzinfo=UTC), minutes=60)
    _book(venue, resident, dt.datetime(2027, 1, 16, 12, 0, tzinfo=UTC), minutes=90)
    with pytest.raises(TooManyBookings):
        _book(venue, resident, dt.datetime(2027, 1, 17, 12, 0, tzinfo=UTC), minutes=90)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_racing_requests_never_take_one_person_past_the_limit():
    """Eight requests for different free slots at once, by someone holding three: the venue
    row lock lets exactly one through."""
    venue = VenueFactory(booking_policy="auto_confirm")
    person = UserFactory()
    for n in range(3):
        starts_at, ends_at = local_slot(days_ahead(5 + n), dt.time(12), dt.time(14))
        BookingFactory(
            venue=venue,
            requested_by=person,
            starts_at=starts_at,
            ends_at=ends_at,
            status="confirmed",
        )
    bodies = []
    for n in range(8):
        starts_at, ends_at = local_slot(days_ahead(10 + n), dt.time(12), dt.time(14))
        bodies.append({"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()})
    barrier = threading.Barrier(len(bodies))
    answers: list = [None] * len(bodies)

    def run(index: int, body: dict) -> None:
        try:
            client = client_for(person)
            barrier.wait(timeout=30)
            response = client.post(f"/api/venues/{venue.pk}/bookings/", body, format="json")
            answers[index] = response.status_code
        except Exception as exc:  # a crash must show up as a failed answer, not vanish
            answers[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(answers) == {201: 1, 409: 7}, answers
    assert Booking.objects.filter(venue=venue, requested_by=person, status="confirmed").count() == 4

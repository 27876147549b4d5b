"""A series at a venue: one booking request for every date, decided once; each date its own
booking under the exclusion constraint; clashing dates listed and left out."""

import datetime as dt

import pytest

from meals.models import Meal, MealSeries
from meals.services.errors import CannotPublish
from meals.services.series import series_publish
from meals.services.series_changes import series_end
from notifications.models import Message
from tests.clock import LONDON, london
from tests.factories import BookingFactory, MembershipFactory, VenueFactory
from tests.meals.series_helpers import answer_series, make_series
from venues.models import Booking, Venue
from venues.services import BookingInvalid, booking_approve, booking_decline, booking_request
from venues.services.bookings import TooManyBookings

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 10, 12)
FIRST = dt.date(2026, 10, 14)


@pytest.fixture
def hall(db):
    officer = MembershipFactory(role="staff")
    venue = VenueFactory(
        organisation=officer.organisation,
        booking_policy=Venue.BookingPolicy.APPROVAL,
        name="Dockhead Hall",
        capacity=40,
    )
    return venue, officer.person


def _taken(venue, day: dt.date) -> Booking:
    """Someone else's booking overlapping the lunch (12:30-14:00) on `day`."""
    return BookingFactory(
        venue=venue,
        starts_at=london("13:00", on=day),
        ends_at=london("15:00", on=day),
    )


def _venue_series(host, venue, **overrides):
    fields = {"setting": "venue", "venue": venue, "starts_on": FIRST, "count": 6}
    return make_series(host, **{**fields, **overrides})


@pytest.mark.clock("09:00", on=MONDAY)
def test_two_clashing_dates_are_listed_and_the_rest_booked_in_one_request(host, hall):
    venue, officer = hall
    _taken(venue, FIRST + dt.timedelta(weeks=1))
    _taken(venue, FIRST + dt.timedelta(weeks=3))

    series = _venue_series(host, venue)

    clashes = [(c.starts_at.astimezone(LONDON).date(), c.reason) for c in series.clashes]
    taken = "Sorry, that time is already booked at this venue. Try another time."
    assert clashes == [(dt.date(2026, 10, 21), taken), (dt.date(2026, 11, 4), taken)]
    bookings = Booking.objects.filter(series_booking=series.series_booking).order_by("starts_at")
    assert [b.starts_at.astimezone(LONDON).date() for b in bookings] == [
        dt.date(2026, 10, 14),
        dt.date(2026, 10, 28),
        dt.date(2026, 11, 11),
        dt.date(2026, 11, 18),
    ]
    assert {b.status for b in bookings} == {"requested"}
    meals = list(series.occurrences.order_by("starts_at"))
    assert [(m.occurs_on, m.booking_id, m.venue_id) for m in meals] == [
        (b.starts_at.astimezone(LONDON).date(), b.pk, venue.pk) for b in bookings
    ]
    asked = Message.objects.filter(recipient=officer, template="booking_requested")
    assert [m.body for m in asked] == [
        "Blether: Agnes asks to book Dockhead Hall on 4 dates from Wed 14 Oct 12:30-14:00. "
        "Please approve or decline it in the Blether app."
    ]


@pytest.mark.clock("09:00", on=MONDAY)
def test_the_officer_approves_once_and_every_date_can_be_published(host, hall):
    venue, officer = hall
    series = _venue_series(host, venue, count=10)
    answer_series(series)
    first = Booking.objects.filter(series_booking=series.series_booking).earliest("starts_at")

    booking_approve(booking=first, by=officer)
    series_publish(series=series, by=host)

    statuses = Booking.objects.filter(series_booking=series.series_booking)
    assert set(statuses.values_list("status", flat=True)) == {"confirmed"}
    told = Message.objects.filter(recipient=host, template="booking_confirmed")
    assert [m.body for m in told] == [
        "Blether: your booking of Dockhead Hall on 10 dates from Wed 14 Oct 12:30-14:00 is "
        "confirmed."
    ]
    assert set(series.occurrences.values_list("status", flat=True)) == {"published"}
    assert series.occurrences.count() == 8

    series_end(series=series, by=host)

    assert set(statuses.values_list("status", flat=True)) == {"cancelled"}


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_declined_series_cannot_be_published(host, hall):
    venue, officer = hall
    series = _venue_series(host, venue, count=2)
    answer_series(series)
    first = Booking.objects.filter(series_booking=series.series_booking).earliest("starts_at")

    booking_decline(booking=first, by=officer, reason="Hall closed for repairs")

    with pytest.raises(CannotPublish) as caught:
        series_publish(series=series, by=host)
    assert [r["code"] for r in caught.value.detail["reasons"]] == ["booking_not_confirmed"]
    assert set(Meal.objects.values_list("status", flat=True)) == {"draft"}


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_venue_that_can_give_no_date_is_a_400_writing_nothing(host, hall):
    venue, _officer = hall
    for week in range(2):
        _taken(venue, FIRST + dt.timedelta(weeks=week))

    with pytest.raises(BookingInvalid):
        _venue_series(host, venue, count=2)

    assert MealSeries.objects.count() == 0
    assert Booking.objects.filter(series_booking__isnull=False).count() == 0


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_series_counts_as_one_booking_towards_the_limit_per_person(host, hall):
    venue, _officer = hall
    Venue.objects.filter(pk=venue.pk).update(
        max_bookings_per_person=2, booking_policy=Venue.BookingPolicy.AUTO_CONFIRM
    )
    _venue_series(host, venue, count=10)
    # Ten dates held, yet one more booking may still be asked for.
    single = booking_request(
        venue=venue,
        person=host,
        starts_at=london("10:00", on=FIRST),
        ends_at=london("11:00", on=FIRST),
    )
    before = (MealSeries.objects.count(), Booking.objects.count(), Meal.objects.count())

    with pytest.raises(TooManyBookings):
        _venue_series(host, venue, starts_on=FIRST + dt.timedelta(days=1), count=52)

    assert single.status == "confirmed"
    assert before == (1, 11, 8)
    assert (MealSeries.objects.count(), Booking.objects.count(), Meal.objects.count()) == before

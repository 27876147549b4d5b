"""Officers deciding a venue series at once, with real threads on their own connections:
clicks on different dates of one series make one decision and one text, and every other
click is told it is already decided (never a deadlock, never a 500)."""

import datetime as dt

import pytest

from notifications.models import Message
from tests.factories import MembershipFactory, UserFactory, VenueFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.meals.series_helpers import make_series
from tests.meals.test_series_races import _in_threads
from venues.models import Booking, Venue
from venues.services import booking_approve, booking_decline
from venues.services.bookings import BookingNotLive

MONDAY = dt.date(2026, 10, 12)


def _caught(call):
    """The call's result, or the error it raised."""
    try:
        return call()
    except Exception as exc:
        return exc


@pytest.mark.slow
@pytest.mark.clock("09:00", on=MONDAY)
@pytest.mark.django_db(transaction=True)
def test_six_clicks_on_six_dates_of_one_series_make_one_decision_and_one_text():
    first = MembershipFactory(role="staff")
    second = MembershipFactory(role="staff", organisation=first.organisation)
    venue = VenueFactory(
        organisation=first.organisation, booking_policy=Venue.BookingPolicy.APPROVAL, capacity=40
    )
    host = UserFactory(has_app=True)
    series = make_series(
        host, setting="venue", venue=venue, starts_on=dt.date(2026, 10, 14), count=6
    )
    dates = list(Booking.objects.filter(series_booking=series.series_booking).order_by("pk"))
    officers = [first.person, second.person] * 3
    calls = [
        (lambda b=b, o=o: booking_approve(booking=b, by=o))
        if n % 2
        else (lambda b=b, o=o: booking_decline(booking=b, by=o, reason="Full"))
        for n, (b, o) in enumerate(zip(dates, officers, strict=True))
    ]

    outcomes = _in_threads([lambda c=c: _caught(c) for c in calls])

    decided = [o for o in outcomes if isinstance(o, Booking)]
    refused = [o for o in outcomes if isinstance(o, BookingNotLive)]
    assert (len(decided), len(refused)) == (1, 5), outcomes
    statuses = set(
        Booking.objects.filter(series_booking=series.series_booking).values_list(
            "status", flat=True
        )
    )
    assert statuses == {decided[0].status}
    texts = Message.objects.filter(
        recipient=host, template__in=["booking_confirmed", "booking_declined"]
    )
    assert texts.count() == 1

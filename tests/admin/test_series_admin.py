import datetime as dt

import pytest
from django.test import Client

from notifications.models import Message
from tests.factories import MembershipFactory, VenueFactory
from tests.meals.series_helpers import make_series
from venues.models import Booking, Venue

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 10, 12)


@pytest.mark.clock("09:00", on=MONDAY)
def test_approving_several_dates_of_one_series_decides_it_once(host):
    officer = MembershipFactory(person__is_staff=True).person
    venue = VenueFactory(
        organisation=officer.memberships.get().organisation,
        booking_policy=Venue.BookingPolicy.APPROVAL,
    )
    series = make_series(
        host, setting="venue", venue=venue, starts_on=dt.date(2026, 10, 14), count=3
    )
    dates = Booking.objects.filter(series_booking=series.series_booking)
    client = Client()
    client.force_login(officer)

    response = client.post(
        "/admin/venues/booking/",
        {"action": "approve_selected", "_selected_action": [b.pk for b in dates]},
        follow=True,
    )

    assert set(dates.values_list("status", flat=True)) == {"confirmed"}
    notes = [str(m) for m in response.context["messages"]]
    assert notes == ["Approved 3 booking(s)."]
    assert Message.objects.filter(recipient=host, template="booking_confirmed").count() == 1

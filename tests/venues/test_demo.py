import datetime as dt

import pytest
from django.utils import timezone

from people.models import User
from tests.venues.helpers import vincenty_m
from venues.demo import load_venues, next_weekday
from venues.models import Booking, Membership, OpeningHours, Organisation, Venue

pytestmark = pytest.mark.django_db

TOWNS = {
    "saltcoats": (55.6336, -4.7842),
    "irvine": (55.6116, -4.6696),
    "kilwinning": (55.6553, -4.7033),
}


def _snapshot():
    return {
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "people": list(User.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "venues": list(Venue.objects.order_by("pk").values()),
        "hours": list(OpeningHours.objects.order_by("pk").values()),
        "bookings": list(Booking.objects.order_by("pk").values()),
    }


def test_demo_loads_once_and_a_second_run_changes_nothing():
    first = load_venues()
    before = _snapshot()
    second = load_venues()

    assert {k: v.pk for k, v in first.items()} == {k: v.pk for k, v in second.items()}
    assert _snapshot() == before
    assert sorted(first) == [
        "irvine_church_hall",
        "irvine_common_room",
        "kilwinning_library",
        "saltcoats_sheltered_lounge",
        "saltcoats_town_hall",
    ]
    assert Organisation.objects.count() == 2
    assert Venue.objects.count() == 5
    assert Booking.objects.count() == 5


def test_demo_venues_sit_in_their_towns_with_the_promised_policies():
    venues = load_venues()
    for key, venue in venues.items():
        town = TOWNS[key.split("_")[0]]
        assert vincenty_m(*town, venue.location.y, venue.location.x) < 1500, key
    assert venues["irvine_common_room"].booking_policy == "approval"
    assert venues["irvine_common_room"].organisation.name == "Three Towns Housing"
    assert venues["kilwinning_library"].hearing_loop is True
    assert venues["kilwinning_library"].organisation.name == "North Ayrshire Council"
    assert venues["saltcoats_town_hall"].booking_policy == "auto_confirm"
    assert venues["irvine_church_hall"].step_free is False


def test_demo_people_and_the_bookings_the_meal_demo_relies_on():
    venues = load_venues()
    fiona = User.objects.get(phone="+447700900101")
    assert fiona.is_staff and fiona.check_password("blether-demo")
    assert Membership.objects.get(person=fiona).role == "admin"
    ravi = User.objects.get(phone="+447700900102")
    assert Membership.objects.get(person=ravi).organisation.name == "North Ayrshire Council"
    agnes = User.objects.get(phone="+447700900201")

    def local(booking):
        start = timezone.localtime(booking.starts_at)
        return start.weekday(), start.time(), timezone.localtime(booking.ends_at).time()

    lunch = Booking.objects.get(venue=venues["irvine_common_room"], status="confirmed")
    assert (lunch.requested_by_id, local(lunch)) == (agnes.pk, (5, dt.time(12), dt.time(14, 30)))
    assert timezone.localdate(lunch.starts_at) == next_weekday(5)
    tea = Booking.objects.get(venue=venues["kilwinning_library"], status="confirmed")
    assert (tea.requested_by_id, local(tea)) == (agnes.pk, (3, dt.time(15), dt.time(17)))
    assert Booking.objects.filter(status="requested").count() == 2


@pytest.mark.parametrize(
    ("today", "weekday", "expected"),
    [
        (dt.date(2026, 11, 23), 5, dt.date(2026, 11, 28)),  # Monday -> Saturday this week
        (dt.date(2026, 11, 27), 5, dt.date(2026, 12, 5)),  # Friday: too close, the week after
        (dt.date(2026, 11, 28), 5, dt.date(2026, 12, 5)),
        (dt.date(2026, 11, 23), 0, dt.date(2026, 11, 30)),
    ],
)
def test_next_weekday_is_at_least_two_days_ahead(today, weekday, expected):
    assert next_weekday(weekday, today=today) == expected

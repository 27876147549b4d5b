"""The demo's lunch club, driver and lift request: loaded through the services, and a second
`load_demo` changes nothing."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from meals.demo import load_meals
from meals.demo_club import load_club
from meals.lift_selectors import lifts_open_for
from meals.models import Driver, Lift, Meal, MealSeries, Regular, SeriesSafetyAnswer, Signup
from venues.demo import load_venues
from venues.models import Booking

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00", on=dt.date(2027, 3, 10))]

TUESDAYS = [
    dt.date(2027, 3, 16),
    dt.date(2027, 3, 23),
    dt.date(2027, 3, 30),
    dt.date(2027, 4, 6),
    dt.date(2027, 4, 13),
    dt.date(2027, 4, 20),
    dt.date(2027, 4, 27),
    dt.date(2027, 5, 4),
]


def _rows() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            MealSeries,
            SeriesSafetyAnswer,
            Meal,
            Booking,
            Regular,
            Signup,
            Driver,
            Lift,
        )
    }


def test_a_weekly_lunch_club_with_two_regulars_at_the_town_hall():
    venues = load_venues()
    load_meals(venues=venues)
    club = load_club(venues=venues)["saltcoats_lunch_club"]

    assert (club.title, club.status, club.rule, club.count, club.venue) == (
        "Tuesday lunch club",
        "published",
        "weekly",
        12,
        venues["saltcoats_town_hall"],
    )
    dates = club.occurrences.order_by("starts_at")
    assert [timezone.localtime(m.starts_at).date() for m in dates] == TUESDAYS
    # 12:30 in London on each side of the clocks going forward on 28 March.
    assert {timezone.localtime(m.starts_at).time() for m in dates} == {dt.time(12, 30)}
    assert {m.status for m in dates} == {"published"}
    bookings = Booking.objects.filter(series_booking=club.series_booking)
    assert (bookings.count(), set(bookings.values_list("status", flat=True))) == (
        12,
        {"confirmed"},
    )
    regulars = club.regulars.order_by("joined_at", "pk")
    assert [r.person.display_name for r in regulars] == ["Tam Docherty", "Elspeth Kerr"]
    signups = Signup.objects.filter(meal__series=club)
    assert (signups.count(), set(signups.values_list("status", flat=True))) == (16, {"confirmed"})


def test_a_checked_driver_near_saltcoats_sees_tams_open_request():
    venues = load_venues()
    load_meals(venues=venues)
    loaded = load_club(venues=venues)
    club, driver, lift = loaded["saltcoats_lunch_club"], loaded["driver"], loaded["lift"]

    assert (driver.person.display_name, driver.person.phone) == ("Ruth Galbraith", "+447700900401")
    assert (driver.seats, driver.step_free, driver.checked, driver.checked_by.name) == (
        3,
        True,
        True,
        "Three Towns Housing",
    )
    first = club.occurrences.order_by("starts_at").first()
    assert (lift.guest.display_name, lift.meal, lift.status, lift.passengers) == (
        "Tam Docherty",
        first,
        "open",
        1,
    )
    assert lift.pickup_note == "14 Caledonia Road, the green door"
    assert list(lifts_open_for(driver=driver)) == [lift]


def test_load_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    before = _rows()

    call_command("load_demo", stdout=out)

    assert _rows() == before
    counts = {name: len(rows) for name, rows in before.items()}
    assert counts == {
        "MealSeries": 1,
        # Every question the catalogue asks of a weekly venue lunch, answered once.
        "SeriesSafetyAnswer": 7,
        "Meal": 4 + 8,
        # The five of the venues demo, last month's lunch, and one for each of the club's 12.
        "Booking": 5 + 1 + 12,
        "Regular": 2,
        # The street tea's 9, the Irvine lunch's 5, the high tea's 4, last month's 8; the club's 16.
        "Signup": 9 + 5 + 4 + 8 + 16,
        "Driver": 1,
        "Lift": 1,
    }
    assert out.getvalue().splitlines()[-1] == (
        "Demo ready: 5 venues, 4 meals, a weekly lunch club (8 dates written), "
        "a checked driver and an open lift request."
    )

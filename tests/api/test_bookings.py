import datetime as dt

import pytest

from notifications.models import Message
from tests.conftest import client_for
from tests.factories import (
    IRVINE,
    BookingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
    point,
)
from tests.venues.helpers import days_ahead, local_slot
from venues.demo import next_weekday
from venues.models import Booking

pytestmark = pytest.mark.django_db

TAKEN = {"detail": "Sorry, that time is already booked at this venue. Try another time."}


def _iso(day, start, end):
    starts_at, ends_at = local_slot(day, start, end)
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def test_a_resident_finds_a_step_free_room_books_saturday_lunch_and_staff_approve(
    resident_client, resident
):
    housing = OrganisationFactory(name="Three Towns Housing")
    fiona = MembershipFactory(organisation=housing, role="admin").person
    lounge = VenueFactory(
        organisation=housing,
        name="Windmill Court Lounge",
        booking_policy="approval",
        location=point(55.6371, -4.7801),
    )
    VenueFactory(name="Steps Hall", step_free=False, location=point(55.6340, -4.7850))
    VenueFactory(name="Irvine Room", location=point(*IRVINE))

    found = resident_client.get(
        "/api/venues/", {"near": "55.6336,-4.7842", "radius_km": "3", "step_free": "true"}
    ).json()
    assert [v["name"] for v in found["results"]] == ["Windmill Court Lounge"]

    saturday = next_weekday(5)
    asked = resident_client.post(
        f"/api/venues/{lounge.pk}/bookings/",
        {**_iso(saturday, dt.time(12), dt.time(14)), "note": "Soup and sandwiches"},
    )
    assert asked.status_code == 201, asked.json()
    booking = asked.json()
    assert booking["status"] == "requested"
    assert booking["venue"] == {"id": lounge.pk, "name": "Windmill Court Lounge"}
    assert booking["requested_by"] == {"id": resident.pk, "first_name": "Morag"}
    assert booking["meal"] is None
    assert Message.objects.filter(template="booking_requested", recipient=fiona).count() == 1

    fiona_client = client_for(fiona)
    assert [b["id"] for b in fiona_client.get("/api/bookings/").json()["results"]] == [
        booking["id"]
    ]
    approved = fiona_client.post(f"/api/bookings/{booking['id']}/approve/")
    assert approved.status_code == 200
    assert approved.json()["status"] == "confirmed"
    told = Message.objects.get(template="booking_confirmed")
    assert told.recipient_id == resident.pk

    neighbour = client_for(UserFactory(display_name="Jean Kerr"))
    clash = neighbour.post(
        f"/api/venues/{lounge.pk}/bookings/", _iso(saturday, dt.time(12), dt.time(13))
    )
    assert (clash.status_code, clash.json()) == (409, TAKEN)
    assert Booking.objects.filter(venue=lounge).count() == 1


def test_auto_confirm_answers_confirmed(resident_client):
    venue = VenueFactory(booking_policy="auto_confirm")
    response = resident_client.post(
        f"/api/venues/{venue.pk}/bookings/", _iso(days_ahead(5), dt.time(15), dt.time(17))
    )
    assert (response.status_code, response.json()["status"]) == (201, "confirmed")


@pytest.mark.parametrize(
    ("slot", "detail"),
    [
        ((dt.time(14), dt.time(12)), "The booking must end after it starts."),
        (
            (dt.time(6), dt.time(9)),
            "Hall is not open for the whole of that time. "
            "Check its opening hours and try a time inside them.",
        ),
        ((dt.time(8), dt.time(21)), "A booking can be at most 12 hours long."),
    ],
)
def test_slots_the_venue_cannot_take_are_a_400(resident_client, slot, detail):
    venue = VenueFactory(name="Hall")
    response = resident_client.post(f"/api/venues/{venue.pk}/bookings/", _iso(days_ahead(5), *slot))
    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert Booking.objects.count() == 0


def test_past_and_short_notice_are_a_400(resident_client):
    venue = VenueFactory(name="Hall", min_notice_hours=72)
    past = resident_client.post(
        f"/api/venues/{venue.pk}/bookings/", _iso(days_ahead(-1), dt.time(12), dt.time(13))
    )
    assert (past.status_code, past.json()) == (400, {"detail": "That time has already passed."})
    soon = resident_client.post(
        f"/api/venues/{venue.pk}/bookings/", _iso(days_ahead(2), dt.time(12), dt.time(13))
    )
    assert (soon.status_code, soon.json()) == (
        400,
        {"detail": "Hall asks for at least 72 hours' notice."},
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"starts_at": "tomorrow", "ends_at": "2027-01-01T12:00:00Z"},
        {"starts_at": "2027-01-01T12:00:00Z"},
        {"starts_at": "2027-01-01T12:00:00Z", "ends_at": "2027-01-01T14:00:00Z", "note": "x" * 501},
        {"starts_at": "0001-01-01T00:00:00+14:00", "ends_at": "2027-01-01T14:00:00Z"},
    ],
)
def test_malformed_booking_bodies_are_a_400(resident_client, body):
    venue = VenueFactory()
    response = resident_client.post(f"/api/venues/{venue.pk}/bookings/", body)
    assert response.status_code == 400
    assert Booking.objects.count() == 0


def test_booking_an_unknown_or_hidden_venue_is_a_404(resident_client):
    hidden = VenueFactory(active=False)
    slot = _iso(days_ahead(5), dt.time(12), dt.time(13))
    assert resident_client.post(f"/api/venues/{hidden.pk}/bookings/", slot).status_code == 404
    assert resident_client.post("/api/venues/424242/bookings/", slot).status_code == 404


def test_bookings_list_is_mine_plus_my_organisations_venues(resident_client, resident):
    mine = BookingFactory(
        requested_by=resident, starts_at=local_slot(days_ahead(3), dt.time(12), dt.time(13))[0]
    )
    BookingFactory()
    staff = MembershipFactory()
    theirs = BookingFactory(venue=VenueFactory(organisation=staff.organisation))

    ids = [b["id"] for b in resident_client.get("/api/bookings/").json()["results"]]
    assert ids == [mine.pk]
    staff_ids = [b["id"] for b in client_for(staff.person).get("/api/bookings/").json()["results"]]
    assert staff_ids == [theirs.pk]


def test_decline_with_a_reason_and_the_requester_is_told(staff_client, staff_member, resident):
    venue = VenueFactory(organisation=staff_member.organisation, booking_policy="approval")
    booking = BookingFactory(venue=venue, requested_by=resident, status="requested")
    response = staff_client.post(f"/api/bookings/{booking.pk}/decline/", {"reason": "Closed"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_reason"]) == ("declined", "Closed")
    assert Message.objects.get().template == "booking_declined"
    again = staff_client.post(f"/api/bookings/{booking.pk}/approve/")
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "This booking is already declined."},
    )


def test_decline_reason_too_long_is_a_400(staff_client, staff_member):
    venue = VenueFactory(organisation=staff_member.organisation)
    booking = BookingFactory(venue=venue, status="requested")
    response = staff_client.post(f"/api/bookings/{booking.pk}/decline/", {"reason": "x" * 501})
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.status == "requested"


def test_requester_and_staff_cancel(resident_client, resident, staff_client, staff_member):
    venue = VenueFactory(organisation=staff_member.organisation)
    first = BookingFactory(venue=venue, requested_by=resident)
    second = BookingFactory(
        venue=venue,
        requested_by=resident,
        starts_at=first.ends_at,
        ends_at=first.ends_at + dt.timedelta(hours=1),
    )
    assert resident_client.post(f"/api/bookings/{first.pk}/cancel/").json()["status"] == "cancelled"
    assert staff_client.post(f"/api/bookings/{second.pk}/cancel/").json()["status"] == "cancelled"
    assert list(Message.objects.values_list("template", "recipient_id")) == [
        ("booking_cancelled", resident.pk)
    ]
    assert resident_client.post(f"/api/bookings/{first.pk}/cancel/").status_code == 409


IN_USE = {"detail": "A meal uses this booking; its host must cancel the meal first."}


def test_a_booking_under_a_published_meal_cannot_be_cancelled_until_the_meal_is(
    resident, resident_client, staff_member, staff_client
):
    from meals.models import Meal
    from tests.factories import MealFactory, SignupFactory

    venue = VenueFactory(organisation=staff_member.organisation)
    booking = BookingFactory(venue=venue, requested_by=resident)
    meal = MealFactory(
        host=resident, setting="venue", venue=venue, booking=booking, location=venue.location
    )
    SignupFactory(meal=meal)

    by_host = resident_client.post(f"/api/bookings/{booking.pk}/cancel/")
    by_staff = staff_client.post(f"/api/bookings/{booking.pk}/cancel/")

    assert (by_host.status_code, by_host.json()) == (409, IN_USE)
    assert (by_staff.status_code, by_staff.json()) == (409, IN_USE)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert Message.objects.filter(template="booking_cancelled").count() == 0

    cancelled = resident_client.post(f"/api/meals/{meal.pk}/cancel/", {"reason": ""})
    assert cancelled.status_code == 200
    booking.refresh_from_db()
    assert (Meal.objects.get(pk=meal.pk).status, booking.status) == ("cancelled", "cancelled")

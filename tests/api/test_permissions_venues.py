"""Who may do what with venues and bookings, over the API."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import BookingFactory, MembershipFactory, UserFactory, VenueFactory
from tests.permissions import Rule, check_matrix
from tests.venues.helpers import days_ahead, local_slot
from venues.models import Booking, Venue

pytestmark = pytest.mark.django_db


def _slot(hour: int) -> dict:
    starts_at, ends_at = local_slot(days_ahead(9), dt.time(hour), dt.time(hour + 1))
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def _venue_body(organisation_id: int) -> dict:
    return {
        "organisation": organisation_id,
        "name": "New Hall",
        "kind": "community_hall",
        "address": "Main Street",
        "location": {"lat": 55.64, "lng": -4.78},
        "capacity": 20,
    }


@pytest.fixture
def world():
    staff_a = MembershipFactory(role="staff")
    staff_b = MembershipFactory(role="admin")
    requester = UserFactory(has_app=True)
    venue_a = VenueFactory(organisation=staff_a.organisation, booking_policy="approval")
    venue_b = VenueFactory(organisation=staff_b.organisation)

    def requested(hour: int) -> Booking:
        starts_at, ends_at = local_slot(days_ahead(8), dt.time(hour), dt.time(hour + 1))
        return BookingFactory(
            venue=venue_a,
            requested_by=requester,
            starts_at=starts_at,
            ends_at=ends_at,
            status="requested",
        )

    clients = {
        "anonymous": APIClient(),
        "resident": client_for(UserFactory(has_app=True)),
        "requester": client_for(requester),
        "staff_a": client_for(staff_a.person),
        "staff_b": client_for(staff_b.person),
    }
    ids = {
        "org_a": staff_a.organisation_id,
        "venue_a": venue_a.pk,
        "venue_b": venue_b.pk,
        "booking": requested(9).pk,
        "to_approve": requested(10).pk,
        "to_decline": requested(11).pk,
        "to_cancel": requested(12).pk,
        "staff_cancels": requested(13).pk,
    }
    return clients, ids


def test_venue_and_booking_permission_matrix(world):
    clients, ids = world
    org_a_venue = _venue_body(ids["org_a"])
    rules = [
        # Anonymous callers are asked to sign in everywhere.
        *[
            Rule(method, path, "anonymous", 401, body)
            for method, path, body in [
                ("GET", "/api/venues/", None),
                ("POST", "/api/venues/", org_a_venue),
                ("GET", "/api/venues/{venue_a}/", None),
                ("PATCH", "/api/venues/{venue_a}/", {"capacity": 5}),
                ("GET", "/api/venues/{venue_a}/availability/", None),
                ("POST", "/api/venues/{venue_a}/bookings/", _slot(12)),
                ("GET", "/api/bookings/", None),
                ("GET", "/api/bookings/{booking}/", None),
                ("POST", "/api/bookings/{to_approve}/approve/", {}),
                ("POST", "/api/bookings/{to_decline}/decline/", {"reason": "no"}),
                ("POST", "/api/bookings/{to_cancel}/cancel/", {}),
            ]
        ],
        # Anyone signed in may look and ask.
        Rule("GET", "/api/venues/", "resident", 200),
        Rule("GET", "/api/venues/{venue_a}/", "resident", 200),
        Rule("GET", "/api/venues/{venue_a}/availability/", "resident", 200),
        Rule("POST", "/api/venues/{venue_a}/bookings/", "resident", 201, _slot(15)),
        Rule("POST", "/api/venues/{venue_b}/bookings/", "staff_a", 201, _slot(15)),
        # A resident cannot create or change venues.
        Rule("POST", "/api/venues/", "resident", 403, org_a_venue),
        Rule("PATCH", "/api/venues/{venue_a}/", "resident", 403, {"capacity": 5}),
        Rule("PATCH", "/api/venues/{venue_a}/", "requester", 403, {"capacity": 5}),
        # Staff of one organisation cannot touch another's venues.
        Rule("POST", "/api/venues/", "staff_b", 403, org_a_venue),
        Rule("PATCH", "/api/venues/{venue_a}/", "staff_b", 403, {"capacity": 5}),
        Rule("PATCH", "/api/venues/{venue_b}/", "staff_a", 403, {"capacity": 5}),
        # Bookings are visible to the requester and the venue's staff only.
        Rule("GET", "/api/bookings/{booking}/", "resident", 404),
        Rule("GET", "/api/bookings/{booking}/", "staff_b", 404),
        Rule("GET", "/api/bookings/{booking}/", "requester", 200),
        Rule("GET", "/api/bookings/{booking}/", "staff_a", 200),
        # Nobody but the venue's staff decides.
        *[
            Rule("POST", path, role, expected, body)
            for path, body in [
                ("/api/bookings/{to_approve}/approve/", {}),
                ("/api/bookings/{to_decline}/decline/", {"reason": "no"}),
            ]
            for role, expected in [("resident", 404), ("staff_b", 404), ("requester", 403)]
        ],
        # Nobody but the requester and the venue's staff cancels.
        Rule("POST", "/api/bookings/{to_cancel}/cancel/", "resident", 404, {}),
        Rule("POST", "/api/bookings/{to_cancel}/cancel/", "staff_b", 404, {}),
        # The allowed ones last, so the refusals above met live bookings.
        Rule("POST", "/api/venues/", "staff_a", 201, org_a_venue),
        Rule("PATCH", "/api/venues/{venue_a}/", "staff_a", 200, {"capacity": 25}),
        Rule("POST", "/api/bookings/{to_approve}/approve/", "staff_a", 200, {}),
        Rule("POST", "/api/bookings/{to_decline}/decline/", "staff_a", 200, {"reason": "no"}),
        Rule("POST", "/api/bookings/{to_cancel}/cancel/", "requester", 200, {}),
        Rule("POST", "/api/bookings/{staff_cancels}/cancel/", "staff_a", 200, {}),
    ]

    check_matrix(rules, clients=clients, ids=ids)

    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert [
        statuses[ids[k]] for k in ("to_approve", "to_decline", "to_cancel", "staff_cancels")
    ] == [
        "confirmed",
        "declined",
        "cancelled",
        "cancelled",
    ]
    assert statuses[ids["booking"]] == "requested"
    assert Venue.objects.get(pk=ids["venue_a"]).capacity == 25
    assert Venue.objects.get(pk=ids["venue_b"]).capacity == 30
    assert Venue.objects.filter(name="New Hall").count() == 1

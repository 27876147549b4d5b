import datetime as dt

import pytest

from tests.clock import LONDON
from tests.conftest import client_for
from tests.factories import (
    KILWINNING,
    SALTCOATS,
    BookingFactory,
    MembershipFactory,
    OrganisationFactory,
    VenueFactory,
    point,
)
from tests.venues.helpers import days_ahead, local_slot, vincenty_m
from venues.models import OpeningHours, Venue

pytestmark = pytest.mark.django_db

ARDROSSAN = (55.6432, -4.8097)


def test_search_near_saltcoats_lists_nearest_first_with_distances(resident_client):
    organisation = OrganisationFactory(name="North Ayrshire Council", kind="council")
    library = VenueFactory(
        name="Kilwinning Library",
        kind="library",
        organisation=organisation,
        location=point(*KILWINNING),
        hearing_loop=True,
    )
    hall = VenueFactory(name="Ardrossan Hall", kind="community_hall", location=point(*ARDROSSAN))

    response = resident_client.get("/api/venues/", {"near": "55.6336,-4.7842", "radius_km": "6"})

    assert response.status_code == 200
    page = response.json()
    assert (page["count"], page["next"], page["previous"]) == (2, None, None)
    assert [r["id"] for r in page["results"]] == [hall.pk, library.pk]
    first, second = page["results"]
    assert first["distance_m"] == pytest.approx(vincenty_m(*SALTCOATS, *ARDROSSAN), rel=0.005)
    assert second["distance_m"] == pytest.approx(vincenty_m(*SALTCOATS, *KILWINNING), rel=0.005)
    assert second == {
        "id": library.pk,
        "name": "Kilwinning Library",
        "kind": "library",
        "address": "1 Harbour Street, Saltcoats KA21 5AA",
        "location": {"lat": 55.6553, "lng": -4.7033},
        "capacity": 30,
        "accessibility": {
            "step_free": True,
            "accessible_toilet": False,
            "hearing_loop": True,
            "parking": False,
        },
        "facilities": {"kitchen": False, "tea_urn": False, "tables": True, "outdoor_space": False},
        "house_rules": "",
        "organisation": {"id": organisation.pk, "name": "North Ayrshire Council"},
        "booking_policy": "auto_confirm",
        "min_notice_hours": 24,
        "booking_horizon_days": 183,
        "min_booking_minutes": 30,
        "max_bookings_per_person": 4,
        "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "22:00"} for d in range(7)],
        "active": True,
        "distance_m": second["distance_m"],
    }


def test_default_radius_is_5_km_and_filters_combine(resident_client):
    near_hall = VenueFactory(name="Near hall", kind="community_hall", capacity=60)
    VenueFactory(name="Near room", kind="common_room", capacity=60)
    VenueFactory(name="Near steps", kind="community_hall", capacity=60, step_free=False)
    VenueFactory(name="Far hall", kind="community_hall", capacity=60, location=point(*KILWINNING))
    VenueFactory(name="Tiny hall", kind="community_hall", capacity=8)

    def names(**params):
        response = resident_client.get("/api/venues/", {"near": "55.6336,-4.7842", **params})
        assert response.status_code == 200, response.json()
        return [r["name"] for r in response.json()["results"]]

    assert sorted(names()) == ["Near hall", "Near room", "Near steps", "Tiny hall"]
    assert sorted(names(radius_km="10")) == [
        "Far hall",
        "Near hall",
        "Near room",
        "Near steps",
        "Tiny hall",
    ]
    assert names(kind="community_hall", step_free="true", min_capacity="20") == ["Near hall"]
    assert names(step_free="false") == ["Near steps"]
    assert names(organisation=str(near_hall.organisation_id)) == ["Near hall"]


def test_without_near_lists_active_venues_by_name_without_distance(resident_client):
    VenueFactory(name="Beta")
    VenueFactory(name="Alpha")
    VenueFactory(name="Closed", active=False)
    response = resident_client.get("/api/venues/")
    assert [(r["name"], r["distance_m"]) for r in response.json()["results"]] == [
        ("Alpha", None),
        ("Beta", None),
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "55.6,-4.7", "radius_km": "51"}, "radius_km"),
        ({"near": "55.6,-4.7", "radius_km": "0"}, "radius_km"),
        ({"near": "55.6,-4.7", "radius_km": "nan"}, "radius_km"),
        ({"near": "55.6,-4.7", "radius_km": "lots"}, "radius_km"),
        ({"near": "here"}, "near"),
        ({"near": "91,0"}, "near"),
        ({"near": "nan,nan"}, "near"),
        ({"near": "1,2,3"}, "near"),
        ({"kind": "castle"}, "kind"),
        ({"step_free": "perhaps"}, "step_free"),
        ({"min_capacity": "-3"}, "min_capacity"),
        ({"min_capacity": "x"}, "min_capacity"),
        ({"organisation": "abc"}, "organisation"),
        ({"organisation": "99999999999999999999999"}, "organisation"),
    ],
)
def test_bad_search_filters_are_a_400_naming_the_field(resident_client, params, field):
    response = resident_client.get("/api/venues/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_detail_and_not_found(resident_client):
    venue = VenueFactory(name="Windmill Court Lounge")
    hidden = VenueFactory(active=False)
    assert resident_client.get(f"/api/venues/{venue.pk}/").json()["name"] == "Windmill Court Lounge"
    assert resident_client.get(f"/api/venues/{hidden.pk}/").status_code == 404
    assert resident_client.get("/api/venues/999999/").status_code == 404


def test_staff_see_their_own_inactive_venue(staff_client, staff_member):
    venue = VenueFactory(organisation=staff_member.organisation, active=False)
    response = staff_client.get(f"/api/venues/{venue.pk}/")
    assert (response.status_code, response.json()["active"]) == (200, False)


def _new_venue(organisation_id):
    return {
        "organisation": organisation_id,
        "name": "Stevenston Hub",
        "kind": "community_hall",
        "address": "Main Street, Stevenston KA20 3AA",
        "location": {"lat": 55.6425, "lng": -4.7584},
        "capacity": 40,
        "accessibility": {"step_free": True, "hearing_loop": True},
        "facilities": {"kitchen": True},
        "house_rules": "Leave the hall as you found it.",
        "booking_policy": "approval",
        "min_notice_hours": 72,
        "opening_hours": [
            {"weekday": 0, "opens": "09:00", "closes": "12:00"},
            {"weekday": 0, "opens": "13:00", "closes": "17:00"},
            {"weekday": 5, "opens": "10:00", "closes": "16:00"},
        ],
    }


def test_staff_create_a_venue_for_their_organisation(staff_client, staff_member):
    response = staff_client.post("/api/venues/", _new_venue(staff_member.organisation_id))

    assert response.status_code == 201, response.json()
    body = response.json()
    venue = Venue.objects.get(pk=body["id"])
    assert (venue.organisation_id, venue.capacity, venue.min_notice_hours) == (
        staff_member.organisation_id,
        40,
        72,
    )
    assert body["accessibility"] == {
        "step_free": True,
        "accessible_toilet": False,
        "hearing_loop": True,
        "parking": False,
    }
    assert body["facilities"] == {
        "kitchen": True,
        "tea_urn": False,
        "tables": True,
        "outdoor_space": False,
    }
    assert body["location"] == {"lat": 55.6425, "lng": -4.7584}
    assert body["opening_hours"] == [
        {"weekday": 0, "opens": "09:00", "closes": "12:00"},
        {"weekday": 0, "opens": "13:00", "closes": "17:00"},
        {"weekday": 5, "opens": "10:00", "closes": "16:00"},
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"kind": "castle"}, "kind"),
        ({"location": {"lat": 95, "lng": 0}}, "location"),
        ({"location": "Saltcoats"}, "location"),
        ({"opening_hours": [{"weekday": 7, "opens": "09:00", "closes": "12:00"}]}, "opening_hours"),
        ({"opening_hours": [{"weekday": 1, "opens": "12:00", "closes": "09:00"}]}, "opening_hours"),
        ({"organisation": 999999}, "organisation"),
        ({"booking_policy": "first_come"}, "booking_policy"),
    ],
)
def test_bad_venue_input_is_a_400_and_nothing_is_written(staff_client, staff_member, change, field):
    body = {**_new_venue(staff_member.organisation_id), **change}
    response = staff_client.post("/api/venues/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert Venue.objects.count() == 0


def test_staff_patch_changes_only_what_is_sent(staff_client, staff_member):
    venue = VenueFactory(organisation=staff_member.organisation, capacity=30, parking=False)
    response = staff_client.patch(
        f"/api/venues/{venue.pk}/",
        {
            "capacity": 45,
            "accessibility": {"parking": True},
            "opening_hours": [{"weekday": 2, "opens": "10:00", "closes": "15:00"}],
        },
    )
    assert response.status_code == 200, response.json()
    venue.refresh_from_db()
    assert (venue.capacity, venue.parking, venue.step_free, venue.name) == (
        45,
        True,
        True,
        venue.name,
    )
    assert list(OpeningHours.objects.filter(venue=venue).values_list("weekday", "opens")) == [
        (2, dt.time(10))
    ]


def test_put_is_not_offered(staff_client, staff_member):
    venue = VenueFactory(organisation=staff_member.organisation)
    assert staff_client.put(f"/api/venues/{venue.pk}/", {}).status_code == 405


def test_availability_shows_hours_and_busy_times_without_people(resident_client):
    venue = VenueFactory()
    day = days_ahead(8)
    starts_at, ends_at = local_slot(day, dt.time(12), dt.time(14))
    BookingFactory(venue=venue, starts_at=starts_at, ends_at=ends_at, status="requested")
    BookingFactory(
        venue=venue,
        starts_at=starts_at + dt.timedelta(hours=3),
        ends_at=ends_at + dt.timedelta(hours=3),
        status="cancelled",
    )
    BookingFactory(
        venue=venue,
        starts_at=starts_at + dt.timedelta(days=20),
        ends_at=ends_at + dt.timedelta(days=20),
    )
    window_start, window_end = local_slot(day, dt.time(0), dt.time(23))

    response = resident_client.get(
        f"/api/venues/{venue.pk}/availability/",
        {"from": window_start.isoformat(), "to": window_end.isoformat()},
    )

    assert response.status_code == 200
    body = response.json()
    # Times come in London's offset of the day: "Z" in winter, "+01:00" in summer.
    assert body["busy"] == [
        {
            "starts_at": starts_at.astimezone(LONDON).isoformat().replace("+00:00", "Z"),
            "ends_at": ends_at.astimezone(LONDON).isoformat().replace("+00:00", "Z"),
        }
    ]
    assert len(body["opening_hours"]) == 7
    assert set(body) == {"opening_hours", "busy"}


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday"},
        {"from": "2027-01-02T10:00:00Z", "to": "2027-01-01T10:00:00Z"},
        {"from": "2027-01-01T10:00:00Z", "to": "2027-06-01T10:00:00Z"},
        {"from": "9999-12-31T23:00:00Z"},
    ],
)
def test_bad_availability_windows_are_a_400(resident_client, params):
    venue = VenueFactory()
    response = resident_client.get(f"/api/venues/{venue.pk}/availability/", params)
    assert response.status_code == 400


def test_staff_of_another_organisation_cannot_patch(staff_client):
    venue = VenueFactory(capacity=30)
    response = staff_client.patch(f"/api/venues/{venue.pk}/", {"capacity": 99})
    assert response.status_code == 403
    venue.refresh_from_db()
    assert venue.capacity == 30


def test_a_member_of_two_organisations_manages_both(staff_member):
    other = MembershipFactory(person=staff_member.person).organisation
    venue = VenueFactory(organisation=other)
    client = client_for(staff_member.person)
    assert client.patch(f"/api/venues/{venue.pk}/", {"capacity": 12}).status_code == 200

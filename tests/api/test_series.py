import datetime as dt

import pytest

from meals.models import Meal, MealSeries, Regular, Signup
from tests.clock import london
from tests.factories import BookingFactory, VenueFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.meals.series_helpers import published_series
from venues.models import Booking

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 10, 12)
FIRST = dt.date(2026, 10, 14)
LUNCH = {
    "setting": "street",
    "kind": "shared_lunch",
    "title": "Wednesday lunch club",
    "capacity": 12,
    "location": {"lat": 55.6336, "lng": -4.7842},
    "place_description": "The green behind the flats",
    "start_time": "12:30",
    "duration_minutes": 90,
    "rule": "weekly",
    "starts_on": "2026-10-21",
    "count": 4,
}


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_host_starts_a_weekly_lunch(host_client):
    response = host_client.post("/api/series/", LUNCH, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rule_text"] == "every Wednesday"
    assert body["status"] == "draft"
    assert body["start_time"] == "12:30"
    assert [(d["occurs_on"], d["starts_at"]) for d in body["upcoming"]] == [
        ("2026-10-21", "2026-10-21T12:30:00+01:00"),
        ("2026-10-28", "2026-10-28T12:30:00Z"),
        ("2026-11-04", "2026-11-04T12:30:00Z"),
        ("2026-11-11", "2026-11-11T12:30:00Z"),
    ]
    meal = host_client.get(f"/api/meals/{body['upcoming'][0]['id']}/").json()
    assert (meal["series"], meal["repeats"], meal["status"]) == (body["id"], "weekly", "draft")


@pytest.mark.clock("09:00", on=MONDAY)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"count": None}, "until"),
        ({"count": 0}, "count"),
        ({"rule": "monthly", "nth": 5}, "nth"),
        ({"rule": "monthly", "nth": None}, "nth"),
        ({"until": "2026-12-01"}, "until"),
        ({"start_time": "25:00"}, "start_time"),
        ({"setting": "venue"}, "venue"),
    ],
)
def test_a_series_that_cannot_be_is_a_400_and_writes_nothing(host_client, change, field):
    body = {**LUNCH, **change}

    response = host_client.post("/api/series/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert MealSeries.objects.count() == 0
    assert Meal.objects.count() == 0


@pytest.mark.clock("09:00", on=MONDAY)
def test_the_host_answers_once_and_publishes_every_date(host_client):
    series_id = host_client.post("/api/series/", LUNCH, format="json").json()["id"]
    sheet = host_client.get(f"/api/series/{series_id}/safety/").json()
    answers = [{"key": row["key"], "answer": "yes"} for row in sheet]
    assert "regular_food_registered" in [row["key"] for row in sheet]

    put = host_client.put(f"/api/series/{series_id}/safety/", {"answers": answers}, format="json")
    published = host_client.post(f"/api/series/{series_id}/publish/")

    assert put.status_code == 200
    assert {row["answer"] for row in put.json()} == {"yes"}
    assert published.status_code == 200, published.json()
    assert [d["status"] for d in published.json()["upcoming"]] == ["published"] * 4
    again = host_client.post(f"/api/series/{series_id}/publish/")
    assert again.status_code == 400
    assert again.json()["reasons"][0]["code"] == "not_draft"


@pytest.mark.clock("09:00", on=MONDAY)
def test_publishing_unanswered_lists_the_questions(host_client):
    series_id = host_client.post("/api/series/", LUNCH, format="json").json()["id"]

    response = host_client.post(f"/api/series/{series_id}/publish/")

    assert response.status_code == 400
    assert {r["code"] for r in response.json()["reasons"]} == {"prompt_unanswered"}
    assert set(Meal.objects.values_list("status", flat=True)) == {"draft"}


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_neighbour_comes_every_time_skips_a_date_and_stops(host, resident, resident_client):
    series = published_series(host, starts_on=FIRST, count=3)
    url = f"/api/series/{series.pk}/regulars/"

    joined = resident_client.post(url, {"party_size": 2}, format="json")
    twice = resident_client.post(url, {}, format="json")
    second = series.occurrences.get(occurs_on=FIRST + dt.timedelta(weeks=1))
    signup = Signup.objects.get(meal=second, person=resident)
    skipped = resident_client.delete(f"/api/meals/{second.pk}/signups/{signup.pk}/")
    shown = resident_client.get(f"/api/series/{series.pk}/").json()

    assert joined.status_code == 201
    assert joined.json()["signed_up"] == 3
    assert joined.json()["party_size"] == 2
    assert twice.status_code == 409
    assert skipped.status_code == 204
    assert shown["my_regular"] == 2
    assert shown["regulars_count"] == 1
    statuses = Signup.objects.filter(person=resident).order_by("meal__starts_at")
    assert list(statuses.values_list("status", flat=True)) == [
        "confirmed",
        "cancelled",
        "confirmed",
    ]

    stopped = resident_client.delete(f"{url}me/")

    assert stopped.status_code == 204
    assert not Regular.objects.exists()
    assert set(Signup.objects.filter(person=resident).values_list("status", flat=True)) == {
        "cancelled"
    }
    listed = resident_client.get("/api/series/").json()
    assert listed["results"] == []


@pytest.mark.clock("09:00", on=MONDAY)
def test_the_host_changes_the_series_and_then_ends_it(host, host_client):
    series = published_series(host, starts_on=FIRST, count=3)

    changed = host_client.patch(
        f"/api/series/{series.pk}/",
        {"from_date": "2026-10-21", "start_time": "13:00", "capacity": 8},
        format="json",
    )
    ended = host_client.post(f"/api/series/{series.pk}/end/")
    after = host_client.patch(f"/api/series/{series.pk}/", {"title": "Lunch"}, format="json")

    assert changed.status_code == 200, changed.json()
    assert [d["starts_at"][11:16] for d in changed.json()["upcoming"]] == [
        "12:30",
        "13:00",
        "13:00",
    ]
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended"
    assert {d["status"] for d in ended.json()["upcoming"]} == {"cancelled"}
    assert after.status_code == 400


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_venue_series_lists_the_dates_that_clash(host_client):
    venue = VenueFactory(name="Dockhead Hall", booking_policy="approval")
    BookingFactory(
        venue=venue,
        starts_at=london("12:00", on=dt.date(2026, 10, 28)),
        ends_at=london("13:00", on=dt.date(2026, 10, 28)),
    )
    body = {**LUNCH, "setting": "venue", "venue": venue.pk, "count": 3}
    del body["location"], body["place_description"]

    response = host_client.post("/api/series/", body, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["venue"] == venue.pk
    assert created["clashes"] == [
        {
            "starts_at": "2026-10-28T12:30:00Z",
            "ends_at": "2026-10-28T14:00:00Z",
            "reason": "Sorry, that time is already booked at this venue. Try another time.",
        }
    ]
    assert [d["occurs_on"] for d in created["upcoming"]] == ["2026-10-21", "2026-11-04"]
    assert Booking.objects.filter(series_booking__isnull=False).count() == 2

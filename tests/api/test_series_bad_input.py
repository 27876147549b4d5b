"""A hostile host's series: every body that cannot be a series is a 400 naming the field and
writes nothing at all (series, dates, bookings, answers)."""

import datetime as dt

import pytest

from meals.models import Meal, MealSeries, Regular, SeriesSafetyAnswer
from tests.api.test_series import FIRST, LUNCH, MONDAY
from tests.factories import VenueFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.meals.series_helpers import published_series
from venues.models import Booking, SeriesBooking

pytestmark = pytest.mark.django_db

TABLES = (MealSeries, Meal, Booking, SeriesBooking, SeriesSafetyAnswer, Regular)


def _rows() -> list[int]:
    return [table.objects.count() for table in TABLES]


@pytest.mark.clock("09:00", on=MONDAY)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"until": "2026-11-30"}, "until"),  # both ends (LUNCH has a count)
        ({"count": 53}, "count"),
        ({"count": 10**12}, "count"),
        ({"count": None, "until": "2026-10-20"}, "until"),  # before starts_on
        ({"count": None, "until": "2027-11-01"}, "until"),  # more than a year
        ({"starts_on": "2026-10-11"}, "starts_on"),
        ({"starts_on": "2036-10-22"}, "starts_on"),
        ({"starts_on": "9999-12-29"}, "starts_on"),
        ({"start_time": "12:30+01:00"}, "start_time"),
        ({"start_time": "2026-10-21T12:30:00"}, "start_time"),
        ({"start_time": "half twelve"}, "start_time"),
        ({"start_time": 1230}, "start_time"),
        ({"start_time": "23:00", "duration_minutes": 120}, "duration_minutes"),
        ({"start_time": "00:00", "duration_minutes": 721}, "duration_minutes"),
        ({"rule": "monthly", "nth": -2}, "nth"),
        ({"rule": "weekly", "nth": 2}, "nth"),
        ({"rule": {"every": ["week"]}}, "rule"),
        ({"count": {"n": [4]}}, "count"),
        ({"title": {"nested": {"deep": 1}}}, "title"),
        ({"location": {"lat": {"x": 1}, "lng": -4.78}}, "location"),
        ({"starts_on": ["2026-10-21"]}, "starts_on"),
        ({"dietary_options": [{"a": 1}]}, "dietary_options"),
        ({"setting": "venue", "venue": {"id": 1}}, "venue"),
        ({"rule": "monthly", "nth": 2, "count": None, "until": "2026-11-10"}, "starts_on"),
    ],
)
def test_a_body_that_cannot_be_a_series_is_a_400_and_writes_nothing(host_client, change, field):
    before = _rows()

    response = host_client.post("/api/series/", {**LUNCH, **change}, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert _rows() == before == [0] * len(TABLES)


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_date_ending_at_midnight_is_allowed(host_client):
    body = {**LUNCH, "start_time": "22:30", "duration_minutes": 90, "count": 1}

    response = host_client.post("/api/series/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["upcoming"][0]["starts_at"] == "2026-10-21T22:30:00+01:00"


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_change_that_would_run_past_midnight_is_a_400_and_changes_nothing(host, host_client):
    series = published_series(host, starts_on=FIRST, count=3)
    before = list(Meal.objects.order_by("pk").values_list("starts_at", "ends_at"))

    late = host_client.patch(f"/api/series/{series.pk}/", {"start_time": "23:00"}, format="json")
    long = host_client.patch(f"/api/series/{series.pk}/", {"duration_minutes": 700}, format="json")

    assert (late.status_code, long.status_code) == (400, 400)
    assert "duration_minutes" in late.json()
    series.refresh_from_db()
    assert (series.start_time, series.duration_minutes, series.revision) == (
        dt.time(12, 30),
        90,
        0,
    )
    assert list(Meal.objects.order_by("pk").values_list("starts_at", "ends_at")) == before


@pytest.mark.clock("09:00", on=MONDAY)
def test_a_series_starting_beyond_the_first_eight_weeks_is_made_with_no_date_yet(host_client):
    body = {**LUNCH, "starts_on": "2027-01-06", "count": 4}

    response = host_client.post("/api/series/", body, format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["upcoming"], response.json()["status"]) == ([], "draft")
    assert (MealSeries.objects.count(), Meal.objects.count()) == (1, 0)


@pytest.mark.clock("09:00", on=MONDAY)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity": 41}, "capacity"),
        ({"location": {"lat": 55.64, "lng": -4.78}}, "location"),
        ({"on_road": True}, "on_road"),
        ({"step_free": False}, "step_free"),
    ],
)
def test_a_venue_series_with_no_date_yet_keeps_to_its_venue(host_client, change, field):
    venue = VenueFactory(capacity=40, step_free=True, booking_horizon_days=365)
    body = {**LUNCH, "setting": "venue", "venue": venue.pk, "starts_on": "2027-01-06"}
    del body["location"]
    created = host_client.post("/api/series/", body, format="json")
    assert created.status_code == 201, created.json()
    series_id = created.json()["id"]

    response = host_client.patch(f"/api/series/{series_id}/", change, format="json")

    assert response.status_code == 400
    assert field in response.json()
    series = MealSeries.objects.get(pk=series_id)
    assert (series.capacity, series.on_road, series.step_free, series.revision) == (
        12,
        False,
        True,
        0,
    )

"""Bad input gets a clear 4xx, never a 500, and nothing is written: deeply nested JSON on every
operation that takes a body, form and multipart bodies, naive datetimes, OPTIONS with csv."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from api.parsers import MAX_JSON_DEPTH, TOO_DEEP
from meals.models import Driver, Lift, Meal
from tests.conftest import client_for
from tests.factories import (
    BookingFactory,
    MealFactory,
    MembershipFactory,
    OrganisationFactory,
    SignupFactory,
    VenueFactory,
)
from tests.meals.series_helpers import make_series
from venues.models import Booking

pytestmark = pytest.mark.django_db

DEEP = {
    "arrays": "[" * 5000,
    "objects": '{"a":' * 5000,
    "one-too-deep": "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
}
REFUSED = {"detail": TOO_DEEP}
NO_TOKEN = {"detail": "Authentication credentials were not provided."}
NAIVE = ["Give times with a UTC offset, e.g. 2026-11-28T12:00:00+00:00."]
BOUNDARY = "BletherBoundary"
BODY_METHODS = {"post", "put", "patch"}


@pytest.fixture
def world(db):
    """A staff member whose organisation runs a venue, who hosts a meal and booked the venue."""
    membership = MembershipFactory(role="staff")
    person = membership.person
    venue = VenueFactory(organisation=membership.organisation)
    meal = MealFactory(host=person)
    guest = SignupFactory(meal=meal)
    ids = {
        "meals": meal.pk,
        "venues": venue.pk,
        "bookings": BookingFactory(venue=venue, requested_by=person).pk,
        "organisations": membership.organisation.pk,
        "signups": guest.pk,
        "lifts": _lift_driven_by(person, guest).pk,
        "series": make_series(person).pk,
    }
    return person, ids


def _lift_driven_by(person, signup) -> Lift:
    """A lift `person`, a checked driver, has taken, so its operations get as far as the body."""
    driver = Driver.objects.create(
        person=person,
        seats=3,
        max_km=5,
        checked_by=OrganisationFactory(),
        checked_at=timezone.now(),
    )
    return Lift.objects.create(
        signup=signup,
        meal=signup.meal,
        guest=signup.person,
        area=signup.person.home_location,
        status=Lift.Status.TAKEN,
        driver=driver,
    )


def operations(api_client) -> list[tuple[str, str, bool]]:
    """(method, path, needs a token) for every operation whose schema takes a JSON body."""
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if method in BODY_METHODS and "application/json" in content:
                open_to_all = {} in operation.get("security", [{}])
                found.append((method, path, not open_to_all))
    return found


def url(path: str, ids: dict) -> str:
    """Fill {id} and {sid} with the world's own rows, so each request gets as far as the body."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        if part == "{id}":
            parts[i] = str(ids[parts[i - 1]])
        elif part == "{sid}":
            parts[i] = str(ids["signups"])
    return "/".join(parts)


@pytest.mark.parametrize("shape", DEEP)
def test_deeply_nested_json_is_a_400_on_every_operation_that_takes_a_body(api_client, world, shape):
    person, ids = world
    found = operations(api_client)
    assert len(found) >= 15  # the schema was read, not an empty list
    signed_in = client_for(person)

    answers = {
        (method, path): (response.status_code, response.json())
        for method, path, _ in found
        for response in [
            signed_in.generic(
                method.upper(), url(path, ids), DEEP[shape], content_type="application/json"
            )
        ]
    }

    assert answers == {(method, path): (400, REFUSED) for method, path, _ in found}


@pytest.mark.parametrize("shape", DEEP)
def test_deeply_nested_json_without_a_token_is_a_400_or_the_401_it_would_get_anyway(
    api_client, world, shape
):
    _, ids = world
    found = operations(api_client)

    answers = {
        (method, path): (response.status_code, response.json())
        for method, path, _ in found
        for response in [
            APIClient().generic(
                method.upper(), url(path, ids), DEEP[shape], content_type="application/json"
            )
        ]
    }

    assert answers == {
        (method, path): (401, NO_TOKEN) if needs_token else (400, REFUSED)
        for method, path, needs_token in found
    }
    assert {path for _, path, needs_token in found if not needs_token} == {
        "/api/auth/code/",
        "/api/auth/token/",
        "/api/auth/token/refresh/",
    }


def test_json_nested_to_the_limit_is_parsed_and_answered_by_the_view(resident_client):
    response = resident_client.generic(
        "PATCH",
        "/api/me/",
        '{"display_name": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"display_name": ["Not a valid string."]}


FORM_BODIES = {
    "form": ("application/x-www-form-urlencoded", "a=1&a=2&x[y][z]=1&text=" + "%5B" * 5000),
    "form-bad-bytes": ("application/x-www-form-urlencoded", b"text=%ff%fe&\xff\xfe=1"),
    "multipart": (
        f"multipart/form-data; boundary={BOUNDARY}",
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="text"\r\n\r\nhello\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nabc\r\n--{BOUNDARY}--\r\n",
    ),
    "multipart-garbage": (f"multipart/form-data; boundary={BOUNDARY}", "--nope\r\ngarbage"),
    "multipart-no-boundary": ("multipart/form-data", "garbage"),
    "json-not-json": ("application/json", '{"a": [1, 2'),
    "json-bad-bytes": ("application/json", b'{"text": "\xff\xfe"}'),
    "json-nan": ("application/json", '{"capacity": NaN}'),
    "xml": ("application/xml", "<a/>"),
}


@pytest.mark.parametrize("kind", FORM_BODIES)
def test_form_multipart_and_broken_bodies_never_get_a_server_error(api_client, world, kind):
    person, ids = world
    content_type, body = FORM_BODIES[kind]
    signed_in = client_for(person)
    signed_in.raise_request_exception = False

    answers = {}
    for method, path, _ in operations(api_client):
        response = signed_in.generic(
            method.upper(), url(path, ids), body, content_type=content_type
        )
        answers[(method, path)] = response.status_code
        body_json = response.json()
        assert isinstance(body_json, dict) and body_json, (method, path, body_json)

    assert {code for code in answers.values() if code >= 500} == set()


def test_a_multipart_body_without_a_boundary_is_a_400_that_says_so(host_client, host):
    meal = MealFactory(host=host, title="Soup")

    response = host_client.generic(
        "PATCH", f"/api/meals/{meal.pk}/", "garbage", content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Multipart form parse error - Invalid boundary in multipart: None"
    }
    meal.refresh_from_db()
    assert meal.title == "Soup"


def test_options_on_the_report_as_csv_describes_it_in_json():
    membership = MembershipFactory(role="staff")
    client = client_for(membership.person)

    response = client.options(f"/api/organisations/{membership.organisation.pk}/report/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["name"] == "Report"
    assert body["renders"] == ["application/json", "text/csv"]


# ---------------------------------------------------------------- naive datetimes

# 01:30 on 31 October 2027 happens twice in London: no zone can place it.
REPEATED = "2027-10-31T01:30:00"
pinned = pytest.mark.clock("10:00", on=dt.date(2027, 10, 20), tick=True)


def street_tea(starts_at: str, ends_at: str) -> dict:
    return {
        "kind": "street_tea",
        "title": "Tea outside the close",
        "setting": "street",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": {"lat": 55.6336, "lng": -4.7842},
        "place_description": "Outside 14 Dockhead Street",
        "capacity": 10,
    }


@pinned
def test_a_meal_with_naive_times_is_refused_and_nothing_is_written(host_client):
    response = host_client.post(
        "/api/meals/", street_tea(REPEATED, "2027-10-31T03:30:00"), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"starts_at": NAIVE, "ends_at": NAIVE}
    assert Meal.objects.count() == 0


@pinned
def test_a_meal_in_the_repeated_hour_is_placed_exactly_where_its_offset_says(host_client):
    response = host_client.post(
        "/api/meals/",
        street_tea("2027-10-31T01:30:00+00:00", "2027-10-31T03:30:00+00:00"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    meal = Meal.objects.get()
    assert meal.starts_at == dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC)
    assert meal.ends_at - meal.starts_at == dt.timedelta(hours=2)
    assert (response.json()["starts_at"], response.json()["ends_at"]) == (
        "2027-10-31T01:30:00Z",
        "2027-10-31T03:30:00Z",
    )


@pinned
def test_moving_a_meal_to_a_naive_time_is_refused_and_the_meal_stays(host_client, host):
    meal = MealFactory(host=host)
    before = (meal.starts_at, meal.ends_at)

    response = host_client.patch(f"/api/meals/{meal.pk}/", {"starts_at": REPEATED}, format="json")

    assert response.status_code == 400
    assert response.json() == {"starts_at": NAIVE}
    meal.refresh_from_db()
    assert (meal.starts_at, meal.ends_at) == before


@pinned
def test_a_naive_time_in_a_form_body_is_refused_too(host_client, host):
    meal = MealFactory(host=host)

    response = host_client.patch(
        f"/api/meals/{meal.pk}/",
        "starts_at=2027-10-31T01%3A30%3A00",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert response.json() == {"starts_at": NAIVE}


@pinned
def test_a_booking_with_naive_times_is_refused_and_nothing_is_written(resident_client):
    venue = VenueFactory()

    response = resident_client.post(
        f"/api/venues/{venue.pk}/bookings/",
        {"starts_at": "2027-10-30T12:00:00", "ends_at": "2027-10-30T14:00:00+01:00"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"starts_at": NAIVE}
    assert Booking.objects.count() == 0


@pinned
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/meals/", {"from": REPEATED}),
        ("/api/meals/", {"to": "2027-10-31"}),
        ("/api/venues/{venue}/availability/", {"from": REPEATED}),
        ("/api/venues/{venue}/availability/", {"to": "2027-10-31T12:00"}),
    ],
)
def test_naive_times_in_a_query_are_refused(resident_client, path, params):
    venue = VenueFactory()

    response = resident_client.get(path.format(venue=venue.pk), params)

    assert response.status_code == 400
    assert response.json() == {name: NAIVE for name in params}


def _input_serializers():
    """Every serializer the API parses with: by the house style, the classes named ...In."""
    import importlib
    import pkgutil

    import api.serializers
    import api.views

    for package in (api.serializers, api.views):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
    seen, stack = set(), [serializers.Serializer]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if (
                cls.__module__.startswith("api.")
                and cls.__name__.endswith("In")
                and cls not in seen
            ):
                seen.add(cls)
                yield cls


def _writable_datetimes(serializer, prefix=""):
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            yield from _writable_datetimes(field, f"{prefix}{name}.")
        elif isinstance(field, serializers.DateTimeField) and not field.read_only:
            yield f"{prefix}{name}", field


def test_every_datetime_the_api_reads_must_carry_a_utc_offset():
    checked = {}
    for cls in _input_serializers():
        for name, field in _writable_datetimes(cls()):
            checked[f"{cls.__name__}.{name}"] = type(field).__name__

    assert len(checked) >= 8  # the serializers were found, not an empty walk
    assert {k: v for k, v in checked.items() if v != "AwareDateTimeField"} == {}

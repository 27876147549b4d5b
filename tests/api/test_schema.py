"""The schema says what the server does: 401 wherever a token is needed, 400 and 404 for bad
paging, on every operation, checked against real answers."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from meals.models import Driver, Lift
from tests.conftest import client_for
from tests.factories import (
    BookingFactory,
    MealFactory,
    MembershipFactory,
    SignupFactory,
    VenueFactory,
)
from tests.meals.series_helpers import make_series

pytestmark = pytest.mark.django_db

NO_TOKEN = {"detail": "Authentication credentials were not provided."}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(api_client) -> dict:
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def world(db):
    """A staff member whose organisation runs a venue, who hosts a meal and booked the venue."""
    membership = MembershipFactory(role="staff")
    venue = VenueFactory(organisation=membership.organisation)
    meal = MealFactory(host=membership.person)
    guest = SignupFactory(meal=meal)
    # Checked and hosting the meal, so the list of lift requests is theirs to page through.
    Driver.objects.create(
        person=membership.person,
        seats=3,
        max_km=5,
        checked_by=membership.organisation,
        checked_at=timezone.now(),
    )
    lift = Lift.objects.create(
        signup=guest, meal=meal, guest=guest.person, area=guest.person.home_location
    )
    ids = {
        "lifts": lift.pk,
        "meals": meal.pk,
        "venues": venue.pk,
        "bookings": BookingFactory(venue=venue, requested_by=membership.person).pk,
        "organisations": membership.organisation.pk,
        "signups": SignupFactory(meal=meal).pk,
        "series": make_series(membership.person).pk,
    }
    return membership.person, ids


def url(path: str, ids: dict) -> str:
    parts = path.split("/")
    for i, part in enumerate(parts):
        if part == "{id}":
            parts[i] = str(ids[parts[i - 1]])
        elif part == "{sid}":
            parts[i] = str(ids["signups"])
    return "/".join(parts)


def each_operation(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def test_every_operation_that_needs_a_token_documents_401_and_answers_it(schema, world):
    _, ids = world
    needs_token = [
        (method, path, operation)
        for method, path, operation in each_operation(schema)
        if {} not in operation.get("security", [{}])
    ]
    assert len(needs_token) >= 30  # the schema was read, not an empty list

    documented = {(m, p): "401" in op["responses"] for m, p, op in needs_token}
    answers = {
        (method, path): (response.status_code, response.json())
        for method, path, _ in needs_token
        for response in [APIClient().generic(method.upper(), url(path, ids))]
    }

    assert documented == {(m, p): True for m, p, _ in needs_token}
    assert answers == {(m, p): (401, NO_TOKEN) for m, p, _ in needs_token}


def test_only_sign_in_the_twilio_webhooks_and_the_health_check_are_open_to_all(schema):
    open_to_all = {
        (method, path)
        for method, path, operation in each_operation(schema)
        if {} in operation.get("security", [{}])
    }

    assert open_to_all == {
        ("post", "/api/auth/code/"),
        ("post", "/api/auth/token/"),
        ("post", "/api/auth/token/refresh/"),
        ("post", "/api/sms/inbound/"),
        ("post", "/api/sms/status/"),
        ("get", "/healthz"),
        # A calendar app cannot sign in: the feed's token is its credential.
        ("get", "/api/calendar/feed.ics"),
    }
    for method, path in open_to_all - {("post", "/api/auth/token/refresh/")}:
        assert "401" not in schema["paths"][path][method]["responses"], (method, path)


def test_paginated_lists_document_and_answer_a_bad_page_size_and_a_page_past_the_end(schema, world):
    person, ids = world
    client = client_for(person)
    lists = [
        (path, operation)
        for method, path, operation in each_operation(schema)
        if method == "get" and "page_size" in {p["name"] for p in operation.get("parameters", [])}
    ]
    assert {path for path, _ in lists} == {
        "/api/bookings/",
        "/api/lifts/",
        "/api/me/signups/",
        "/api/meals/",
        "/api/meals/{id}/dishes/",
        "/api/meals/{id}/signups/",
        "/api/series/",
        "/api/venues/",
    }

    documented = {path: {"400", "404"} <= set(op["responses"]) for path, op in lists}
    answers = {
        path: [
            (r.status_code, r.json())
            for r in (
                client.get(url(path, ids), {"page_size": "0"}),
                client.get(url(path, ids), {"page_size": "ten"}),
                client.get(url(path, ids), {"page": "999"}),
            )
        ]
        for path, _ in lists
    }

    assert documented == {path: True for path, _ in lists}
    page_size = {"page_size": ["Give a whole number from 1."]}
    assert answers == {
        path: [(400, page_size), (400, page_size), (404, {"detail": "Invalid page."})]
        for path, _ in lists
    }

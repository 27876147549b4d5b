"""Who may do what with lifts, and who ever sees a pick-up note: the guest, and the driver who
took the lift, until the meal ends; nobody else, in any answer."""

import datetime as dt
import json

import pytest
import time_machine
from rest_framework.test import APIClient

from meals.models import Lift
from meals.services.lifts import lift_take, pickup_notes_forget
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.lift_world import driver, guest_with_lift, lunch
from tests.permissions import Rule, check_matrix

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]

NOTE = "14 Ardrossan Road, blue door"
L = "/api/lifts/{lift}/"
OPEN = "/api/lifts/{open}/"
ML = "/api/meals/{meal}/lift/"
MESSAGE = {"text": "Red Fiat"}
OFFER = {"seats": 2, "max_km": "3"}


@pytest.fixture
def world():
    meal = lunch()
    ann = driver()
    lift = guest_with_lift(meal, note=NOTE)
    lift_take(lift=lift, by=ann.person)
    still_open = guest_with_lift(meal, name="Isa Reid", note="Flat 3")
    people = {
        "guest": lift.guest,
        "driver": ann.person,
        "other_driver": driver(name="Rab Muir").person,
        "unchecked": driver(name="Tam Hay", checked=False).person,
        "host": meal.host,
        "other_guest": still_open.guest,
        "stranger": UserFactory(has_app=True),
    }
    clients = {"anonymous": APIClient(), **{role: client_for(p) for role, p in people.items()}}
    ids = {"lift": lift.pk, "open": still_open.pk, "meal": meal.pk}
    return clients, ids, meal


RULES = [
    Rule("GET", "/api/lifts/", "anonymous", 401),
    Rule("GET", "/api/lifts/", "stranger", 403),
    Rule("GET", "/api/lifts/", "unchecked", 403),
    Rule("GET", "/api/lifts/", "host", 403),
    Rule("GET", "/api/lifts/", "other_driver", 200),
    Rule("GET", L, "anonymous", 401),
    Rule("GET", L, "guest", 200),
    Rule("GET", L, "driver", 200),
    Rule("GET", L, "other_driver", 404),
    Rule("GET", L, "unchecked", 404),
    Rule("GET", L, "host", 404),
    Rule("GET", L, "other_guest", 404),
    Rule("POST", L + "withdraw/", "other_guest", 404),
    Rule("POST", L + "message/", "other_guest", 404, MESSAGE),
    Rule("GET", L, "stranger", 404),
    Rule("GET", OPEN, "other_driver", 200),
    Rule("GET", OPEN, "unchecked", 404),
    Rule("GET", "/api/lifts/nope/", "driver", 404),
    Rule("POST", L + "take/", "other_driver", 404),
    Rule("POST", L + "take/", "guest", 403),
    Rule("POST", OPEN + "take/", "unchecked", 403),
    Rule("POST", OPEN + "take/", "stranger", 403),
    Rule("POST", L + "withdraw/", "guest", 403),
    Rule("POST", L + "withdraw/", "host", 404),
    Rule("POST", L + "message/", "guest", 403, MESSAGE),
    Rule("POST", L + "message/", "stranger", 404, MESSAGE),
    Rule("POST", L + "message/", "driver", 204, MESSAGE),
    Rule("GET", ML, "guest", 200),
    Rule("GET", ML, "driver", 404),
    Rule("GET", ML, "host", 404),
    Rule("DELETE", ML, "stranger", 404),
    Rule("POST", ML, "stranger", 400, {}),
    Rule("POST", ML, "guest", 409, {}),
    Rule("GET", "/api/me/driver/", "anonymous", 401),
    Rule("GET", "/api/me/driver/", "stranger", 404),
    Rule("GET", "/api/me/driver/", "driver", 200),
    Rule("GET", "/api/me/drives/", "stranger", 404),
    Rule("GET", "/api/me/drives/", "driver", 200),
    # Last: after it the stranger has offered lifts.
    Rule("PUT", "/api/me/driver/", "anonymous", 401, OFFER),
    Rule("PUT", "/api/me/driver/", "stranger", 200, OFFER),
]


def test_the_lift_permission_matrix(world):
    clients, ids, _meal = world
    check_matrix(RULES, clients=clients, ids=ids)


READS = [
    "/api/lifts/",
    "/api/lifts/{lift}/",
    "/api/lifts/{open}/",
    "/api/meals/{meal}/lift/",
    "/api/meals/{meal}/",
    "/api/meals/{meal}/signups/",
    "/api/me/drives/",
    "/api/me/signups/",
    "/api/me/export/",
]


def _seen_by(clients, ids) -> dict[str, set[str]]:
    """Which notes appear anywhere in what each role can read."""
    seen = {}
    for role, client in clients.items():
        bodies = [client.get(path.format(**ids)).content.decode() for path in READS]
        text = json.dumps(bodies)
        seen[role] = {note for note in (NOTE, "Flat 3") if note in text}
    return seen


def test_the_pickup_note_is_seen_by_the_guest_and_the_matched_driver_alone(world):
    clients, ids, _meal = world

    seen = _seen_by(clients, ids)

    assert seen == {
        "anonymous": set(),
        "guest": {NOTE},
        "driver": {NOTE},
        "other_driver": set(),
        "unchecked": set(),
        "host": set(),
        "other_guest": {"Flat 3"},  # her own, never Jean's
        "stranger": set(),
    }


def test_once_the_meal_ends_nobody_sees_the_note_and_it_is_forgotten(world):
    clients, ids, meal = world

    with time_machine.travel(meal.ends_at + dt.timedelta(minutes=1), tick=False):
        seen = _seen_by(clients, ids)
        forgotten = pickup_notes_forget()

    assert seen == {role: set() for role in clients}
    assert forgotten == 2
    assert list(Lift.objects.values_list("pickup_note", flat=True)) == ["", ""]


def test_a_driver_who_withdrew_sees_the_note_no_more(world):
    clients, ids, _meal = world
    assert clients["driver"].post(f"/api/lifts/{ids['lift']}/withdraw/").status_code == 200

    seen = _seen_by(clients, ids)

    assert seen["driver"] == set()
    assert seen["guest"] == {NOTE}

"""Bad input to the lift operations: each a clear 4xx and nothing written, never a 500."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from meals.models import Driver, Lift, Meal, Signup
from tests.conftest import client_for
from tests.factories import SALTCOATS, UserFactory, point
from tests.lift_world import driver, guest_with_lift, lunch

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]


@pytest.mark.parametrize(
    "raw",
    [
        '{"seats": 0, "max_km": 5}',
        '{"seats": 9, "max_km": 5}',
        '{"seats": null, "max_km": 5}',
        '{"seats": 2.5, "max_km": 5}',
        '{"seats": 3, "max_km": 0}',
        '{"seats": 3, "max_km": -2}',
        '{"seats": 3, "max_km": 1e309}',
        '{"seats": 3, "max_km": "1e309"}',
        '{"seats": 3, "max_km": NaN}',
        '{"seats": 3, "max_km": "NaN"}',
        '{"seats": 3, "max_km": Infinity}',
        '{"seats": 3, "max_km": null}',
        '{"seats": 3, "max_km": 5, "step_free": "perhaps"}',
        '[{"seats": 3, "max_km": 5}]',
    ],
)
def test_a_bad_offer_is_a_4xx_and_writes_nothing(resident_client, raw):
    response = resident_client.put("/api/me/driver/", raw, content_type="application/json")

    assert response.status_code == 400, response.content
    assert Driver.objects.count() == 0


def test_seats_written_as_a_string_of_digits_are_read_as_the_number(resident_client):
    response = resident_client.put(
        "/api/me/driver/", '{"seats": "3", "max_km": "2.5"}', content_type="application/json"
    )

    assert (response.status_code, response.json()["seats"]) == (200, 3)


@pytest.fixture
def placed():
    """Jean, at home in Saltcoats, with a confirmed place at a lunch a week away."""
    meal = lunch()
    jean = UserFactory(display_name="Jean Gibson", home_location=point(*SALTCOATS), has_app=True)
    Signup.objects.create(meal=meal, person=jean, status="confirmed")
    return meal, jean


@pytest.mark.parametrize(
    "body",
    [
        {"pickup_note": "x" * 10_000},
        {"pickup_note": None},
        {"pickup_note": "Flat 2\x00"},
        {"pickup_note": ["Flat 2"]},
        {"step_free": "perhaps"},
    ],
)
def test_a_bad_lift_request_is_a_400_and_writes_nothing(placed, body):
    meal, jean = placed

    response = client_for(jean).post(f"/api/meals/{meal.pk}/lift/", body, format="json")

    assert response.status_code == 400, response.content
    assert Lift.objects.count() == 0


def test_control_characters_and_markup_in_a_note_are_kept_as_plain_text(placed):
    meal, jean = placed
    note = "Flat 2\x07\x1b[31m\u202e <b>back</b> door"

    response = client_for(jean).post(
        f"/api/meals/{meal.pk}/lift/", {"pickup_note": note}, format="json"
    )

    assert response.status_code == 201, response.content
    stored = Lift.objects.get().pickup_note
    assert stored == response.json()["pickup_note"]
    assert not any(ord(c) < 32 or c == "\u202e" for c in stored)
    assert "<b>back</b> door" in stored


@pytest.mark.parametrize("state", ["cancelled", "past", "begun", "no place"])
def test_no_lift_to_a_meal_that_is_called_off_over_begun_or_without_a_place(placed, state):
    meal, jean = placed
    when = timezone.now()
    if state == "cancelled":
        Meal.objects.filter(pk=meal.pk).update(status="cancelled")
    elif state == "no place":
        Signup.objects.filter(person=jean).update(status="cancelled")
    else:
        when = meal.ends_at + dt.timedelta(hours=1) if state == "past" else meal.starts_at

    with time_machine.travel(when, tick=False):
        response = client_for(jean).post(f"/api/meals/{meal.pk}/lift/", {}, format="json")

    assert response.status_code in (400, 404), response.content
    assert Lift.objects.count() == 0


def test_another_drivers_lift_cannot_be_withdrawn_messaged_or_taken():
    meal = lunch()
    lift = guest_with_lift(meal)
    ann, rab = driver(), driver(name="Rab Muir")
    client_for(ann.person).post(f"/api/lifts/{lift.pk}/take/")
    rab_client = client_for(rab.person)

    codes = [
        rab_client.post(f"/api/lifts/{lift.pk}/withdraw/").status_code,
        rab_client.post(
            f"/api/lifts/{lift.pk}/message/", {"text": "Hi"}, format="json"
        ).status_code,
        rab_client.post(f"/api/lifts/{lift.pk}/take/").status_code,
    ]

    assert codes == [404, 404, 404]
    lift.refresh_from_db()
    assert (lift.status, lift.driver_id, lift.driver_texted_at) == ("taken", ann.pk, None)


def test_signing_up_with_a_lift_and_a_note_too_long_writes_neither(placed):
    meal, jean = placed
    Signup.objects.filter(person=jean).delete()
    Meal.objects.filter(pk=meal.pk).update(seats_taken=0)

    response = client_for(jean).post(
        f"/api/meals/{meal.pk}/signups/",
        {"lift": True, "pickup_note": "x" * 10_000},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert (Signup.objects.count(), Lift.objects.count()) == (0, 0)

"""Plans that change under a taken lift: a driver lowering their seats or giving up a step-free
car, a guest changing their party. The passengers a car carries to a meal never outnumber
its seats, and a step-free need is never left with a car that has a step."""

import datetime as dt

import pytest

from meals.models import Driver, Lift, Meal, Signup
from meals.services.lifts import lift_take
from meals.texts import meal_text_context
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import SignupFactory
from tests.lift_world import driver, guest_with_lift, lunch

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]

OFFER = {"seats": 2, "step_free": False, "max_km": "5.0"}


def _taken(meal, ann, *, name="Jean Gibson", party=1, **fields):
    lift = guest_with_lift(meal, name=name, passengers=party, **fields)
    Signup.objects.filter(pk=lift.signup_id).update(party_size=party)
    return lift_take(lift=lift, by=ann.person)


def test_a_driver_cannot_lower_their_seats_below_the_passengers_they_carry_to_a_meal():
    meal = lunch()
    ann = driver(seats=3)
    _taken(meal, ann)
    _taken(meal, ann, name="Isa Reid", party=2)
    client = client_for(ann.person)

    refused = client.put("/api/me/driver/", OFFER, format="json")

    assert refused.status_code == 409
    assert refused.json() == {
        "seats": [
            "You're driving 3 to Lunch at the Hub: withdraw from a lift there before "
            "offering fewer seats."
        ]
    }
    assert Driver.objects.get(pk=ann.pk).seats == 3
    assert client.put("/api/me/driver/", {**OFFER, "seats": 3}, format="json").status_code == 200


def test_a_driver_carrying_someone_who_needs_a_step_free_car_cannot_say_theirs_is_not():
    meal = lunch()
    ann = driver(seats=3, step_free=True)
    _taken(meal, ann, step_free=True)

    refused = client_for(ann.person).put("/api/me/driver/", {**OFFER, "seats": 3}, format="json")

    assert refused.status_code == 409
    assert refused.json() == {
        "step_free": [
            "You're driving someone who needs a step-free car to Lunch at the Hub: "
            "withdraw from that lift first."
        ]
    }
    assert Driver.objects.get(pk=ann.pk).step_free is True


def _party(lift, size):
    return client_for(lift.guest).patch(
        f"/api/meals/{lift.meal_id}/signups/{lift.signup_id}/", {"party_size": size}, format="json"
    )


def test_a_guest_whose_driver_has_no_room_for_a_bigger_party_keeps_the_party_they_had():
    meal = lunch()
    ann = driver(seats=2)
    lift = _taken(meal, ann)
    _taken(meal, ann, name="Isa Reid")
    seats_before = meal.__class__.objects.get(pk=meal.pk).seats_taken

    refused = _party(lift, 2)

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "Your driver's car has no room for 2 of you. Cancel the lift first, "
        "and we'll look for another driver."
    }
    assert Signup.objects.get(pk=lift.signup_id).party_size == 1
    assert Lift.objects.get(pk=lift.pk).passengers == 1
    assert meal.__class__.objects.get(pk=meal.pk).seats_taken == seats_before


def test_a_party_that_still_fits_the_car_or_has_no_driver_yet_is_carried_over_to_the_lift():
    meal = lunch()
    ann = driver(seats=3)
    taken = _taken(meal, ann)
    still_open = guest_with_lift(meal, name="Isa Reid")

    grown, shrunk_open = _party(taken, 3), _party(still_open, 4)

    assert (grown.status_code, shrunk_open.status_code) == (200, 200)
    assert Lift.objects.get(pk=taken.pk).passengers == 3
    assert Lift.objects.get(pk=still_open.pk).passengers == 4
    assert _party(taken, 2).status_code == 200
    assert Lift.objects.get(pk=taken.pk).passengers == 2


def test_a_guest_with_a_driver_is_told_the_new_pick_up_time_in_the_one_text_of_the_move():
    meal = lunch()
    ann = driver()
    lift = _taken(meal, ann)
    walking = SignupFactory(meal=meal)  # no lift: the plain text
    Message.objects.filter(template="lift_taken").update(status="queued")  # still waiting
    later = {
        "starts_at": (meal.starts_at + dt.timedelta(hours=1)).isoformat(),
        "ends_at": (meal.ends_at + dt.timedelta(hours=1)).isoformat(),
    }

    response = client_for(meal.host).patch(f"/api/meals/{meal.pk}/", later, format="json")

    assert response.status_code == 200, response.content
    c = meal_text_context(Meal.objects.get(pk=meal.pk))
    told = Message.objects.filter(recipient=lift.guest).exclude(template="lift_taken")
    assert list(told.values_list("template", "body")) == [
        (
            "lift_guest_meal_moved",
            f"Lunch at the Hub moved: now {c['when']} at {c['place']}. Ann will pick you up "
            "about 13:15. Can't come? Reply NO CAR42",
        )
    ]
    # The text with the old pick-up time, not yet sent, is withdrawn.
    old = Message.objects.get(recipient=lift.guest, template="lift_taken")
    assert (old.status, old.status_reason) == ("suppressed", "meal moved")
    assert list(
        Message.objects.filter(recipient=walking.person).values_list("template", flat=True)
    ) == ["meal_changed"]


def test_a_driver_is_told_the_new_pick_up_time_when_the_host_moves_the_meal():
    meal = lunch()
    ann = driver()
    _taken(meal, ann)
    later = {
        "starts_at": (meal.starts_at + dt.timedelta(hours=1)).isoformat(),
        "ends_at": (meal.ends_at + dt.timedelta(hours=1)).isoformat(),
    }

    response = client_for(meal.host).patch(f"/api/meals/{meal.pk}/", later, format="json")

    assert response.status_code == 200, response.content
    moved = Meal.objects.get(pk=meal.pk)
    c = meal_text_context(moved)
    assert list(Message.objects.filter(recipient=ann.person).values_list("template", "body")) == [
        (
            "lift_meal_moved",
            f"Lunch at the Hub has moved: now {c['when']} at {c['place']}. Please pick up Jean "
            "about 13:15 instead. Code CAR42",
        )
    ]

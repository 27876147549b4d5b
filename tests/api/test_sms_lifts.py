"""LIFT and YES LIFT by text, through the signed webhook."""

import pytest

from api.sms.parser import Command, parse
from meals.models import Lift, Signup
from meals.services.lifts import lift_message_send, lift_take
from meals.texts import meal_text_context
from notifications.models import Message
from tests.api.test_sms_conversation import _twilio_token, text  # noqa: F401  (autouse)
from tests.factories import SALTCOATS, UserFactory, point
from tests.lift_world import driver, lunch

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]

PHONE = "+447700900777"


@pytest.fixture
def jean(db):
    return UserFactory(phone=PHONE, display_name="Jean Gibson", home_location=point(*SALTCOATS))


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("LIFT", Command("lift")),
        ("lift please", Command("lift")),
        ("I need a lift", Command("lift")),
        ("LIFT CAR42", Command("lift", code="CAR42")),
        ("YES LIFT", Command("yes_lift")),
        ("yes lift 2", Command("yes_lift", party=2)),
        ("Yes please, a lift", Command("yes_lift")),
        ("YES LIFT CAR42", Command("yes_lift", code="CAR42")),
        ("lift the lid on this", Command("unknown")),
        ("NO LIFT", Command("unknown")),
    ],
)
def test_lift_words_are_read(body, command):
    assert parse(body) == command


def test_yes_lift_with_a_code_takes_a_place_and_asks_for_a_lift(api_client, jean):
    meal = lunch()

    reply = text(api_client, "YES LIFT CAR42")

    c = meal_text_context(meal)
    assert reply == (
        f"You're in: Lunch at the Hub, {c['when']}. We'll look for a driver and text you "
        "when one offers. Code CAR42"
    )
    signup = Signup.objects.get(person=jean)
    lift = Lift.objects.get()
    assert (signup.status, signup.channel) == ("confirmed", "sms")
    assert (lift.signup, lift.status, lift.area, lift.pickup_note) == (
        signup,
        "open",
        jean.home_location,
        "",
    )


def test_yes_lift_when_full_waits_for_a_place_and_keeps_the_request(api_client, jean):
    meal = lunch(capacity=1)
    Signup.objects.create(meal=meal, person=UserFactory(), status="confirmed")
    meal.seats_taken = 1
    meal.save(update_fields=["seats_taken"])

    reply = text(api_client, "yes lift 2 CAR42")

    c = meal_text_context(meal)
    assert reply == (
        f"Lunch at the Hub ({c['when']}) is full, so you're on the waiting list for 2. "
        "If a place frees up we'll find a driver too. Code CAR42"
    )
    assert Lift.objects.get().passengers == 2


def test_lift_after_taking_a_place_asks_once(api_client, jean):
    meal = lunch()
    text(api_client, "CAR42")

    first, again = text(api_client, "LIFT"), text(api_client, "lift please")

    c = meal_text_context(meal)
    assert first == (
        f"We'll look for a driver to take you to Lunch at the Hub ({c['when']}) and text you "
        "when one offers. Code CAR42"
    )
    assert again == (
        f"You've already asked for a lift to Lunch at the Hub ({c['when']}). "
        "We'll text you when a driver offers. Code CAR42"
    )
    assert Lift.objects.count() == 1


def test_lift_with_no_place_says_how_to_get_one(api_client, jean):
    lunch()

    assert text(api_client, "LIFT") == (
        "You don't have a place at any meal just now. Text MEALS to see what's on, "
        "then YES LIFT and the code for a place and a lift."
    )
    assert text(api_client, "LIFT CAR42") == (
        "You don't have a place at Lunch at the Hub (CAR42) yet. "
        "Text YES LIFT CAR42 for a place and a lift."
    )
    assert Lift.objects.count() == 0


def test_yes_lift_with_no_home_area_does_nothing_and_says_why(api_client):
    meal = lunch()
    UserFactory(phone=PHONE, home_location=None)

    reply = text(api_client, "YES LIFT CAR42")

    host = meal_text_context(meal)["host"]
    assert reply == (
        "Sorry, we don't know your area, so we can't find a driver for Lunch at the Hub "
        f"(CAR42). Please ask {host}, the host, about getting there."
    )
    assert (Signup.objects.count(), Lift.objects.count()) == (0, 0)


def test_no_cancels_the_place_and_the_lift_with_it(api_client, jean):
    lunch()
    text(api_client, "YES LIFT CAR42")

    text(api_client, "NO CAR42")

    assert Lift.objects.get().status == "cancelled"


def test_a_reply_to_the_drivers_text_reaches_the_driver_without_the_number(api_client, jean):
    meal = lunch()
    text(api_client, "YES LIFT CAR42")
    lift = Lift.objects.get()
    ann = driver()
    lift_take(lift=lift, by=ann.person)
    lift_message_send(lift=Lift.objects.get(), by=ann.person, text="Red Fiat, 12:15")

    reply = text(api_client, "See you then, thank you")

    assert reply == "Thanks, we've passed your message to your driver for Lunch at the Hub (CAR42)."
    relayed = Message.objects.get(recipient=ann.person, template="lift_guest_reply")
    assert relayed.body == (
        "Jean, who you're driving to Lunch at the Hub (CAR42), replied: See you then, thank you"
    )
    assert jean.phone not in relayed.body
    assert meal.pk == lift.meal_id

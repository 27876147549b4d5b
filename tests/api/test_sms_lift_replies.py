"""Lifts by text under review: a guest's free text goes to whoever spoke to them last (their
driver or a host), never to a driver who spoke earlier; a guest's text reaches a driver only
with words, within the relay limit and while the driver can take texts; a bigger party never
overfills the driver's car; nothing is done for a number that texted STOP."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from meals.models import GuestQuestion, HostMessage, Lift, Signup
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


@pytest.fixture
def driven(api_client, jean):
    """Jean has a place and a lift, and Ann, her driver, has texted her."""
    meal = lunch()
    text(api_client, "YES LIFT CAR42")
    ann = driver()
    lift_take(lift=Lift.objects.get(), by=ann.person)
    lift_message_send(lift=Lift.objects.get(), by=ann.person, text="Red Fiat, 12:15")
    return meal, ann


def _later(minutes: int):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def test_a_reply_after_the_host_texted_goes_to_the_host_not_the_earlier_driver(
    api_client, jean, driven
):
    meal, ann = driven
    with _later(5):
        HostMessage.objects.create(meal=meal, sent_by=meal.host, text="Fish ok?", recipients=1)
    with _later(10):
        reply = text(api_client, "Yes fish is lovely")

    assert reply == "Thanks, we've passed your message to the host of Lunch at the Hub (CAR42)."
    assert Message.objects.filter(recipient=ann.person, template="lift_guest_reply").count() == 0
    assert Message.objects.filter(recipient=meal.host, template="guest_reply").count() == 1


def test_a_hosts_answer_to_their_own_guest_never_goes_to_the_hosts_driver(api_client, jean, driven):
    _meal, ann = driven
    tea = lunch(code="TEA77", host=jean, title="Street tea")
    bob = UserFactory(display_name="Bob Kerr")
    Signup.objects.create(meal=tea, person=bob, status="confirmed")
    with _later(5):
        GuestQuestion.objects.create(meal=tea, asked_by=bob, asked_at=timezone.now())
    with _later(10):
        reply = text(api_client, "Bob: bring a chair")

    assert reply == "Thanks, we've passed your answer to Bob (Street tea, TEA77)."
    assert Message.objects.filter(recipient=ann.person, template="lift_guest_reply").count() == 0


def test_an_emoji_alone_is_not_passed_to_the_driver(api_client, jean, driven):
    _meal, ann = driven

    reply = text(api_client, "👍")

    assert reply == (
        "Sorry, we can only pass on words, not emoji or pictures. Please write your message out."
    )
    assert Message.objects.filter(recipient=ann.person, template="lift_guest_reply").count() == 0


def test_a_driver_who_stopped_texts_is_not_texted_and_the_guest_is_told(api_client, jean, driven):
    _meal, ann = driven
    ann.person.sms_opted_out_at = timezone.now()
    ann.person.save(update_fields=["sms_opted_out_at"])

    reply = text(api_client, "See you then")

    assert reply == (
        "Sorry, Ann, your driver for Lunch at the Hub (CAR42), can't get texts just now, "
        "so we couldn't pass that on."
    )
    assert Message.objects.filter(recipient=ann.person, template="lift_guest_reply").count() == 0


def test_a_guest_passes_at_most_five_texts_a_day_to_their_driver(api_client, jean, driven):
    _meal, ann = driven

    replies = [text(api_client, f"Message number {n}") for n in range(6)]

    assert replies[-1].startswith("Sorry, that's a lot of messages to pass on")
    assert Message.objects.filter(recipient=ann.person, template="lift_guest_reply").count() == 5


def test_yes_2_never_overfills_the_drivers_car(api_client, jean):
    meal = lunch()
    text(api_client, "YES LIFT CAR42")
    lift_take(lift=Lift.objects.get(), by=driver(seats=1).person)

    reply = text(api_client, "YES 2 CAR42")

    when = meal_text_context(meal)["when"]
    assert reply == (
        f"Sorry, your driver to Lunch at the Hub ({when}) hasn't room for 2, "
        "so your place stays for 1. Code CAR42"
    )
    assert (Signup.objects.get().party_size, Lift.objects.get().passengers) == (1, 1)


def test_lift_with_places_at_two_meals_asks_which(api_client, jean):
    when = meal_text_context(lunch())["when"]
    lunch(code="SUP99", title="Supper")
    text(api_client, "YES CAR42")
    text(api_client, "YES SUP99")

    reply = text(api_client, "LIFT")

    assert reply == (
        f"Which meal do you mean: CAR42 ({when}), SUP99 ({when})? "
        "Please text LIFT and the code, e.g. LIFT CAR42"
    )
    assert Lift.objects.count() == 0


def test_lift_after_stop_does_nothing(api_client, jean):
    lunch()
    text(api_client, "YES CAR42")
    text(api_client, "STOP")

    assert (text(api_client, "LIFT"), text(api_client, "YES LIFT CAR42")) == ("", "")
    assert Lift.objects.count() == 0


def test_yes_lift_again_with_a_bigger_party_says_the_car_has_no_room(api_client, jean):
    meal = lunch()
    text(api_client, "YES LIFT CAR42")
    lift_take(lift=Lift.objects.get(), by=driver(seats=1).person)

    reply = text(api_client, "YES LIFT 2 CAR42")

    when = meal_text_context(meal)["when"]
    assert reply == (
        f"Sorry, your driver to Lunch at the Hub ({when}) hasn't room for 2, "
        "so your place stays for 1. Code CAR42"
    )
    assert (Lift.objects.get().status, Lift.objects.get().passengers) == ("taken", 1)

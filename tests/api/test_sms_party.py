"""YES 2 from someone who already has a place changes their party, as the app's party change
does, through the signed webhook."""

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from meals.models import Meal, Signup
from meals.services.guests import guest_invite
from meals.texts import meal_text_context
from notifications.models import Message
from tests.api import test_sms_conversation as conv
from tests.api.test_sms_conversation import _twilio_token  # noqa: F401  autouse fixture
from tests.factories import MealFactory, SignupFactory, UserFactory

PHONE = conv.PHONE


@pytest.fixture
def neighbour(db):
    return UserFactory(phone=PHONE, display_name="Jean Gibson", has_app=False)


def _seats(meal) -> int:
    return Meal.objects.values_list("seats_taken", flat=True).get(pk=meal.pk)


def _party(meal, person) -> tuple[str, int]:
    signup = Signup.objects.get(meal=meal, person=person)
    return signup.status, signup.party_size


@pytest.mark.django_db
def test_yes_2_from_a_party_of_1_takes_a_second_seat(api_client, neighbour):
    tea = MealFactory(code="T7K2", capacity=4)
    SignupFactory(meal=tea, person=neighbour)  # signed up in the app: no SMS thread

    reply = conv.text(api_client, "YES 2")

    c = meal_text_context(tea)
    assert reply == (
        f"Done: your place at {c['meal']}, {c['when']}, is now for 2. Can't come? Reply NO T7K2"
    )
    assert _party(tea, neighbour) == ("confirmed", 2)
    assert _seats(tea) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("capacity", "party", "seats"), [(4, 2, 2), (1, 1, 1)])
def test_yes_2_to_an_invitation_for_1_accepts_it_for_2_when_seats_allow(
    api_client, capacity, party, seats
):
    tea = MealFactory(code="T7K2", capacity=capacity)
    invited = guest_invite(meal=tea, host=tea.host, phone=PHONE, name="Jean")

    reply = conv.text(api_client, "YES 2")

    c = meal_text_context(tea)
    assert (
        reply
        == {
            2: f"Done: your place at {c['meal']}, {c['when']}, is now for 2. Can't come? Reply NO T7K2",
            1: f"Sorry, {c['meal']} ({c['when']}) hasn't room for 2 now, so your place stays for 1. "
            "Code T7K2",
        }[party]
    )
    assert _party(tea, invited.person) == ("confirmed", party)
    assert _seats(tea) == seats


@pytest.mark.django_db
def test_yes_2_with_no_seat_left_keeps_the_place_for_1(api_client, neighbour):
    tea = MealFactory(code="T7K2", capacity=2)
    SignupFactory(meal=tea, person=neighbour)
    SignupFactory(meal=tea)

    reply = conv.text(api_client, "yes two please")

    c = meal_text_context(tea)
    assert reply == (
        f"Sorry, {c['meal']} ({c['when']}) hasn't room for 2 now, so your place stays for 1. "
        "Code T7K2"
    )
    assert _party(tea, neighbour) == ("confirmed", 1)
    assert _seats(tea) == 2


@pytest.mark.django_db
def test_yes_1_from_a_party_of_2_frees_a_seat_for_the_waiting_list_in_order(api_client, neighbour):
    tea = MealFactory(code="T7K2", capacity=3)
    SignupFactory(meal=tea, person=neighbour, party_size=2)
    SignupFactory(meal=tea)
    pair = SignupFactory(meal=tea, status="waitlisted", party_size=2)
    single = SignupFactory(meal=tea, status="waitlisted")

    reply = conv.text(api_client, "YES 1", sid="SMparty1")

    c = meal_text_context(tea)
    assert reply == (
        f"Done: your place at {c['meal']}, {c['when']}, is now for 1. Can't come? Reply NO T7K2"
    )
    assert _party(tea, neighbour) == ("confirmed", 1)
    # The pair first in the queue does not fit one seat and keeps its place; the single does.
    assert _party(tea, pair.person) == ("waitlisted", 2)
    assert _party(tea, single.person) == ("confirmed", 1)
    assert _seats(tea) == 3
    promoted = Message.objects.get(template="signup_promoted")
    assert promoted.recipient == single.person


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["YES", "YES 2", "yes 2 please"])
def test_the_same_party_again_says_you_already_have_a_place(api_client, neighbour, body):
    tea = MealFactory(code="T7K2", capacity=4)
    SignupFactory(meal=tea, person=neighbour, party_size=2)

    reply = conv.text(api_client, body)

    c = meal_text_context(tea)
    assert reply == (
        f"You already have a place for 2 at {c['meal']}, {c['when']}. Can't come? Reply NO T7K2"
    )
    assert _seats(tea) == 2


@pytest.mark.django_db
def test_yes_7_from_someone_with_a_place_is_too_big(api_client, neighbour):
    tea = MealFactory(code="T7K2", capacity=10)
    SignupFactory(meal=tea, person=neighbour)

    assert conv.text(api_client, "YES 7") == (
        f"Sorry, a party for {tea.title} can be at most 6 people. "
        "Reply YES and a number, e.g. YES 2. Code T7K2"
    )
    assert _party(tea, neighbour) == ("confirmed", 1)


@pytest.mark.django_db
def test_yes_2_on_the_waiting_list_changes_the_waiting_party(api_client, neighbour):
    tea = MealFactory(code="T7K2", capacity=1)
    SignupFactory(meal=tea)
    SignupFactory(meal=tea, person=neighbour, status="waitlisted")

    reply = conv.text(api_client, "YES 2")

    c = meal_text_context(tea)
    assert reply == (
        f"Done: you're on the waiting list for {c['meal']} ({c['when']}) for 2 now. Code T7K2"
    )
    assert _party(tea, neighbour) == ("waitlisted", 2)
    assert _seats(tea) == 1


@pytest.mark.django_db
def test_yes_2_with_places_at_two_meals_asks_which(api_client, neighbour):
    first = MealFactory(code="AB2C")
    second = MealFactory(code="CD3E")
    SignupFactory(meal=first, person=neighbour)
    SignupFactory(meal=second, person=neighbour)

    assert conv.text(api_client, "YES 2").startswith("Which meal do you mean: AB2C (")
    assert conv.text(api_client, "YES 2 CD3E").startswith("Done: your place at ")
    assert (_party(first, neighbour), _party(second, neighbour)) == (
        ("confirmed", 1),
        ("confirmed", 2),
    )


def _all_at_once(people, body: str) -> dict[int, str]:
    """Each person texts `body` on their own thread and connection, released together."""
    gate = threading.Barrier(len(people))
    replies: dict[int, str] = {}

    def send(person):
        gate.wait()
        try:
            replies[person.pk] = conv.text(APIClient(), body, phone=person.phone)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_parties_growing_at_once_for_the_last_seat_never_oversell(settings):
    settings.TWILIO_AUTH_TOKEN = conv.TOKEN
    for _round in range(5):
        tea = MealFactory(capacity=4)
        people = [UserFactory(has_app=False) for _ in range(2)]
        for person in people:
            SignupFactory(meal=tea, person=person)
        SignupFactory(meal=tea)  # one seat left

        replies = _all_at_once(people, "YES 2")

        grown = [r for r in replies.values() if r.startswith("Done: your place at ")]
        refused = [r for r in replies.values() if r.startswith("Sorry, ")]
        assert (len(grown), len(refused)) == (1, 1), replies
        assert sorted(_party(tea, p)[1] for p in people) == [1, 2]
        assert _seats(tea) == 4

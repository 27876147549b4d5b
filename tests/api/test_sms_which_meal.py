"""Which meal a bare YES or NO acts on, text by text through the signed webhook.

Host messages and reminders name their code and leave the person's thread meal alone;
only an invitation, a MEALS listing or a code the person texted sets it.
"""

import datetime as dt

import pytest
from django.utils import timezone

from api.sms.parser import parse
from meals.models import Meal, Signup
from meals.nudges import invitations_send, reminders_send
from meals.sms import sms_thread_meal, sms_thread_remember
from meals.texts import meal_text_context
from notifications.dispatch import dispatch_due
from notifications.models import Message
from tests.api import test_sms_conversation as conv
from tests.conftest import client_for
from tests.factories import SALTCOATS, MealFactory, SignupFactory, UserFactory, point

PHONE = conv.PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = conv.TOKEN


@pytest.fixture
def neighbour(db):
    return UserFactory(
        phone=PHONE,
        display_name="Jean Gibson",
        has_app=False,
        sms_nudges=True,
        home_location=point(*SALTCOATS),
        nudge_radius_km=2,
    )


def _in_hours(hours: float, **extra) -> Meal:
    starts = timezone.now() + dt.timedelta(hours=hours)
    return MealFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **extra)


def _host_texts(meal, words: str) -> None:
    response = client_for(meal.host).post(f"/api/meals/{meal.pk}/messages/", {"text": words})
    assert response.status_code == 201, response.content


def _status(meal, person) -> str:
    return Signup.objects.get(meal=meal, person=person).status


def _thread_meal_id(person) -> int | None:
    """The meal a bare YES refers to: the thread's, or a later invitation's."""
    meal = sms_thread_meal(person=person)
    return meal.pk if meal else None


def _relayed(meal) -> list[str]:
    return list(
        Message.objects.filter(recipient=meal.host, template="guest_reply")
        .order_by("pk")
        .values_list("body", flat=True)
    )


def test_the_reviewers_repro_no_sorry_to_a_host_question_is_relayed_not_a_cancellation(
    api_client, neighbour
):
    tea = MealFactory(code="T7K2")
    SignupFactory(meal=tea, person=neighbour)
    _host_texts(tea, "Can anyone bring folding chairs?")

    sorry = conv.text(api_client, "No sorry")
    chairs = conv.text(api_client, "no I can't bring chairs")

    relayed = f"Thanks, we've passed your message to the host of {tea.title} (T7K2)."
    assert (sorry, chairs) == (relayed, relayed)
    assert _status(tea, neighbour) == "confirmed"
    assert _relayed(tea) == [
        f"Jean, coming to {tea.title} (T7K2), replied: No sorry",
        f"Jean, coming to {tea.title} (T7K2), replied: no I can't bring chairs",
    ]


@pytest.mark.clock("14:00", tick=True)  # texts go at once, not after quiet hours
def test_a_bare_no_just_after_a_host_message_asks_before_it_gives_up_the_place(
    api_client, neighbour
):
    tea = MealFactory(code="T7K2")
    SignupFactory(meal=tea, person=neighbour)
    _host_texts(tea, "Can anyone bring folding chairs?")
    dispatch_due()  # the outbox sends what is due, as the worker does

    first = conv.text(api_client, "NO")
    again = conv.text(api_client, "no")

    asked = (
        f"Did you mean to give up your place at {tea.title} ({meal_text_context(tea)['when']})? "
        "If so, text NO T7K2. To answer the host, say a bit more, e.g. No sorry"
    )
    assert (first, again) == (asked, asked)
    assert _status(tea, neighbour) == "confirmed"
    assert _relayed(tea) == []


@pytest.mark.clock("23:30", tick=True)
def test_a_bare_no_while_the_host_message_waits_for_the_morning_cancels(api_client, neighbour):
    """The host's question is held until 09:00 (their quiet hours): a NO now is not its answer."""
    tea = MealFactory(code="T7K2")
    SignupFactory(meal=tea, person=neighbour)
    _host_texts(tea, "Can anyone bring folding chairs?")
    dispatch_due()  # the outbox sends what is due, as the worker does
    assert Message.objects.get(template="host_message").status == "queued"

    assert conv.text(api_client, "NO").startswith(f"Your place at {tea.title} (")
    assert _status(tea, neighbour) == "cancelled"


def test_no_with_the_code_just_after_a_host_message_cancels(api_client, neighbour):
    tea = MealFactory(code="T7K2")
    SignupFactory(meal=tea, person=neighbour)
    _host_texts(tea, "Can anyone bring folding chairs?")
    dispatch_due()  # the outbox sends what is due, as the worker does

    reply = conv.text(api_client, "no T7K2")

    assert reply == (
        f"Your place at {tea.title} ({meal_text_context(tea)['when']}) is cancelled. "
        "Thanks for telling us. Changed your mind? Text T7K2"
    )
    assert _status(tea, neighbour) == "cancelled"
    assert _relayed(tea) == []


@pytest.mark.clock("14:00", tick=True)  # texts go at once, not after quiet hours
def test_a_bare_no_after_a_reminder_that_followed_the_host_message_cancels(
    api_client, neighbour, settings
):
    """The reminder ("Can't come? Reply NO T7K2") is the text a NO answers now."""
    tea = _in_hours(20, code="T7K2")
    SignupFactory(meal=tea, person=neighbour, created_at=timezone.now() - dt.timedelta(days=3))
    _host_texts(tea, "Can anyone bring folding chairs?")
    dispatch_due()  # the outbox sends what is due, as the worker does
    Message.objects.filter(template="host_message").update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    reminders_send()
    dispatch_due()
    assert Message.objects.filter(template="reminder_24h", recipient=neighbour).exists()

    reply = conv.text(api_client, "NO")

    assert reply.startswith(f"Your place at {tea.title} (")
    assert _status(tea, neighbour) == "cancelled"


@pytest.mark.clock("14:00", tick=True)  # texts go at once, not after quiet hours
def test_a_bare_no_two_days_after_a_host_message_cancels(api_client, neighbour):
    tea = MealFactory(code="T7K2")
    SignupFactory(meal=tea, person=neighbour)
    _host_texts(tea, "Can anyone bring folding chairs?")
    dispatch_due()  # the outbox sends what is due, as the worker does
    Message.objects.filter(template="host_message").update(
        created_at=timezone.now() - dt.timedelta(hours=49)
    )

    assert conv.text(api_client, "NO").startswith(f"Your place at {tea.title} (")
    assert _status(tea, neighbour) == "cancelled"


def test_no_sorry_with_no_recent_host_message_still_cancels(api_client, neighbour):
    tea = MealFactory(code="T7K2")
    SignupFactory(meal=tea, person=neighbour)

    assert conv.text(api_client, "No sorry").startswith(f"Your place at {tea.title} (")
    assert _status(tea, neighbour) == "cancelled"


def test_a_host_message_leaves_the_thread_meal_so_yes_answers_the_invitation(api_client, neighbour):
    mine = MealFactory(code="AB2C", title="Soup at the Harbour")
    SignupFactory(meal=mine, person=neighbour)
    offered = MealFactory(code="CD3E", title="Tea in the park")
    assert invitations_send(meal_id=offered.pk) == 1
    _host_texts(mine, "Doors open at 11:45")

    assert _thread_meal_id(neighbour) == offered.pk
    reply = conv.text(api_client, "YES")

    assert reply.startswith("You're in: Tea in the park, ")
    assert _status(offered, neighbour) == "confirmed"
    assert _status(mine, neighbour) == "confirmed"


def test_a_reminder_leaves_the_thread_meal_so_no_declines_the_invitation(api_client, neighbour):
    tomorrow = _in_hours(20, code="TM2W", title="Lunch tomorrow")
    SignupFactory(meal=tomorrow, person=neighbour, created_at=timezone.now() - dt.timedelta(days=3))
    offered = MealFactory(code="CD3E", title="Tea in the park")
    sms_thread_remember(person=neighbour, meal=offered)
    assert reminders_send() == 1

    assert _thread_meal_id(neighbour) == offered.pk
    reply = conv.text(api_client, "NO")

    assert reply == (
        "No bother, thanks for letting us know. You're not down for Tea in the park (CD3E)."
    )
    assert _status(tomorrow, neighbour) == "confirmed"
    reminder = Message.objects.get(template="reminder_24h", recipient=neighbour)
    assert reminder.body.endswith("Reply NO TM2W")


def test_a_single_pending_invited_place_wins_over_the_thread_meal(api_client, neighbour):
    invited_to = MealFactory(code="AB2C", title="Soup at the Harbour")
    SignupFactory(meal=invited_to, person=neighbour, status="invited")
    listed = MealFactory(code="CD3E", title="Tea in the park")
    sms_thread_remember(person=neighbour, meal=listed)

    reply = conv.text(api_client, "YES")

    assert reply.startswith("You're in: Soup at the Harbour, ")
    assert _status(invited_to, neighbour) == "confirmed"
    assert not Signup.objects.filter(meal=listed).exists()


def test_places_at_two_meals_and_a_bare_no_asks_for_the_code(api_client, neighbour):
    first = _in_hours(30, code="AB2C")
    second = _in_hours(60, code="CD3E")
    SignupFactory(meal=first, person=neighbour)
    SignupFactory(meal=second, person=neighbour)
    sms_thread_remember(person=neighbour, meal=second)  # they joined it last, by code

    reply = conv.text(api_client, "NO")

    when = [meal_text_context(m)["when"] for m in (first, second)]
    assert reply == (
        f"Which meal do you mean: AB2C ({when[0]}), CD3E ({when[1]})? "
        "Please text NO and the code, e.g. NO AB2C"
    )
    assert (_status(first, neighbour), _status(second, neighbour)) == ("confirmed", "confirmed")
    assert conv.text(api_client, "NO CD3E").startswith("Your place at ")
    assert (_status(first, neighbour), _status(second, neighbour)) == ("confirmed", "cancelled")


def test_two_pending_invited_places_and_a_bare_yes_asks_for_the_code(api_client, neighbour):
    first = _in_hours(30, code="AB2C")
    second = _in_hours(60, code="CD3E")
    SignupFactory(meal=first, person=neighbour, status="invited")
    SignupFactory(meal=second, person=neighbour, status="invited")

    reply = conv.text(api_client, "YES")

    when = [meal_text_context(m)["when"] for m in (first, second)]
    assert reply == (
        f"Which meal do you mean: AB2C ({when[0]}), CD3E ({when[1]})? "
        "Please text YES and the code, e.g. YES AB2C"
    )
    assert (_status(first, neighbour), _status(second, neighbour)) == ("invited", "invited")


@pytest.mark.parametrize("status", ["draft", "cancelled", "completed"])
def test_no_with_the_code_of_a_meal_not_open_is_an_unknown_code(api_client, neighbour, status):
    MealFactory(code="DR4F", title="Secret supper club", status=status)

    reply = conv.text(api_client, "NO DR4F")

    assert reply == "Sorry, no meal has the code DR4F. Text MEALS to see what's on near you."


@pytest.mark.parametrize(
    ("body", "extra"),
    [
        ("NO", False),
        ("nope", False),
        ("NO T7K2", False),
        ("No sorry", True),
        ("no thanks T7K2", True),
    ],
)
def test_the_parser_marks_a_no_with_extra_words(body, extra):
    command = parse(body)

    assert (command.kind, command.extra_words) == ("no", extra)

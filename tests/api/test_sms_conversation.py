"""The SMS conversation, text by text, through the signed webhook."""

import datetime as dt
import itertools
import re
from html import unescape

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meals.models import Feedback, HostMessage, Signup, SmsThread
from meals.services.guests import guest_invite
from meals.sms import sms_thread_remember, sms_threads_remember_many
from meals.texts import meal_text_context
from notifications.models import Message
from people.models import User
from tests.clock import at_nine
from tests.factories import IRVINE, KILWINNING, SALTCOATS, MealFactory, UserFactory, point
from tests.notifications.twilio_helpers import TOKEN, post_signed

PHONE = "+447700900777"
_sids = itertools.count(1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN


def text(client, body: str, phone: str = PHONE, sid: str | None = None) -> str:
    """Send one signed text; return the reply Blether answers with ('' for none)."""
    params = {"MessageSid": sid or f"SMconv{next(_sids)}", "From": phone, "Body": body}
    response = post_signed(client, "/api/sms/inbound/", params)
    assert response.status_code == 200, response.content
    found = re.search(r"<Message>(.*)</Message>", response.content.decode(), re.S)
    return unescape(found.group(1)) if found else ""


@pytest.fixture
def neighbour(db):
    return UserFactory(phone=PHONE, display_name="Jean Gibson", has_app=False)


@pytest.fixture
def tea(db):
    return MealFactory(code="T7K2", capacity=4)


def ctx(meal) -> dict:
    return meal_text_context(meal)


def test_a_first_text_from_a_new_number_makes_an_sms_only_person(api_client):
    reply = text(api_client, "hello?")

    person = User.objects.get(phone=PHONE)
    assert person.has_app is False
    assert reply == (
        "Sorry, I didn't follow. Reply YES to take a place, NO to cancel, MEALS for what's on, "
        "HELP for more, STOP to end texts."
    )


def test_yes_with_no_invitation_asks_which_meal(api_client, neighbour):
    reply = text(api_client, "YES")

    assert reply == (
        "Which meal? Text MEALS to see what's on near you, or text a meal's code, e.g. JOIN T7K2."
    )
    assert Signup.objects.count() == 0


def test_yes_2_after_an_invitation_signs_up_a_party_of_two(api_client, neighbour, tea):
    sms_thread_remember(person=neighbour, meal=tea)

    reply = text(api_client, "Yes, 2!")

    c = ctx(tea)
    assert reply == (
        f"You're in for 2: {c['meal']}, {c['when']}, {c['place']}. Can't come? Reply NO T7K2"
    )
    signup = Signup.objects.get(meal=tea, person=neighbour)
    assert (signup.status, signup.party_size, signup.channel) == ("confirmed", 2, "sms")
    tea.refresh_from_db()
    assert tea.seats_taken == 2


def test_yes_7_is_too_many_and_signs_nobody_up(api_client, neighbour, tea):
    sms_thread_remember(person=neighbour, meal=tea)

    reply = text(api_client, "YES 7")

    assert reply == (
        f"Sorry, a party for {tea.title} can be at most 6 people. "
        "Reply YES and a number, e.g. YES 2. Code T7K2"
    )
    assert Signup.objects.count() == 0


@pytest.mark.parametrize("body", ["t7k2", "JOIN T7K2", "jOiN  t7k2.", "Yes T7K2"])
def test_a_code_in_any_case_signs_up_for_that_meal(api_client, neighbour, tea, body):
    reply = text(api_client, body)

    assert reply.startswith(f"You're in: {tea.title}, ")
    assert Signup.objects.get(person=neighbour).meal == tea
    assert SmsThread.objects.get(person=neighbour).meal == tea


def test_an_unknown_code_says_so(api_client, neighbour):
    assert text(api_client, "JOIN ZZ99") == (
        "Sorry, no meal has the code ZZ99. Text MEALS to see what's on near you."
    )


def test_a_second_yes_does_not_sign_up_twice(api_client, neighbour, tea):
    text(api_client, "T7K2")

    reply = text(api_client, "yes")

    assert (
        reply
        == f"You already have a place at {tea.title}, {ctx(tea)['when']}. Can't come? Reply NO T7K2"
    )
    assert Signup.objects.filter(person=neighbour).count() == 1


def test_a_full_meal_puts_them_on_the_waiting_list(api_client, neighbour, tea):
    Signup.objects.create(meal=tea, person=UserFactory(), party_size=4, status="confirmed")
    type(tea).objects.filter(pk=tea.pk).update(seats_taken=4)

    reply = text(api_client, "T7K2 2")

    assert reply == (
        f"{tea.title} ({ctx(tea)['when']}) is full, so you're on the waiting list for 2. "
        "We'll text if a place frees up. Code T7K2"
    )
    assert Signup.objects.get(person=neighbour).status == "waitlisted"


@pytest.mark.clock("03:00", "14:00")
def test_no_cancels_their_place_and_the_waiting_party_is_promoted_and_told(
    api_client, neighbour, tea, django_capture_on_commit_callbacks, sms_outbox, clock
):
    text(api_client, "T7K2 4")
    waiting = UserFactory(display_name="Ann Kerr")
    assert text(api_client, "T7K2 2", phone=waiting.phone).startswith(f"{tea.title} (")

    with django_capture_on_commit_callbacks(execute=True):
        reply = text(api_client, "no")

    assert reply == (
        f"Your place at {tea.title} ({ctx(tea)['when']}) is cancelled. Thanks for telling us. "
        "Changed your mind? Text T7K2"
    )
    assert Signup.objects.get(person=neighbour).status == "cancelled"
    assert Signup.objects.get(person=waiting).status == "confirmed"
    told = Message.objects.get(recipient=waiting, template="signup_promoted")
    assert "T7K2" in told.body
    to_waiting = [t["body"] for t in sms_outbox if t["to"] == waiting.phone]
    if clock.hour == 3:  # Ann's quiet hours: the news waits for 09:00
        assert (told.status, told.not_before, to_waiting) == ("queued", at_nine(clock), [])
    else:
        assert (told.status, told.not_before, to_waiting) == ("sent", clock, [told.body])


def test_no_with_a_code_and_nothing_to_cancel(api_client, neighbour, tea):
    assert text(api_client, "NO T7K2") == (
        f"You don't have a place at {tea.title} (T7K2), so there's nothing to cancel."
    )
    assert text(api_client, "NO") == (
        "You don't have a place at any meal just now, so there's nothing to cancel."
    )


def test_an_invited_guest_accepts_with_yes_and_another_declines_with_no(api_client, tea):
    guest_invite(meal=tea, host=tea.host, phone="07700 900777", name="Jean", party_size=2)
    other = "+447700900778"
    guest_invite(meal=tea, host=tea.host, phone=other, name="Bill")

    assert text(api_client, "Yes please").startswith(f"You're in for 2: {tea.title}")
    declined = text(api_client, "NO", phone=other)

    assert declined == (
        f"Thanks for letting us know. Your place at {tea.title} ({ctx(tea)['when']}) has gone "
        "to someone else. Code T7K2"
    )
    statuses = dict(Signup.objects.values_list("person__phone", "status"))
    assert statuses == {PHONE: "confirmed", other: "cancelled"}
    tea.refresh_from_db()
    assert tea.seats_taken == 2


def test_meals_lists_the_three_nearest_with_codes_and_remembers_the_first(api_client, neighbour):
    neighbour.nudge_radius_km = 12
    neighbour.save(update_fields=["nudge_radius_km"])
    soon = timezone.now() + dt.timedelta(days=2)
    near = MealFactory(code="AB2C", title="Soup at the Harbour", location=point(*SALTCOATS))
    MealFactory(code="CD3E", title="Tea in Kilwinning", location=point(*KILWINNING))
    MealFactory(code="EF4G", title="Irvine lunch", location=point(*IRVINE))
    MealFactory(code="GH5J", title="Far away in Ayr", location=point(55.4586, -4.6292))
    MealFactory(code="JK6M", title="Draft", status="draft", starts_at=soon)

    reply = text(api_client, "Whats on?")

    lines = reply.split("\n")
    assert lines[0] == "Near you:"
    assert [line.split(" ")[0] for line in lines[1:4]] == ["AB2C", "CD3E", "EF4G"]
    assert lines[1] == f"AB2C Soup at the Harbour, {ctx(near)['when']}"
    assert lines[4] == "Reply YES for the first, or text a code to join."
    assert SmsThread.objects.get(person=neighbour).meal == near


def test_meals_with_no_home_area_says_so(api_client):
    UserFactory(phone=PHONE, home_location=None)

    assert text(api_client, "MEALS") == (
        "We don't know your home area yet, so we can't find meals near you. "
        "Text HOME and your postcode, e.g. HOME KA21 5AB"
    )


def test_a_digit_after_the_feedback_question_is_recorded(api_client, neighbour):
    ended = timezone.now() - dt.timedelta(hours=20)
    meal = MealFactory(
        code="FB7K", starts_at=ended - dt.timedelta(hours=2), ends_at=ended, status="completed"
    )
    Signup.objects.create(meal=meal, person=neighbour, status="attended")
    sms_threads_remember_many(person_ids=[neighbour.pk], meal=meal, feedback=True)

    reply = text(api_client, "4")
    again = text(api_client, "5")

    assert reply == (
        f"Thank you! We've noted 4 out of 5 for {meal.title}. It helps hosts make everyone welcome."
    )
    assert again == f"You've already told us about {meal.title}. Thank you!"
    feedback = Feedback.objects.get(meal=meal, person=neighbour)
    assert (feedback.felt_welcome, feedback.channel) == (4, "sms")


def test_a_digit_with_no_question_is_not_understood(api_client, neighbour):
    assert text(api_client, "3").startswith("Sorry, I didn't follow.")
    assert Feedback.objects.count() == 0


def test_stop_ends_texts_until_start(api_client, neighbour, tea):
    sms_thread_remember(person=neighbour, meal=tea)

    assert text(api_client, "Stop") == ""
    neighbour.refresh_from_db()
    assert neighbour.sms_opted_out_at is not None
    assert text(api_client, "YES") == ""
    assert Signup.objects.count() == 0

    assert text(api_client, "START") == (
        "Welcome back to Blether: you'll get texts again. Text MEALS to see what's on near you."
    )
    neighbour.refresh_from_db()
    assert neighbour.sms_opted_out_at is None
    assert text(api_client, "YES").startswith("You're in: ")


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "Cancel", "END", "quit"])
def test_every_twilio_opt_out_word_opts_out(api_client, neighbour, word):
    text(api_client, word)

    neighbour.refresh_from_db()
    assert neighbour.sms_opted_out_at is not None


def test_a_reply_to_a_host_message_is_relayed_without_the_number(
    api_client, neighbour, tea, django_capture_on_commit_callbacks
):
    Signup.objects.create(meal=tea, person=neighbour, status="confirmed")
    HostMessage.objects.create(meal=tea, sent_by=tea.host, text="Bring a brolly", recipients=1)

    with django_capture_on_commit_callbacks(execute=True):
        reply = text(api_client, "I'll bring scones 🙂")

    assert reply == f"Thanks, we've passed your message to the host of {tea.title} (T7K2)."
    relayed = Message.objects.get(recipient=tea.host, template="guest_reply")
    assert relayed.body == f"Jean, coming to {tea.title} (T7K2), replied: I'll bring scones"
    assert PHONE not in relayed.body and PHONE[-6:] not in relayed.body


def test_after_48_hours_a_text_is_no_reply_to_the_host_message_but_a_question(
    api_client, neighbour, tea
):
    Signup.objects.create(meal=tea, person=neighbour, status="confirmed")
    HostMessage.objects.create(
        meal=tea,
        sent_by=tea.host,
        text="Hi",
        recipients=1,
        created_at=timezone.now() - dt.timedelta(hours=49),
    )

    assert text(api_client, "see you there").startswith("Thanks, we've passed your message to ")
    assert not Message.objects.filter(template="guest_reply").exists()
    assert Message.objects.get(template="guest_question").body.startswith("Jean, coming to ")


def test_the_host_texting_yes_for_their_own_meal(api_client, tea):
    sms_thread_remember(person=tea.host, meal=tea)

    assert text(api_client, "YES", phone=tea.host.phone) == (
        f"You're hosting {tea.title} (T7K2), so your seat is already yours!"
    )


def test_yes_for_a_meal_that_has_started_says_it_is_not_open(api_client, neighbour):
    past = MealFactory(
        code="PA5T",
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )

    assert text(api_client, "PA5T") == (
        f"Sorry, {past.title} (PA5T) isn't taking sign-ups now. Text MEALS to see what else is on."
    )


def test_no_to_an_invitation_leaves_their_other_places_alone(api_client, neighbour, tea):
    other = MealFactory(code="OT4R")
    Signup.objects.create(meal=other, person=neighbour, status="confirmed")
    sms_thread_remember(person=neighbour, meal=tea)

    reply = text(api_client, "No thanks")

    assert (
        reply == f"No bother, thanks for letting us know. You're not down for {tea.title} (T7K2)."
    )
    assert Signup.objects.get(meal=other, person=neighbour).status == "confirmed"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.text(max_size=300).filter(lambda t: "\x00" not in t))
def test_any_text_gets_a_short_plain_answer_and_never_an_error(api_client, neighbour, tea, body):
    sms_thread_remember(person=neighbour, meal=tea)

    reply = text(api_client, body)

    assert len(reply) <= 306

"""Texts passed between guests and hosts, as a hostile user or an unlucky host would send them:
two guests waiting at once, a host who is a guest elsewhere, a YES meant for an invitation,
texts with no words in them, a webhook delivered twice, and Redis gone.
"""

import datetime as dt

import pytest
from django.utils import timezone

from api.sms.relay import names_text
from meals.models import GuestQuestion, SmsThread
from meals.sms import sms_thread_remember
from notifications.gsm import measure
from notifications.models import Message
from people.models import RateLimitHit
from tests.api import test_sms_conversation as conv
from tests.api.test_sms_questions import GRANDSON, HOST_PHONE, PHONE, _meal, _passed
from tests.factories import SignupFactory, UserFactory
from tests.faults.net import free_port
from tests.people.test_ratelimit import cache_at

BOB_PHONE = "+447700900666"
KAY_PHONE = "+447700900444"

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]


@pytest.fixture
def tea(db, settings):
    """Ann's street tea; every test here texts through the signed webhook."""
    settings.TWILIO_AUTH_TOKEN = conv.TOKEN
    return _meal(UserFactory(phone=HOST_PHONE, display_name="Ann Boyd", has_app=False))


@pytest.fixture
def ann(tea):
    return tea.host


@pytest.fixture
def jean(tea):
    person = UserFactory(phone=PHONE, display_name="Jean Gibson", has_app=False)
    SignupFactory(meal=tea, person=person)
    return person


@pytest.fixture
def bob(tea):
    person = UserFactory(phone=BOB_PHONE, display_name="Bob Reid", has_app=False)
    SignupFactory(meal=tea, person=person)
    return person


def _answers() -> list[tuple[str, str]]:
    return [
        (m.recipient.phone, m.body)
        for m in Message.objects.filter(template="host_answer").order_by("pk")
    ]


def _answer(meal, words: str) -> str:
    return f"Ann, host of {meal.title} ({meal.code}), answers: {words}"


WHICH = (
    "Sorry, who is that for? Bob and Jean asked you something. "
    "Send it again starting with the name, e.g. Bob: yes"
)


@pytest.mark.parametrize("body", ["Yes, round the back", "Yes"])
def test_with_two_guests_waiting_the_hosts_text_goes_to_nobody_until_it_names_one(
    api_client, tea, jean, bob, body
):
    conv.text(api_client, GRANDSON)
    conv.text(api_client, "Is there parking?", phone=BOB_PHONE)

    assert conv.text(api_client, body, phone=HOST_PHONE) == WHICH
    assert _answers() == []

    named = conv.text(api_client, "jean: yes, bring him", phone=HOST_PHONE)
    after = conv.text(api_client, "Round the back", phone=HOST_PHONE)

    assert named == f"Thanks, we've passed your answer to Jean ({tea.title}, T7K2)."
    assert after == f"Thanks, we've passed your answer to Bob ({tea.title}, T7K2)."
    assert _answers() == [
        (PHONE, _answer(tea, "jean: yes, bring him")),
        (BOB_PHONE, _answer(tea, "Round the back")),
    ]


def test_a_name_inside_a_word_is_no_name(api_client, tea, jean, bob):
    jo = UserFactory(phone="+447700900333", display_name="Jo Kerr", has_app=False)
    SignupFactory(meal=tea, person=jo)
    conv.text(api_client, "Shall I bring a cake?", phone=jo.phone)
    conv.text(api_client, GRANDSON)

    assert conv.text(api_client, "Joking aside, yes", phone=HOST_PHONE).startswith(
        "Sorry, who is that for? Jean and Jo asked you something."
    )
    assert _answers() == []


def test_a_second_question_from_the_same_guest_is_answered_once(api_client, tea, jean, bob):
    conv.text(api_client, GRANDSON)
    conv.text(api_client, "And his dog?")
    conv.text(api_client, "Yes to both", phone=HOST_PHONE)
    conv.text(api_client, "Is there parking?", phone=BOB_PHONE)

    reply = conv.text(api_client, "Round the back", phone=HOST_PHONE)

    assert reply == f"Thanks, we've passed your answer to Bob ({tea.title}, T7K2)."
    assert _answers()[-1] == (BOB_PHONE, _answer(tea, "Round the back"))


def test_a_host_who_is_a_guest_elsewhere_asks_their_own_host_once_answers_are_given(
    api_client, ann, tea, jean
):
    kay = UserFactory(phone=KAY_PHONE, display_name="Kay Muir", has_app=False)
    lunch = _meal(kay, code="LU2C", days=4)
    SignupFactory(meal=lunch, person=ann)
    conv.text(api_client, GRANDSON)
    conv.text(api_client, "Of course", phone=HOST_PHONE)

    reply = conv.text(api_client, "What should I bring?", phone=HOST_PHONE)

    assert reply.startswith("Thanks, we've passed your message to Kay, the host of ")
    assert _answers() == [(PHONE, _answer(tea, "Of course"))]
    asked = Message.objects.get(template="guest_question", recipient=kay)
    assert asked.body.startswith("Ann, coming to your street tea on ")


def test_a_host_with_nothing_of_their_own_still_follows_up_with_the_guest(api_client, tea, jean):
    conv.text(api_client, GRANDSON)
    conv.text(api_client, "Of course", phone=HOST_PHONE)

    conv.text(api_client, "He'll love the cakes", phone=HOST_PHONE)

    assert _answers() == [
        (PHONE, _answer(tea, "Of course")),
        (PHONE, _answer(tea, "He'll love the cakes")),
    ]


def test_a_hosts_yes_to_an_invitation_sent_after_the_question_accepts_it(
    api_client, ann, tea, jean
):
    conv.text(api_client, GRANDSON)
    GuestQuestion.objects.update(asked_at=timezone.now() - dt.timedelta(minutes=10))
    kay = UserFactory(phone=KAY_PHONE, display_name="Kay Muir", has_app=False)
    lunch = _meal(kay, code="LU2C", days=4)
    invited = SignupFactory(meal=lunch, person=ann, status="invited")
    sms_thread_remember(person=ann, meal=lunch)

    reply = conv.text(api_client, "YES", phone=HOST_PHONE)

    assert reply.startswith("You're in: ")
    invited.refresh_from_db()
    assert invited.status == "confirmed"
    assert _answers() == []
    assert GuestQuestion.objects.get().answered_at is None


def test_a_hosts_digit_after_a_later_feedback_question_is_a_score_not_an_answer(
    api_client, ann, tea, jean
):
    conv.text(api_client, GRANDSON)
    GuestQuestion.objects.update(asked_at=timezone.now() - dt.timedelta(minutes=10))
    kay = UserFactory(phone=KAY_PHONE, display_name="Kay Muir", has_app=False)
    past = _meal(kay, code="PA5T", days=-1)
    SignupFactory(meal=past, person=ann, status="attended")
    SmsThread.objects.update_or_create(
        person=ann, defaults={"feedback_meal": past, "feedback_asked_at": timezone.now()}
    )

    reply = conv.text(api_client, "4", phone=HOST_PHONE)

    thanks = f"Thank you! We've noted 4 out of 5 for {past.title}. "
    assert reply == thanks + "It helps hosts make everyone welcome."
    assert _answers() == []


@pytest.mark.parametrize("body", ["\U0001f44d", "", "  ", "\U0001f382\U0001f382"])
def test_a_text_with_no_words_is_not_passed_on_and_the_sender_is_told(api_client, tea, jean, body):
    reply = conv.text(api_client, body)

    assert reply == (
        "Sorry, we can only pass on words, not emoji or pictures. Please write your message out."
    )
    assert Message.objects.count() == 0
    assert GuestQuestion.objects.count() == 0


def test_a_hosts_thumbs_up_is_not_passed_on_and_the_question_stays_open(api_client, tea, jean):
    conv.text(api_client, GRANDSON)

    reply = conv.text(api_client, "\U0001f44d", phone=HOST_PHONE)

    assert reply.startswith("Sorry, we can only pass on words")
    assert _answers() == []
    assert GuestQuestion.objects.get().answered_at is None


def test_a_webhook_delivered_twice_passes_the_question_on_once(api_client, tea, jean):
    first = conv.text(api_client, GRANDSON, sid="SMtwice")
    again = conv.text(api_client, GRANDSON, sid="SMtwice")

    assert first == again == _passed(tea)
    assert Message.objects.filter(template="guest_question").count() == 1
    assert GuestQuestion.objects.count() == 1


def test_with_redis_down_the_days_limit_is_counted_in_the_database(api_client, tea, jean, settings):
    settings.CACHES = cache_at(f"redis://127.0.0.1:{free_port()}/0")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms_relays": "2/day"}

    replies = [conv.text(api_client, f"Question {n}?") for n in (1, 2, 3)]

    assert replies[:2] == [_passed(tea)] * 2
    assert replies[2].startswith("Sorry, that's a lot of messages to pass on")
    assert Message.objects.filter(template="guest_question").count() == 2
    assert RateLimitHit.objects.filter(key__startswith="sms_relays:").count() == 2


def test_a_stranger_with_no_place_cannot_reach_the_host(api_client, ann, tea):
    SignupFactory(meal=tea, person=UserFactory(phone=PHONE), status="cancelled")

    assert conv.text(api_client, "Ann, it's me, let me in").startswith("Sorry, I didn't follow.")
    assert conv.text(api_client, "Ann: hello", phone="+447700900222").startswith(
        "Sorry, I didn't follow."
    )
    assert Message.objects.count() == 0


def test_guests_with_no_name_go_by_the_last_three_digits_so_the_host_can_name_them(api_client, tea):
    for phone in (PHONE, BOB_PHONE):
        SignupFactory(meal=tea, person=UserFactory(phone=phone, display_name=""))
    conv.text(api_client, GRANDSON)
    conv.text(api_client, "Is there parking?", phone=BOB_PHONE)

    unclear = conv.text(api_client, "Yes", phone=HOST_PHONE)
    named = conv.text(api_client, "Guest 777 yes", phone=HOST_PHONE)

    first = Message.objects.filter(template="guest_question").order_by("pk").first()
    assert first.body.startswith("Guest 777, coming to your street tea on ")
    assert unclear == (
        "Sorry, who is that for? Guest 666 and Guest 777 asked you something. "
        "Send it again starting with the name, e.g. Guest 666: yes"
    )
    assert named == f"Thanks, we've passed your answer to Guest 777 ({tea.title}, T7K2)."
    assert _answers() == [(PHONE, _answer(tea, "Guest 777 yes"))]


def test_three_or_more_guests_waiting_are_named_by_the_newest_and_a_count():
    assert names_text(("Bob", "Jean", "Jo")) == "Bob and 2 more"
    assert names_text(("Bob", "Jean")) == "Bob and Jean"


def test_a_guest_who_cancelled_since_asking_no_longer_gets_the_hosts_texts(
    api_client, tea, jean, bob
):
    conv.text(api_client, GRANDSON)
    conv.text(api_client, "Is there parking?", phone=BOB_PHONE)
    assert conv.text(api_client, "NO T7K2").startswith("Your place at ")

    reply = conv.text(api_client, "Round the back", phone=HOST_PHONE)

    assert reply == f"Thanks, we've passed your answer to Bob ({tea.title}, T7K2)."
    assert _answers() == [(BOB_PHONE, _answer(tea, "Round the back"))]


def test_a_host_stops_texts_then_starts_again(api_client, tea, jean):
    assert conv.text(api_client, "STOP", phone=HOST_PHONE) == ""
    refused = conv.text(api_client, GRANDSON)
    assert conv.text(api_client, "Of course", phone=HOST_PHONE) == ""
    conv.text(api_client, "START", phone=HOST_PHONE)

    passed = conv.text(api_client, GRANDSON)

    assert refused.startswith("Sorry, Ann, the host of ")
    assert passed == _passed(tea)
    assert _answers() == []
    assert Message.objects.filter(template="guest_question").count() == 1


def test_a_second_guest_by_the_same_name_cannot_catch_the_answer_meant_for_the_first(
    api_client, tea, bob
):
    namesake = UserFactory(phone="+447700900888", display_name="Bob Impostor", has_app=False)
    SignupFactory(meal=tea, person=namesake)
    conv.text(api_client, "Is there parking?", phone=BOB_PHONE)
    conv.text(api_client, "What is the door code?", phone=namesake.phone)

    unclear = conv.text(api_client, "Bob: it's 1234", phone=HOST_PHONE)
    named = conv.text(api_client, "Bob 666: round the back", phone=HOST_PHONE)

    assert unclear == (
        "Sorry, who is that for? Bob 888 and Bob 666 asked you something. "
        "Send it again starting with the name, e.g. Bob 888: yes"
    )
    assert named == f"Thanks, we've passed your answer to Bob 666 ({tea.title}, T7K2)."
    assert _answers() == [(BOB_PHONE, _answer(tea, "Bob 666: round the back"))]


def test_a_question_older_than_48_hours_takes_no_answer(api_client, tea, jean):
    conv.text(api_client, GRANDSON)
    GuestQuestion.objects.update(asked_at=timezone.now() - dt.timedelta(hours=48, seconds=1))

    assert conv.text(api_client, "Of course", phone=HOST_PHONE).startswith("Sorry, I didn't")
    assert _answers() == []


def test_a_hosts_answers_are_limited_per_guest_so_a_busy_host_can_answer_everyone(
    api_client, tea, jean, bob, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms_relays": "1/day"}
    conv.text(api_client, GRANDSON)
    conv.text(api_client, "Is there parking?", phone=BOB_PHONE)

    replies = [
        conv.text(api_client, body, phone=HOST_PHONE)
        for body in ("Jean: yes", "Jean: and his dog", "Bob: round the back")
    ]

    assert replies[1].startswith("Sorry, that's a lot of messages to pass on")
    assert _answers() == [
        (PHONE, _answer(tea, "Jean: yes")),
        (BOB_PHONE, _answer(tea, "Bob: round the back")),
    ]


def test_a_long_question_in_gaelic_with_emoji_is_one_gsm7_text(api_client, tea, jean):
    words = ("Càit a bheil an talla? \U0001f600 Òran is cèilidh! " * 60)[:1600]

    conv.text(api_client, words)

    body = Message.objects.get(template="guest_question").body
    assert measure(body) == ("GSM-7", 160, 1)
    assert "asks: Càit a bheil an talla? Oran is cèilidh! Càit" in body
    assert body.endswith("... Text back to answer.")

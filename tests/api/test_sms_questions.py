"""Free texts passed between a guest and a host by SMS, through the signed webhook.

"Can I bring my grandson?" from someone with a place goes to the host, who may text back;
neither ever sees the other's number.
"""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from meals.models import GuestQuestion, HostMessage, Signup
from meals.sms import sms_thread_remember
from meals.texts import meal_text_context
from notifications.gsm import measure
from notifications.models import Message
from tests.api import test_sms_conversation as conv
from tests.clock import LONDON
from tests.conftest import client_for
from tests.factories import MealFactory, SignupFactory, UserFactory

PHONE = conv.PHONE
HOST_PHONE = "+447700900555"
GRANDSON = "Can I bring my grandson?"

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = conv.TOKEN


@pytest.fixture
def neighbour(db):
    return UserFactory(phone=PHONE, display_name="Jean Gibson", has_app=False)


@pytest.fixture
def ann(db):
    return UserFactory(phone=HOST_PHONE, display_name="Ann Boyd", has_app=False)


def _meal(host, code: str = "T7K2", days: int = 3, **extra):
    starts = timezone.now() + dt.timedelta(days=days)
    return MealFactory(
        host=host, code=code, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **extra
    )


@pytest.fixture
def tea(ann):
    return _meal(ann)


def _day(meal) -> str:
    start = meal.starts_at.astimezone(LONDON)
    return f"{start:%a} {start.day} {start:%b}"


def _passed(meal) -> str:
    c = meal_text_context(meal)
    return (
        f"Thanks, we've passed your message to Ann, the host of {c['meal']} "
        f"({c['when']}, code {c['code']}). Any answer comes by text."
    )


def _bodies(template: str) -> list[str]:
    return list(
        Message.objects.filter(template=template).order_by("pk").values_list("body", flat=True)
    )


def test_a_question_from_a_guest_reaches_the_host_by_text_without_numbers(
    api_client, neighbour, tea, sms_outbox, django_capture_on_commit_callbacks
):
    SignupFactory(meal=tea, person=neighbour)

    with django_capture_on_commit_callbacks(execute=True):
        reply = conv.text(api_client, GRANDSON)

    assert reply == _passed(tea)
    asked = (
        f"Jean, coming to your street tea on {_day(tea)} (T7K2), asks: {GRANDSON} "
        "Text back to answer."
    )
    assert [(s["to"], s["body"]) for s in sms_outbox] == [(HOST_PHONE, asked)]
    assert PHONE[-6:] not in asked
    question = GuestQuestion.objects.get()
    assert (question.meal, question.asked_by, question.answered_at) == (tea, neighbour, None)


def test_the_hosts_text_back_reaches_that_guest_and_never_shows_a_number(
    api_client, neighbour, tea, sms_outbox, django_capture_on_commit_callbacks
):
    SignupFactory(meal=tea, person=neighbour)
    conv.text(api_client, GRANDSON)

    with django_capture_on_commit_callbacks(execute=True):
        reply = conv.text(api_client, "Of course, the more the merrier", phone=HOST_PHONE)

    c = meal_text_context(tea)
    assert reply == f"Thanks, we've passed your answer to Jean ({c['meal']}, T7K2)."
    answer = f"Ann, host of {c['meal']} (T7K2), answers: Of course, the more the merrier"
    assert [(s["to"], s["body"]) for s in sms_outbox] == [(PHONE, answer)]
    assert HOST_PHONE[-6:] not in answer
    assert GuestQuestion.objects.get().answered_at == timezone.now()


def test_a_hosts_bare_yes_answers_the_open_question_then_means_yes_again(
    api_client, neighbour, tea
):
    SignupFactory(meal=tea, person=neighbour)
    conv.text(api_client, GRANDSON)

    first = conv.text(api_client, "Yes", phone=HOST_PHONE)
    second = conv.text(api_client, "Yes", phone=HOST_PHONE)

    assert first == f"Thanks, we've passed your answer to Jean ({tea.title}, T7K2)."
    assert second.startswith("Which meal? ")
    assert _bodies("host_answer") == [f"Ann, host of {tea.title} (T7K2), answers: Yes"]


@pytest.mark.parametrize(
    ("thread", "asked"),
    [
        ("later", "coming to your street tea on {day} (CD3E)"),
        (None, "coming to your lunch on {day} (AB2C)"),
    ],
)
def test_a_guest_with_two_places_asks_about_the_one_last_talked_about_else_the_soonest(
    api_client, neighbour, ann, thread, asked
):
    later = _meal(ann, code="CD3E", days=5, title="Tea in the park")
    soonest = _meal(ann, code="AB2C", days=2, title="Soup at the Harbour", kind="shared_lunch")
    SignupFactory(meal=later, person=neighbour)
    SignupFactory(meal=soonest, person=neighbour)
    if thread:
        sms_thread_remember(person=neighbour, meal=later)
    meal = later if thread else soonest

    assert conv.text(api_client, GRANDSON) == _passed(meal)

    assert _bodies("guest_question") == [
        f"Jean, {asked.format(day=_day(meal))}, asks: {GRANDSON} Text back to answer."
    ]


@pytest.mark.parametrize(
    ("status", "role"),
    [("invited", "invited to"), ("waitlisted", "waiting for a place at")],
)
def test_a_pending_invitation_or_a_waiting_place_is_enough_to_ask(
    api_client, neighbour, tea, status, role
):
    SignupFactory(meal=tea, person=neighbour, status=status)

    assert conv.text(api_client, GRANDSON) == _passed(tea)

    assert _bodies("guest_question") == [
        f"Jean, {role} your street tea on {_day(tea)} (T7K2), asks: {GRANDSON} Text back to answer."
    ]


def test_a_long_question_is_cut_to_fit_one_text(api_client, neighbour, tea):
    SignupFactory(meal=tea, person=neighbour)
    words = "My grandson Callum is visiting from Dundee that week " * 5

    conv.text(api_client, words)

    head = f"Jean, coming to your street tea on {_day(tea)} (T7K2), asks: "
    tail = "... Text back to answer."
    room = 160 - len(head) - len(tail)
    assert _bodies("guest_question") == [head + words[:room].rstrip() + tail]
    assert measure(_bodies("guest_question")[0])[2] == 1


def test_more_than_the_days_limit_is_not_passed_on(api_client, neighbour, tea, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms_relays": "2/day"}
    SignupFactory(meal=tea, person=neighbour)

    replies = [conv.text(api_client, f"Question {n}?") for n in (1, 2, 3)]

    assert replies[:2] == [_passed(tea)] * 2
    assert replies[2] == (
        "Sorry, that's a lot of messages to pass on, so we haven't passed that one on. "
        "Please try again in 24 hours."
    )
    assert len(_bodies("guest_question")) == 2
    assert GuestQuestion.objects.count() == 2


def test_a_host_who_stopped_texts_is_not_texted_and_the_guest_is_told(
    api_client, neighbour, tea, ann
):
    ann.sms_opted_out_at = timezone.now()
    ann.save(update_fields=["sms_opted_out_at"])
    SignupFactory(meal=tea, person=neighbour)

    reply = conv.text(api_client, GRANDSON)

    assert reply == (
        f"Sorry, Ann, the host of {tea.title} (T7K2), can't get texts just now, "
        "so we couldn't pass that on."
    )
    assert Message.objects.count() == 0
    assert GuestQuestion.objects.count() == 0


def test_a_guest_who_stopped_texts_gets_no_answer_and_the_host_is_told(api_client, neighbour, tea):
    SignupFactory(meal=tea, person=neighbour)
    conv.text(api_client, GRANDSON)
    conv.text(api_client, "STOP")

    reply = conv.text(api_client, "Yes bring him", phone=HOST_PHONE)

    assert reply == (
        f"Sorry, Jean can't get texts just now, so we couldn't pass on your answer about "
        f"{tea.title} (T7K2)."
    )
    assert _bodies("host_answer") == []


def test_nothing_is_passed_on_for_someone_who_stopped_texts(api_client, neighbour, tea):
    SignupFactory(meal=tea, person=neighbour)
    conv.text(api_client, "STOP")

    assert conv.text(api_client, GRANDSON) == ""
    assert Message.objects.filter(recipient=tea.host).count() == 0


def test_someone_with_nothing_live_still_gets_sorry(api_client, neighbour, tea):
    SignupFactory(meal=tea, person=neighbour, status="cancelled")
    _meal(tea.host, code="PA5T", days=-1)

    assert conv.text(api_client, GRANDSON).startswith("Sorry, I didn't follow.")
    assert Message.objects.count() == 0


def test_a_reply_to_a_host_message_can_be_answered_by_text_too(api_client, neighbour, tea):
    SignupFactory(meal=tea, person=neighbour)
    HostMessage.objects.create(meal=tea, sent_by=tea.host, text="Bring a brolly", recipients=1)

    assert conv.text(api_client, "Will do") == (
        f"Thanks, we've passed your message to the host of {tea.title} (T7K2)."
    )
    assert conv.text(api_client, "Great", phone=HOST_PHONE).startswith("Thanks, we've passed")

    assert _bodies("guest_reply") == [f"Jean, coming to {tea.title} (T7K2), replied: Will do"]
    assert _bodies("host_answer") == [f"Ann, host of {tea.title} (T7K2), answers: Great"]


def test_the_words_never_reach_the_logs(api_client, neighbour, tea, caplog):
    caplog.set_level(logging.DEBUG)
    SignupFactory(meal=tea, person=neighbour)

    conv.text(api_client, "Can my grandson Callum come too")
    conv.text(api_client, "Aye Callum is welcome", phone=HOST_PHONE)

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "Callum" not in logged
    assert Signup.objects.get(person=neighbour).status == "confirmed"


def test_my_export_lists_what_was_passed_on_without_the_words_and_leaving_forgets_it(
    api_client, neighbour, tea
):
    SignupFactory(meal=tea, person=neighbour)
    conv.text(api_client, GRANDSON)
    me = client_for(neighbour)

    body = me.get("/api/me/export/").json()

    assert body["texts_passed_to_hosts"] == [
        {
            "meal": {"id": tea.pk, "code": "T7K2", "title": tea.title},
            "asked_at": timezone.now().isoformat(),
            "answered_at": None,
        }
    ]
    assert "grandson" not in str(body)
    assert me.delete("/api/me/").status_code == 204
    assert GuestQuestion.objects.count() == 0

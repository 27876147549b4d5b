"""POST /api/meals/{id}/messages/: a host texts everyone signed up."""

import pytest
from django.utils import timezone

from meals.models import HostMessage, Signup
from notifications.models import Message
from tests.clock import at_nine
from tests.conftest import client_for
from tests.factories import MealFactory, SignupFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(meal) -> str:
    return f"/api/meals/{meal.pk}/messages/"


@pytest.fixture
def meal(host):
    return MealFactory(host=host, code="T7K2", title="Street tea on Dockhead Street")


@pytest.mark.clock("03:00", "14:00")
def test_the_host_texts_every_confirmed_and_invited_guest(
    host_client, host, meal, django_capture_on_commit_callbacks, sms_outbox, clock
):
    confirmed = SignupFactory(meal=meal, status="confirmed").person
    invited = SignupFactory(meal=meal, status="invited").person
    SignupFactory(meal=meal, status="waitlisted")
    SignupFactory(meal=meal, status="cancelled")
    SignupFactory(status="confirmed")  # another meal

    with django_capture_on_commit_callbacks(execute=True):
        response = host_client.post(url(meal), {"text": "Bring a brolly, it\u2019s dreich"})

    assert response.status_code == 201
    body = response.json()
    assert (body["meal"], body["recipients"], body["text"]) == (
        meal.pk,
        2,
        "Bring a brolly, it\u2019s dreich",
    )
    hm = HostMessage.objects.get()
    rows = Message.objects.filter(template="host_message").order_by("recipient_id")
    assert [m.dedupe_key for m in rows] == [
        f"host-message:{hm.pk}:{confirmed.pk}",
        f"host-message:{hm.pk}:{invited.pk}",
    ]
    expected = "Agnes, host of Street tea on Dockhead Street (T7K2): Bring a brolly, it's dreich"
    if clock.hour == 3:  # the guests' quiet hours: the texts wait for 09:00
        assert [(m.status, m.not_before) for m in rows] == [("queued", at_nine(clock))] * 2
        assert sms_outbox == []
        return
    assert [(m.status, m.not_before) for m in rows] == [("sent", clock)] * 2
    assert sorted((s["to"], s["body"]) for s in sms_outbox) == sorted(
        [(confirmed.phone, expected), (invited.phone, expected)]
    )


def test_only_the_host_may_text_the_guests(resident_client, meal):
    SignupFactory(meal=meal, status="confirmed")

    response = resident_client.post(url(meal), {"text": "Hello"})

    assert response.status_code == 403
    assert HostMessage.objects.count() == 0
    assert Message.objects.count() == 0


def test_someone_elses_draft_is_not_found_and_a_missing_meal_is_404(resident_client):
    draft = MealFactory(status="draft")

    assert resident_client.post(url(draft), {"text": "Hello"}).status_code == 404
    assert resident_client.post("/api/meals/999999/messages/", {"text": "Hi"}).status_code == 404


def test_anonymous_is_401(api_client, meal):
    assert api_client.post(url(meal), {"text": "Hello"}).status_code == 401


@pytest.mark.parametrize("text", ["", "   ", "x" * 321], ids=["empty", "blank", "too-long"])
def test_empty_or_long_messages_are_400_and_nothing_is_written(host_client, meal, text):
    SignupFactory(meal=meal, status="confirmed")

    response = host_client.post(url(meal), {"text": text})

    assert response.status_code == 400
    assert list(response.json()) == ["text"]
    assert HostMessage.objects.count() == 0
    assert Message.objects.count() == 0


def test_a_cancelled_meal_cannot_be_messaged(host_client, meal):
    type(meal).objects.filter(pk=meal.pk).update(status="cancelled")

    assert host_client.post(url(meal), {"text": "Hello"}).status_code == 400


def test_messages_are_rate_limited_per_meal(host_client, meal, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "host_messages": "3/hour"}

    statuses = [host_client.post(url(meal), {"text": f"Note {n}"}).status_code for n in range(4)]
    other = MealFactory(host=meal.host)
    other_status = host_client.post(url(other), {"text": "Hi"}).status_code
    limited = host_client.post(url(meal), {"text": "Again"})

    assert statuses == [201, 201, 201, 429]
    assert other_status == 201
    assert int(limited["Retry-After"]) > 0
    assert HostMessage.objects.filter(meal=meal).count() == 3


def test_the_host_is_never_texted_their_own_message(host_client, host, meal):
    Signup.objects.create(meal=meal, person=UserFactory(), status="confirmed")

    response = host_client.post(url(meal), {"text": "Hello"})

    assert response.json()["recipients"] == 1
    assert not Message.objects.filter(recipient=host).exists()
    assert client_for(host).post(url(meal), {"text": "x"}).status_code == 201


def test_the_count_is_the_texts_queued_and_the_others_are_counted_by_reason(
    host_client, host, meal
):
    reachable = [SignupFactory(meal=meal, status=s).person for s in ("confirmed", "invited")]
    SignupFactory(meal=meal, person=UserFactory(sms_opted_out_at=timezone.now()))
    SignupFactory(meal=meal, person=UserFactory(sms_opted_out_at=timezone.now()), status="invited")
    SignupFactory(meal=meal, person=UserFactory(phone_invalid=True))
    SignupFactory(meal=meal, person=UserFactory(sms_paused=True))
    SignupFactory(meal=meal, person=UserFactory(phone=None, is_active=False))

    response = host_client.post(url(meal), {"text": "Soup's on at noon"})

    assert response.status_code == 201
    body = response.json()
    assert body["recipients"] == 2
    assert body["not_sent"] == {"opted_out": 2, "number_invalid": 1, "paused": 1, "left": 1}
    assert HostMessage.objects.get().recipients == 2
    rows = Message.objects.filter(template="host_message")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(p.pk for p in reachable)


def test_nobody_to_text_queues_nothing_and_says_so(host_client, meal):
    SignupFactory(meal=meal, person=UserFactory(sms_paused=True))

    response = host_client.post(url(meal), {"text": "Hello"})

    assert response.status_code == 201
    assert (response.json()["recipients"], response.json()["not_sent"]) == (
        0,
        {"opted_out": 0, "number_invalid": 0, "paused": 1, "left": 0},
    )
    assert Message.objects.count() == 0

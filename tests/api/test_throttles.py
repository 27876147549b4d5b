"""The API's throttles with Redis gone: sign-in, host messages and invitations carry on, and
every limit still holds, counted in the database (people.ratelimit).

"Redis gone" is the cache pointed at a port where nothing listens: connections are refused,
as when the server is down. tests/faults/test_redis_down.py stops a real one mid-run.
"""

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.conf import settings as django_settings

from meals.models import HostMessage, Signup
from people.models import LoginCode, RateLimitHit
from tests.conftest import client_for
from tests.factories import MealFactory, SignupFactory
from tests.faults.redis_server import free_port

PHONE = "+447700900123"

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def redis_gone(settings, clock):
    settings.CACHES = {
        "default": {
            **django_settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


@pytest.fixture
def ask_for_code(api_client, django_capture_on_commit_callbacks):
    def ask(phone: str = PHONE, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post("/api/auth/code/", {"phone": phone}, format="json", **extra)

    return ask


def test_sign_in_works_without_redis_and_the_phone_limits_hold(
    redis_gone, api_client, ask_for_code, sms_outbox, clock, caplog
):
    with caplog.at_level(logging.WARNING, logger="people.ratelimit"):
        first = ask_for_code()
        again = ask_for_code("07700 900123")
        (text,) = sms_outbox
        code = re.search(r"\d{6}", text["body"]).group()
        token = api_client.post("/api/auth/token/", {"phone": PHONE, "code": code})
        clock.shift(60)
        after_a_minute = ask_for_code()

    assert first.status_code == 202
    assert again.status_code == 429
    assert again["Retry-After"] == "60"
    assert token.status_code == 200
    assert token.json()["user"]["phone"] == PHONE
    assert after_a_minute.status_code == 202
    assert LoginCode.objects.count() == 2
    assert len(sms_outbox) == 2
    # phone minute + phone hour + address, twice; one token exchange
    assert RateLimitHit.objects.count() == 7
    assert [r.getMessage() for r in caplog.records if r.name == "people.ratelimit"] == [
        "Redis unreachable (ConnectionError): rate limits are counted in the database "
        "until it answers"
    ]


def test_the_sixth_code_in_an_hour_is_refused_without_redis(redis_gone, ask_for_code, clock):
    statuses = []
    for _ in range(6):
        statuses.append(ask_for_code().status_code)
        clock.shift(60)

    assert statuses == [202] * 5 + [429]
    assert ask_for_code()["Retry-After"] == str(3600 - 6 * 60)
    assert LoginCode.objects.count() == 5


def test_code_requests_per_address_are_limited_without_redis(redis_gone, ask_for_code):
    crowd = [f"07700 900{n:03d}" for n in range(300, 321)]

    statuses = [ask_for_code(phone, REMOTE_ADDR="198.51.100.7").status_code for phone in crowd]

    assert statuses == [202] * 20 + [429]
    assert ask_for_code("07700 900400", REMOTE_ADDR="198.51.100.8").status_code == 202


def test_token_guesses_per_address_are_limited_without_redis(redis_gone, api_client):
    body = {"phone": PHONE, "code": "000000"}
    statuses = [
        api_client.post("/api/auth/token/", body, REMOTE_ADDR="198.51.100.9").status_code
        for _ in range(61)
    ]

    assert statuses == [400] * 60 + [429]
    assert api_client.post("/api/auth/token/", body, REMOTE_ADDR="198.51.100.10").status_code == 400


def test_host_messages_go_and_are_limited_without_redis(redis_gone, settings, host, host_client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "host_messages": "2/hour"}
    meal = MealFactory(host=host)
    SignupFactory(meal=meal, status="confirmed")

    statuses = [
        host_client.post(f"/api/meals/{meal.pk}/messages/", {"text": f"Note {n}"}).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert HostMessage.objects.filter(meal=meal).count() == 2


def test_guest_invites_go_and_are_limited_without_redis(redis_gone, settings, host, host_client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "guest_invites": "2/hour"}
    meal = MealFactory(host=host, capacity=10)

    statuses = [
        host_client.post(
            f"/api/meals/{meal.pk}/guests/", {"phone": f"07700 900{600 + n}", "name": f"Guest {n}"}
        ).status_code
        for n in range(3)
    ]
    elsewhere = MealFactory(capacity=4)
    other_host = client_for(elsewhere.host).post(
        f"/api/meals/{elsewhere.pk}/guests/", {"phone": "07700 900701", "name": "Rab"}
    )

    assert statuses == [201, 201, 429]
    assert other_host.status_code == 201
    assert Signup.objects.filter(meal=meal).count() == 2


def test_with_redis_up_nothing_is_written_to_the_database(ask_for_code, clock):
    assert ask_for_code().status_code == 202
    assert ask_for_code().status_code == 429

    assert RateLimitHit.objects.count() == 0

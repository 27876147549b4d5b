"""/admin/login/ is throttled per address and per username (5 tries in 15 minutes each), with
Redis up or gone: 40 wrong passwords and then the right one must not get in."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import UserFactory
from tests.faults.redis_server import free_port

STAFF_PHONE = "+447700900101"
PASSWORD = "correct horse battery staple"
REFUSED = (
    "Too many sign-in attempts from here or for this account. Wait 15 minutes, then try again."
)
WRONG = (
    "Please enter the correct phone and password for a staff account. "
    "Note that both fields may be case-sensitive."
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["redis", "redis gone"])
def store(request, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if request.param == "redis gone":
        settings.CACHES = {
            "default": {
                **django_settings.CACHES["default"],
                "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            }
        }
    return request.param


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def staff(store):
    person = UserFactory(phone=STAFF_PHONE, is_staff=True)
    person.set_password(PASSWORD)
    person.save(update_fields=["password"])
    return person


def log_in(password: str, *, username: str = STAFF_PHONE, ip: str = "198.51.100.7"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )
    return response, client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def errors(response) -> list[str]:
    return response.context["form"].non_field_errors() if response.status_code == 200 else []


def test_the_right_password_gets_in(staff, clock):
    response, client = log_in(PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in(client)


def test_forty_wrong_passwords_then_the_right_one_does_not_get_in(staff, clock):
    answers = [errors(log_in(f"guess {n}")[0]) for n in range(40)]

    response, client = log_in(PASSWORD)

    assert answers == [[WRONG]] * 5 + [[REFUSED]] * 35
    assert response.status_code == 200
    assert errors(response) == [REFUSED]
    assert REFUSED in response.content.decode()
    assert not signed_in(client)


def test_the_username_is_limited_whatever_the_address(staff, clock):
    for n in range(5):
        log_in("wrong", ip=f"198.51.100.{n + 1}")

    response, client = log_in(PASSWORD, ip="203.0.113.9")

    assert errors(response) == [REFUSED]
    assert not signed_in(client)


def test_the_address_is_limited_whatever_the_username(staff, clock):
    for n in range(5):
        log_in("wrong", username=f"+4477009002{n:02d}")

    response, client = log_in(PASSWORD)
    _, other = log_in(PASSWORD, ip="203.0.113.9")

    assert errors(response) == [REFUSED]
    assert not signed_in(client)
    assert signed_in(other)


def test_after_fifteen_minutes_the_right_password_gets_in_again(staff, clock):
    for _ in range(5):
        log_in("wrong")
    clock.shift(14 * 60)
    refused, _ = log_in(PASSWORD)
    clock.shift(60)

    response, client = log_in(PASSWORD)

    assert errors(refused) == [
        "Too many sign-in attempts from here or for this account. Wait 1 minute, then try again."
    ]
    assert response.status_code == 302
    assert signed_in(client)


def test_an_empty_form_is_not_counted_as_a_try(staff, clock):
    for _ in range(10):
        Client(REMOTE_ADDR="198.51.100.7").post("/admin/login/", {"username": STAFF_PHONE})

    _, client = log_in(PASSWORD)

    assert signed_in(client)

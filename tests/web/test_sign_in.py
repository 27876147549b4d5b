"""Sign-in by a texted code into a session: the same service, expiry, 5-try limit and
throttles as the API; the session cookie is httpOnly, SameSite=Lax, Secure without DEBUG."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from people.models import LoginCode, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+447700900123"


def code_from(texts) -> str:
    return re.search(r"\b([0-9]{6})\b", texts[-1]["body"]).group(1)


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for a code as the page does; the text goes out once the request commits."""

    def _ask(client=client, phone="07700 900123", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/sign-in/", {"phone": phone}, **extra)

    return _ask


def test_a_code_is_texted_and_signs_you_in(client, sms_outbox, ask):
    response = ask()

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/"
    assert [t["to"] for t in sms_outbox] == [PHONE]

    response = client.post("/sign-in/code/", {"code": code_from(sms_outbox)})

    assert response.status_code == 302
    assert response["Location"] == "/welcome/"
    # A cached "My meals" of whoever used this phone before is wiped.
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    person = User.objects.get(phone=PHONE)
    assert client.session["_auth_user_id"] == str(person.pk)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Lax")


def test_a_known_name_goes_straight_to_meals_near_me(client, sms_outbox, ask):
    UserFactory(phone=PHONE, display_name="Morag Reid")
    ask()

    response = client.post("/sign-in/code/", {"code": code_from(sms_outbox)})

    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_and_the_fifth_kills_it(client, sms_outbox, ask):
    ask()
    good = code_from(sms_outbox)
    wrong = "000000" if good != "000000" else "111111"

    for _ in range(settings.LOGIN_CODE_MAX_ATTEMPTS):
        response = client.post("/sign-in/code/", {"code": wrong})
        assert response.status_code == 400
        assert "That code is wrong or has expired. Ask for a new one." in response.content.decode()

    response = client.post("/sign-in/code/", {"code": good})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_bad_number_is_refused_with_the_field_linked_and_kept(client, sms_outbox, ask):
    response = ask(phone="01294 123456")

    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#id_phone">' in body
    assert 'value="01294 123456"' in body
    assert sms_outbox == []
    assert LoginCode.objects.count() == 0


def test_a_number_that_sent_stop_is_told_how_to_start_again(client, sms_outbox, settings, ask):
    settings.SMS_PUBLIC_NUMBER = "+447700900001"
    UserFactory(phone=PHONE, sms_opted_out_at=timezone.now())

    response = ask()

    assert response.status_code == 409
    assert (
        "You have stopped texts from Blether. Text START to +447700900001, then try again."
        in response.content.decode()
    )
    assert sms_outbox == []
    assert LoginCode.objects.count() == 0
    # Nothing was sent, so once they text START they may ask straight away.
    User.objects.filter(phone=PHONE).update(sms_opted_out_at=None)
    assert ask().status_code == 302
    assert [t["to"] for t in sms_outbox] == [PHONE]


def test_codes_for_one_number_are_throttled_as_in_the_api(client, sms_outbox, ask):
    assert ask().status_code == 302

    response = ask()

    assert response.status_code == 429
    assert "Too many codes asked for." in response.content.decode()
    assert len(sms_outbox) == 1


def test_a_made_up_forwarded_for_does_not_dodge_the_address_limit(
    client, sms_outbox, settings, ask
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_code_ip": "2/hour"}
    statuses = [
        ask(phone=f"07700 90{n:04d}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]


def test_sign_out_clears_the_site(client, sms_outbox, ask):
    UserFactory(phone=PHONE, display_name="Morag Reid")
    ask()
    client.post("/sign-in/code/", {"code": code_from(sms_outbox)})

    response = client.post("/sign-out/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/").status_code == 302


def test_the_session_cookie_is_secure_without_debug():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-production-like-secret-key-for-this-test-only-xx",
        "ALLOWED_HOSTS": "blether.test",
    }
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_ENGINE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )

    assert out.stdout.split() == [
        "True",
        "True",
        "Lax",
        "True",
        "web.sessions",
    ]

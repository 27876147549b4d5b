"""Phone sign-in through the API, as the app does it: code by SMS, tokens, refresh, log out."""

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle

from notifications.models import Message
from people.models import LoginCode, User
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.notifications.twilio_helpers import TOKEN, post_signed

PHONE = "+447700900123"
WRONG_OR_EXPIRED = {"detail": "That code is wrong or has expired. Ask for a new one."}
NOT_A_MOBILE = {"phone": ["Enter a mobile number, like 07700 900123 or +447700900123."]}

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask_for_code(api_client, django_capture_on_commit_callbacks):
    """POST /api/auth/code/ and let the outbox send what the request committed."""

    def ask(phone: str = PHONE, *, client: APIClient | None = None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or api_client).post(
                "/api/auth/code/", {"phone": phone}, format="json", **extra
            )

    return ask


def code_sent_to(sms_outbox, phone: str = PHONE) -> str:
    texts = [m for m in sms_outbox if m["to"] == phone]
    assert texts, f"no text to {phone}"
    match = re.fullmatch(
        r"Your Blether code is (\d{6})\. It works for 10 minutes\. Never share it\.",
        texts[-1]["body"],
    )
    assert match, texts[-1]["body"]
    return match.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def clock():
    """Time stands still at 14:00 London, until a test moves it on."""
    start = dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def let_a_minute_pass(clock) -> None:
    clock.shift(61)


def sign_in(api_client, ask_for_code, sms_outbox, phone: str = PHONE) -> dict:
    assert ask_for_code(phone).status_code == 202
    response = api_client.post(
        "/api/auth/token/", {"phone": phone, "code": code_sent_to(sms_outbox, phone)}
    )
    assert response.status_code == 200
    return response.json()


# --- asking for a code ------------------------------------------------------------------------


def test_code_request_normalises_a_uk_number_and_texts_a_six_digit_code(ask_for_code, sms_outbox):
    response = ask_for_code("07700 900123")

    assert response.status_code == 202
    assert response.json() == {"detail": "We have texted you a code.", "expires_in": 600}
    assert [m["to"] for m in sms_outbox] == [PHONE]
    code = code_sent_to(sms_outbox)
    row = LoginCode.objects.get()
    assert row.phone == PHONE
    assert row.attempts == 0
    assert row.used_at is None
    assert code not in row.code_hash
    assert row.expires_at - row.created_at == dt.timedelta(minutes=10)


def test_the_code_is_not_kept_in_the_outbox_once_sent(ask_for_code, sms_outbox):
    ask_for_code()
    code = code_sent_to(sms_outbox)

    message = Message.objects.get()
    assert message.template == "login_code"
    assert message.category == "login_code"
    assert message.status == "sent"
    assert message.to_phone == PHONE
    assert message.body == "(sign-in code, not kept)"
    assert code not in message.body


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "   ",
        "hello",
        "12345",
        "07700 90012",  # a digit short
        "077009001234",  # a digit long
        "01294 123456",  # a Saltcoats landline cannot take a text
        "0800 123 4567",
        "+44" + "7" * 40,
    ],
)
def test_code_request_refuses_what_is_not_a_mobile_number(api_client, phone, sms_outbox):
    response = api_client.post("/api/auth/code/", {"phone": phone}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"phone"}
    assert LoginCode.objects.count() == 0
    assert Message.objects.count() == 0
    assert sms_outbox == []


@pytest.mark.parametrize("body", [{}, {"phone": None}, {"phone": ["07700900123"]}, [], "07700"])
def test_code_request_with_a_malformed_body_is_a_400(api_client, body):
    response = api_client.post("/api/auth/code/", body, format="json")

    assert response.status_code == 400
    assert LoginCode.objects.count() == 0


def test_a_landline_gets_the_plain_english_message(api_client):
    response = api_client.post("/api/auth/code/", {"phone": "01294 123456"}, format="json")

    assert response.json() == NOT_A_MOBILE


# --- a number that has texted STOP -----------------------------------------------------------


def stopped_texts(number: str = "+447700900001") -> dict:
    return {
        "detail": f"You have stopped texts from Blether. Text START to {number}, then try again."
    }


@pytest.fixture
def stopped(settings):
    settings.SMS_PUBLIC_NUMBER = "+447700900001"
    return UserFactory(phone=PHONE, has_app=True, sms_opted_out_at=timezone.now())


def test_a_number_that_texted_stop_is_told_to_text_start_and_sent_nothing(
    ask_for_code, stopped, sms_outbox
):
    response = ask_for_code("07700 900123")

    assert response.status_code == 409
    assert response.json() == stopped_texts()
    assert LoginCode.objects.count() == 0
    assert Message.objects.count() == 0
    assert sms_outbox == []


def test_without_a_public_number_the_refusal_still_says_what_to_do(ask_for_code, stopped, settings):
    settings.SMS_PUBLIC_NUMBER = ""

    response = ask_for_code()

    assert response.status_code == 409
    assert response.json() == stopped_texts("Blether's number")


def test_after_start_the_number_gets_its_code_at_once(ask_for_code, stopped, sms_outbox, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    refusals = [ask_for_code().status_code for _ in range(5)]
    start = {"MessageSid": "SMstart1", "From": PHONE, "To": "+447700900001", "Body": "START"}
    assert post_signed(APIClient(), "/api/sms/inbound/", start).status_code == 200

    response = ask_for_code()

    # Refusals sent nothing, so neither the per-minute nor the hourly limit was used up.
    assert refusals == [409] * 5
    assert response.status_code == 202
    assert [m["to"] for m in sms_outbox] == [PHONE]
    code_sent_to(sms_outbox)
    assert LoginCode.objects.count() == 1


def test_refusals_still_count_against_the_callers_ip(ask_for_code, settings):
    settings.SMS_PUBLIC_NUMBER = "+447700900001"
    stopped_numbers = [UserFactory(sms_opted_out_at=timezone.now()).phone for _ in range(20)]

    refusals = [ask_for_code(n, REMOTE_ADDR="198.51.100.7").status_code for n in stopped_numbers]
    next_one = ask_for_code("07700 900400", REMOTE_ADDR="198.51.100.7")

    assert refusals == [409] * 20
    assert next_one.status_code == 429


# --- swapping the code for tokens -----------------------------------------------------------


def test_first_login_creates_the_person_with_the_app(api_client, ask_for_code, sms_outbox):
    ask_for_code("07700 900123")

    response = api_client.post(
        "/api/auth/token/", {"phone": "07700 900123", "code": code_sent_to(sms_outbox)}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    person = User.objects.get()
    assert person.phone == PHONE
    assert person.has_app is True
    assert body["user"] == {
        "id": person.pk,
        "phone": PHONE,
        "display_name": "",
        "home_location": None,
        "nudge_radius_km": 2.0,
        "sms_nudges": False,
        "quiet_hours": {"start": "21:00", "end": "09:00"},
        "dietary_needs": "",
        "access_needs": "",
        "organisations": [],
    }
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.get("/api/me/").json()["id"] == person.pk
    assert LoginCode.objects.get().used_at is not None


def test_an_sms_only_neighbour_signing_in_keeps_their_record(api_client, ask_for_code, sms_outbox):
    neighbour = UserFactory(phone=PHONE, display_name="Jean Paterson", has_app=False)

    body = sign_in(api_client, ask_for_code, sms_outbox)

    assert User.objects.count() == 1
    neighbour.refresh_from_db()
    assert neighbour.has_app is True
    assert body["user"]["id"] == neighbour.pk
    assert body["user"]["display_name"] == "Jean Paterson"


def test_a_code_works_once(api_client, ask_for_code, sms_outbox):
    ask_for_code()
    code = code_sent_to(sms_outbox)
    first = api_client.post("/api/auth/token/", {"phone": PHONE, "code": code})

    second = api_client.post("/api/auth/token/", {"phone": PHONE, "code": code})

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json() == WRONG_OR_EXPIRED


def test_a_wrong_code_is_a_400_and_counts_as_a_try(api_client, ask_for_code, sms_outbox):
    ask_for_code()

    response = api_client.post(
        "/api/auth/token/", {"phone": PHONE, "code": wrong(code_sent_to(sms_outbox))}
    )

    assert response.status_code == 400
    assert response.json() == WRONG_OR_EXPIRED
    assert LoginCode.objects.get().attempts == 1
    assert User.objects.count() == 0


def test_a_code_for_another_phone_does_not_work(api_client, ask_for_code, sms_outbox):
    ask_for_code()

    response = api_client.post(
        "/api/auth/token/", {"phone": "07700 900124", "code": code_sent_to(sms_outbox)}
    )

    assert response.status_code == 400
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"phone": PHONE},
        {"phone": PHONE, "code": "12345"},
        {"phone": PHONE, "code": "1234567"},
        {"phone": PHONE, "code": "12a456"},
        {"phone": PHONE, "code": "١٢٣٤٥٦"},  # Arabic-Indic digits are not our code's digits
        {"phone": "hello", "code": "123456"},
        {"code": "123456"},
    ],
)
def test_token_request_with_malformed_input_is_a_400_and_spends_no_try(
    api_client, ask_for_code, body
):
    ask_for_code()

    response = api_client.post("/api/auth/token/", body)

    assert response.status_code == 400
    assert LoginCode.objects.get().attempts == 0


def test_a_code_expires_after_ten_minutes(api_client, ask_for_code, sms_outbox):
    ask_for_code()
    code = code_sent_to(sms_outbox)
    LoginCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = api_client.post("/api/auth/token/", {"phone": PHONE, "code": code})

    assert response.status_code == 400
    assert response.json() == WRONG_OR_EXPIRED
    assert User.objects.count() == 0


def test_a_code_still_works_just_before_it_expires(api_client, ask_for_code, sms_outbox):
    ask_for_code()
    code = code_sent_to(sms_outbox)
    LoginCode.objects.update(expires_at=timezone.now() + dt.timedelta(seconds=5))

    response = api_client.post("/api/auth/token/", {"phone": PHONE, "code": code})

    assert response.status_code == 200


def test_the_right_code_fails_after_five_wrong_tries(api_client, ask_for_code, sms_outbox):
    ask_for_code()
    code = code_sent_to(sms_outbox)
    statuses = [
        api_client.post("/api/auth/token/", {"phone": PHONE, "code": wrong(code)}).status_code
        for _ in range(5)
    ]

    response = api_client.post("/api/auth/token/", {"phone": PHONE, "code": code})

    assert statuses == [400] * 5
    assert response.status_code == 400
    assert response.json() == WRONG_OR_EXPIRED
    row = LoginCode.objects.get()
    assert row.attempts == 5
    assert row.used_at is not None
    assert User.objects.count() == 0


def test_the_right_code_still_works_after_four_wrong_tries(api_client, ask_for_code, sms_outbox):
    ask_for_code()
    code = code_sent_to(sms_outbox)
    for _ in range(4):
        api_client.post("/api/auth/token/", {"phone": PHONE, "code": wrong(code)})

    response = api_client.post("/api/auth/token/", {"phone": PHONE, "code": code})

    assert response.status_code == 200


def test_a_new_code_kills_the_older_one(api_client, ask_for_code, sms_outbox, clock):
    ask_for_code()
    old = code_sent_to(sms_outbox)
    let_a_minute_pass(clock)
    assert ask_for_code().status_code == 202
    new = code_sent_to(sms_outbox)
    if new == old:  # one chance in a million; the old row must still be dead
        pytest.skip("the two random codes happened to match")

    stale = api_client.post("/api/auth/token/", {"phone": PHONE, "code": old})
    fresh = api_client.post("/api/auth/token/", {"phone": PHONE, "code": new})

    assert stale.status_code == 400
    assert fresh.status_code == 200
    assert LoginCode.objects.filter(used_at__isnull=True).count() == 0
    assert LoginCode.objects.count() == 2


# --- throttles --------------------------------------------------------------------------------


def test_a_second_code_within_a_minute_is_a_429_with_retry_after(ask_for_code, sms_outbox):
    assert ask_for_code().status_code == 202

    again = ask_for_code("07700 900123")  # the same phone written another way

    assert again.status_code == 429
    assert 1 <= int(again["Retry-After"]) <= 60
    assert set(again.json()) == {"detail"}
    assert len(sms_outbox) == 1
    assert LoginCode.objects.count() == 1


def test_a_code_can_be_asked_for_again_after_a_minute(ask_for_code, sms_outbox, clock):
    ask_for_code()
    let_a_minute_pass(clock)

    assert ask_for_code().status_code == 202
    assert len(sms_outbox) == 2


def test_the_sixth_code_in_an_hour_is_a_429(ask_for_code, sms_outbox, clock):
    statuses = []
    for _ in range(5):
        statuses.append(ask_for_code().status_code)
        statuses.append(ask_for_code().status_code)  # too soon: refused, and not counted
        let_a_minute_pass(clock)

    sixth = ask_for_code()

    assert statuses == [202, 429] * 5
    assert sixth.status_code == 429
    assert sixth["Retry-After"] == str(3600 - 5 * 61)  # until the first code's hour is up
    assert len(sms_outbox) == 5
    assert LoginCode.objects.count() == 5


def test_one_phone_being_throttled_does_not_hold_up_another(ask_for_code):
    ask_for_code()

    assert ask_for_code(PHONE).status_code == 429
    assert ask_for_code("07700 900124").status_code == 202


def test_code_requests_are_limited_per_ip(ask_for_code, sms_outbox):
    crowd = [f"07700 900{n:03d}" for n in range(300, 321)]
    statuses = [ask_for_code(phone, REMOTE_ADDR="198.51.100.7").status_code for phone in crowd]

    elsewhere = ask_for_code("07700 900400", REMOTE_ADDR="198.51.100.8")

    assert statuses == [202] * 20 + [429]
    assert int(ask_for_code("07700 900401", REMOTE_ADDR="198.51.100.7")["Retry-After"]) > 60
    assert elsewhere.status_code == 202
    assert len(sms_outbox) == 21


def test_token_requests_are_limited_per_ip(api_client):
    body = {"phone": PHONE, "code": "000000"}
    statuses = [
        api_client.post("/api/auth/token/", body, REMOTE_ADDR="198.51.100.9").status_code
        for _ in range(61)
    ]

    assert statuses == [400] * 60 + [429]
    assert api_client.post("/api/auth/token/", body, REMOTE_ADDR="198.51.100.10").status_code == 400


def test_a_made_up_forwarded_for_does_not_escape_the_per_ip_code_limit(ask_for_code, sms_outbox):
    crowd = [f"07700 900{n:03d}" for n in range(300, 321)]

    statuses = [
        ask_for_code(
            phone, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n, phone in enumerate(crowd)
    ]

    assert statuses == [202] * 20 + [429]
    assert len(sms_outbox) == 20


def test_a_made_up_forwarded_for_does_not_escape_the_per_ip_guess_limit(api_client):
    body = {"phone": PHONE, "code": "000000"}

    statuses = [
        api_client.post(
            "/api/auth/token/",
            body,
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_FORWARDED_FOR=f"203.0.{n // 256}.{n % 256}",
        ).status_code
        for n in range(61)
    ]

    assert statuses == [400] * 60 + [429]


def test_drf_itself_ignores_forwarded_for_with_no_proxies(rf):
    # Any throttle that keeps DRF's own get_ident must follow the same rule.
    request = Request(rf.post("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9"))

    assert BaseThrottle().get_ident(request) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_forwards_is_the_client(ask_for_code, settings):
    settings.NUM_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    crowd = [f"07700 900{n:03d}" for n in range(300, 321)]

    # The client made up the left part; the proxy appended the address it saw.
    statuses = [
        ask_for_code(
            phone, **proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7"
        ).status_code
        for n, phone in enumerate(crowd)
    ]
    neighbour = ask_for_code("07700 900400", **proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert statuses == [202] * 20 + [429]
    assert neighbour.status_code == 202


# --- refresh and log out ----------------------------------------------------------------------


def test_refresh_rotates_and_the_old_refresh_token_dies(api_client, ask_for_code, sms_outbox):
    tokens = sign_in(api_client, ask_for_code, sms_outbox)

    rotated = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})
    replayed = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})

    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != tokens["refresh"]
    assert replayed.status_code == 401
    again = api_client.post("/api/auth/token/refresh/", {"refresh": rotated.json()["refresh"]})
    assert again.status_code == 200
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {again.json()['access']}")
    assert me.get("/api/me/").status_code == 200


@pytest.mark.parametrize("refresh", ["", "not-a-token", "a.b.c"])
def test_refresh_with_junk_is_refused(api_client, refresh):
    response = api_client.post("/api/auth/token/refresh/", {"refresh": refresh})

    assert response.status_code in (400, 401)
    assert response.status_code == (400 if refresh == "" else 401)


def test_an_access_token_is_not_a_refresh_token(api_client, ask_for_code, sms_outbox):
    tokens = sign_in(api_client, ask_for_code, sms_outbox)

    response = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["access"]})

    assert response.status_code == 401


def test_logout_kills_the_refresh_token(api_client, ask_for_code, sms_outbox):
    tokens = sign_in(api_client, ask_for_code, sms_outbox)
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    response = me.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 205
    refused = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refused.status_code == 401
    twice = me.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert twice.status_code == 400


def test_logout_needs_a_signed_in_person(api_client, ask_for_code, sms_outbox):
    tokens = sign_in(api_client, ask_for_code, sms_outbox)

    response = APIClient().post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 401
    assert (
        api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code
        == 200
    )


def test_logout_with_someone_elses_refresh_token_is_a_400(
    api_client, ask_for_code, sms_outbox, resident
):
    theirs = sign_in(api_client, ask_for_code, sms_outbox)

    response = client_for(resident).post(
        "/api/auth/logout/", {"refresh": theirs["refresh"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "That refresh token is not yours."}
    still = api_client.post("/api/auth/token/refresh/", {"refresh": theirs["refresh"]})
    assert still.status_code == 200


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": "junk"}])
def test_logout_with_no_live_refresh_token_is_a_400(resident_client, body):
    response = resident_client.post("/api/auth/logout/", body, format="json")

    assert response.status_code == 400


# --- privacy ----------------------------------------------------------------------------------


def test_codes_and_tokens_never_reach_the_logs(api_client, ask_for_code, sms_outbox, caplog):
    caplog.set_level(logging.DEBUG)
    ask_for_code("07700 900123")
    code = code_sent_to(sms_outbox)
    api_client.post("/api/auth/token/", {"phone": PHONE, "code": wrong(code)})
    tokens = api_client.post("/api/auth/token/", {"phone": PHONE, "code": code}).json()
    rotated = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).json()
    api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})  # a 401, logged

    secrets = [code, tokens["access"], tokens["refresh"], rotated["access"], rotated["refresh"]]
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert caplog.records, "the flow logged nothing, so this test would prove nothing"
    for secret in secrets:
        assert secret not in logged

"""The real SDK over a real socket to a local Twilio-compatible server."""

import datetime as dt
import socket

import pytest
from django.utils import timezone

from notifications.dispatch import dispatch_message
from notifications.gateways import PermanentFailure, get_gateway, reset_gateway_cache
from notifications.models import Message
from notifications.services import notify
from tests.factories import UserFactory
from tests.notifications.twilio_helpers import SERVICE

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def awake_person(**extra):
    return UserFactory(quiet_start=dt.time(0), quiet_end=dt.time(0), **extra)


def queue(person, key="k1", body_code="T7K2") -> Message:
    return notify(
        recipient=person,
        template="login_code",
        context={"code": body_code},
        dedupe_key=key,
    )


def test_a_text_goes_over_the_socket_with_auth_and_every_field(twilio_backend):
    person = awake_person()
    message = queue(person)

    assert dispatch_message(message.pk) == "sent"

    [accepted] = twilio_backend.accepted
    assert accepted["To"] == person.phone
    assert accepted["Body"] == "Your Blether code is T7K2. It works for 10 minutes. Never share it."
    assert accepted["MessagingServiceSid"] == SERVICE
    assert accepted["StatusCallback"] == "https://blether.test/api/sms/status/"
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == ("sent", accepted["sid"])


def test_the_from_number_is_sent_when_there_is_no_messaging_service(twilio_backend, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_FROM_NUMBER = "+447700900001"
    reset_gateway_cache()

    get_gateway().send(to="+447700900123", body="Hello")

    assert twilio_backend.accepted[0]["From"] == "+447700900001"
    assert "MessagingServiceSid" not in twilio_backend.accepted[0]


@pytest.mark.parametrize(("code", "error_code"), [(429, "20429"), (500, "20500"), (503, "20503")])
def test_throttling_and_outages_are_retried_later_then_sent(twilio_backend, code, error_code):
    twilio_backend.fail_next = [code]
    message = queue(awake_person())

    assert dispatch_message(message.pk) == "queued"
    message.refresh_from_db()
    assert (message.status, message.error_code, message.attempts) == ("queued", error_code, 1)
    assert message.not_before > timezone.now()

    Message.objects.filter(pk=message.pk).update(not_before=timezone.now())
    assert dispatch_message(message.pk) == "sent"
    assert len(twilio_backend.accepted) == 1


@pytest.mark.parametrize(
    ("code", "opted_out", "invalid"), [(21610, True, False), (21211, False, True)]
)
def test_refusals_fail_for_good_and_mark_the_person(twilio_backend, code, opted_out, invalid):
    person = awake_person()
    twilio_backend.refuse_to[person.phone] = code
    message = queue(person)

    assert dispatch_message(message.pk) == "failed"

    person.refresh_from_db()
    message.refresh_from_db()
    assert message.error_code == str(code)
    assert (person.sms_opted_out_at is not None, person.phone_invalid) == (opted_out, invalid)
    assert twilio_backend.accepted == []


def test_wrong_credentials_are_a_permanent_failure(twilio_backend, settings):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    reset_gateway_cache()
    message = queue(awake_person())

    assert dispatch_message(message.pk) == "failed"

    message.refresh_from_db()
    assert message.error_code == "20003"
    assert twilio_backend.accepted == []


def test_a_missing_field_is_refused_by_the_server(twilio_backend):
    with pytest.raises(PermanentFailure) as caught:
        get_gateway().send(to="+447700900123", body="")

    assert caught.value.code == "21602"
    assert twilio_backend.refused[0][1]["code"] == 21602


def test_connection_refused_is_retried_later(twilio_backend, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{closed_port}"
    reset_gateway_cache()
    message = queue(awake_person())

    assert dispatch_message(message.pk) == "queued"

    message.refresh_from_db()
    assert (message.status, message.error_code) == ("queued", "connect")


def test_a_read_timeout_is_unknown_because_twilio_may_have_sent_it(twilio_backend, settings):
    settings.TWILIO_TIMEOUT_SECONDS = 0.3
    reset_gateway_cache()
    twilio_backend.delay = 1.0
    message = queue(awake_person())

    assert dispatch_message(message.pk) == "unknown"
    assert dispatch_message(message.pk) == "skipped"

    message.refresh_from_db()
    assert message.status == "unknown"
    assert len(twilio_backend.accepted) == 1  # it did go: resending would have doubled it

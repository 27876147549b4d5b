"""Twilio's webhooks: signatures, one action per MessageSid, TwiML, delivery reports."""

import pytest

from api.models import InboundSms
from notifications.models import Message
from people.models import User
from tests.factories import UserFactory
from tests.notifications.twilio_helpers import TOKEN, post_signed, sign

INBOUND = "/api/sms/inbound/"
STATUS = "/api/sms/status/"
PHONE = "+447700900555"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN


def inbound(body: str, sid: str = "SMin1", phone: str = PHONE) -> dict:
    return {"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body}


def test_a_signed_text_is_answered_with_twiml(api_client):
    response = post_signed(api_client, INBOUND, inbound("HELP"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response.content.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Blether: reply YES to take '
        "a place (YES 2 for two), NO to cancel, MEALS for what's on, HOME + postcode to set "
        "your area, or text a meal code. STOP ends texts.</Message></Response>"
    )


@pytest.mark.parametrize(
    "signature",
    ["", "bm90IGEgc2lnbmF0dXJl", "wrong"],
    ids=["missing", "forged", "garbage"],
)
def test_unsigned_or_forged_texts_are_refused_and_change_nothing(api_client, signature):
    response = post_signed(api_client, INBOUND, inbound("YES"), signature=signature)

    assert response.status_code == 403
    assert InboundSms.objects.count() == 0
    assert not User.objects.filter(phone=PHONE).exists()


def test_a_signature_for_another_url_or_other_fields_is_refused(api_client):
    params = inbound("YES")
    wrong_url = sign("/api/sms/status/", params)
    other_body = sign(INBOUND, {**params, "Body": "NO"})

    assert post_signed(api_client, INBOUND, params, signature=wrong_url).status_code == 403
    assert post_signed(api_client, INBOUND, params, signature=other_body).status_code == 403


def test_with_no_auth_token_configured_nothing_is_accepted(api_client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = inbound("HELP")

    response = post_signed(api_client, INBOUND, params, signature=sign(INBOUND, params, token=""))

    assert response.status_code == 403


def test_a_replayed_message_sid_is_acted_on_once_and_answered_the_same(api_client):
    first = post_signed(api_client, INBOUND, inbound("STOP", sid="SMdup"))
    User.objects.filter(phone=PHONE).update(sms_opted_out_at=None)

    again = post_signed(api_client, INBOUND, inbound("STOP", sid="SMdup"))

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert InboundSms.objects.filter(message_sid="SMdup").count() == 1
    assert User.objects.get(phone=PHONE).sms_opted_out_at is None


def test_a_missing_field_is_a_400(api_client):
    params = {"MessageSid": "SMx", "Body": "YES"}

    response = post_signed(api_client, INBOUND, params)

    assert response.status_code == 400
    assert "From" in response.json()


def test_a_sender_that_is_not_a_phone_gets_an_empty_answer(api_client):
    response = post_signed(api_client, INBOUND, inbound("YES", phone="BLETHER"))

    assert response.status_code == 200
    assert b"<Message>" not in response.content
    assert InboundSms.objects.count() == 0


def test_a_delivery_report_moves_the_row(api_client):
    person = UserFactory()
    message = Message.objects.create(
        recipient=person,
        to_phone=person.phone,
        template="login_code",
        category="login_code",
        body="x",
        dedupe_key="d1",
        status="sent",
        provider_sid="SMout1",
    )
    params = {"MessageSid": "SMout1", "MessageStatus": "delivered", "AccountSid": "AC1"}

    response = post_signed(api_client, STATUS, params)

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"


def test_undelivered_reports_pause_the_number_after_three(api_client):
    person = UserFactory()
    for n in range(3):
        Message.objects.create(
            recipient=person,
            to_phone=person.phone,
            template="login_code",
            category="login_code",
            body="x",
            dedupe_key=f"d{n}",
            status="sent",
            provider_sid=f"SMout{n}",
        )
        params = {"MessageSid": f"SMout{n}", "MessageStatus": "undelivered", "ErrorCode": "30005"}
        assert post_signed(api_client, STATUS, params).status_code == 204

    person.refresh_from_db()
    assert (person.undelivered_streak, person.sms_paused) == (3, True)


def test_a_forged_delivery_report_is_refused(api_client):
    params = {"MessageSid": "SMout1", "MessageStatus": "delivered"}

    assert post_signed(api_client, STATUS, params, signature="forged").status_code == 403

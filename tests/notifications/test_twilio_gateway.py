"""The Twilio gateway through the real SDK, with a recording HTTP client underneath."""

import pytest
import requests
from urllib3.exceptions import NewConnectionError, ProtocolError

from notifications.gateways import PermanentFailure, TemporaryFailure, UnknownOutcome
from notifications.gateways.twilio import RedirectingHttpClient, TwilioGateway
from tests.notifications.twilio_helpers import (
    ACCOUNT,
    SERVICE,
    TOKEN,
    RecordingHttpClient,
    created,
)

CALLBACK = "https://blether.test/api/sms/status/"


def gateway(*answers, **kwargs) -> tuple[TwilioGateway, RecordingHttpClient]:
    http = RecordingHttpClient(*answers)
    options = {"messaging_service_sid": SERVICE, **kwargs}
    return TwilioGateway(account_sid=ACCOUNT, auth_token=TOKEN, http_client=http, **options), http


def test_send_posts_the_fields_twilio_needs_with_a_messaging_service():
    gw, http = gateway(created("SM123"))

    result = gw.send(to="+447700900123", body="Hello Morag", status_callback=CALLBACK)

    assert result.provider_sid == "SM123"
    assert result.status == "queued"
    [call] = http.calls
    assert call["method"] == "POST"
    assert call["url"] == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert call["auth"] == (ACCOUNT, TOKEN)
    assert call["data"] == {
        "To": "+447700900123",
        "Body": "Hello Morag",
        "MessagingServiceSid": SERVICE,
        "StatusCallback": CALLBACK,
    }


def test_send_uses_the_from_number_when_there_is_no_messaging_service():
    gw, http = gateway(created(), messaging_service_sid="", from_number="+447700900999")

    gw.send(to="+447700900123", body="Hi")

    assert http.calls[0]["data"] == {"To": "+447700900123", "Body": "Hi", "From": "+447700900999"}


def test_a_gateway_needs_a_sender():
    with pytest.raises(ValueError, match="Messaging Service SID or a From number"):
        TwilioGateway(account_sid=ACCOUNT, auth_token=TOKEN, http_client=RecordingHttpClient())


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (429, {"code": 20429, "message": "Too Many Requests", "status": 429}, "20429"),
        (500, {"code": 20500, "message": "Internal Server Error", "status": 500}, "20500"),
        (503, "<html>Service Unavailable</html>", "503"),
    ],
)
def test_throttling_and_server_errors_are_temporary(status, body, code):
    gw, _http = gateway((status, body))

    with pytest.raises(TemporaryFailure) as caught:
        gw.send(to="+447700900123", body="Hi")

    assert caught.value.code == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (21610, "recipient has opted out"),
        (21211, "not a textable mobile number"),
        (21614, "not a textable mobile number"),
        (21408, "Twilio refused the message (400)"),
    ],
)
def test_refusals_are_permanent_and_keep_twilios_code(code, message):
    gw, _http = gateway((400, {"code": code, "message": "refused", "status": 400}))

    with pytest.raises(PermanentFailure) as caught:
        gw.send(to="+447700900123", body="Hi")

    assert caught.value.code == str(code)
    assert str(caught.value) == message


def test_bad_credentials_are_permanent():
    gw, _http = gateway((401, {"code": 20003, "message": "Authenticate", "status": 401}))

    with pytest.raises(PermanentFailure) as caught:
        gw.send(to="+447700900123", body="Hi")

    assert caught.value.code == "20003"


def test_problem_details_errors_are_classified_too():
    problem = {"type": "https://x/21610", "title": "Opted out", "status": 400, "code": 21610}
    gw, _http = gateway((400, problem))

    with pytest.raises(PermanentFailure) as caught:
        gw.send(to="+447700900123", body="Hi")

    assert caught.value.code == "21610"


def _refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111]")
    return requests.ConnectionError(reason)


@pytest.mark.parametrize(
    "error",
    [
        _refused(),
        requests.ConnectionError(ConnectionRefusedError(111, "refused")),
        requests.ConnectTimeout(),
    ],
    ids=["new-connection-error", "connection-refused", "connect-timeout"],
)
def test_not_reaching_twilio_is_temporary(error):
    gw, _http = gateway(error)

    with pytest.raises(TemporaryFailure) as caught:
        gw.send(to="+447700900123", body="Hi")

    assert caught.value.code == "connect"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (requests.ReadTimeout(), "timeout"),
        (
            requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())),
            "lost",
        ),
    ],
    ids=["read-timeout", "reset-mid-request"],
)
def test_losing_the_answer_after_sending_is_an_unknown_outcome(error, code):
    gw, _http = gateway(error)

    with pytest.raises(UnknownOutcome) as caught:
        gw.send(to="+447700900123", body="Hi")

    assert caught.value.code == code


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/2010-04-01/Accounts/AC1/Messages.json"),
        ("http://mock:9/twilio/", "http://mock:9/twilio/2010-04-01/Accounts/AC1/Messages.json"),
    ],
)
def test_the_api_base_url_replaces_scheme_and_host(base, expected):
    client = RedirectingHttpClient(base_url=base)

    assert (
        client.rewrite("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json") == expected
    )

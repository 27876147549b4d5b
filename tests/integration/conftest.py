import pytest

from notifications.gateways import reset_gateway_cache
from tests.integration.fake_twilio import FakeTwilio
from tests.notifications.twilio_helpers import ACCOUNT, SERVICE, TOKEN


@pytest.fixture
def fake_twilio():
    server = FakeTwilio(account_sid=ACCOUNT, auth_token=TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def twilio_backend(settings, fake_twilio):
    """SMS_BACKEND=twilio, the real SDK pointed at the fake server over a socket."""
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_MESSAGING_SERVICE_SID = SERVICE
    settings.TWILIO_API_BASE_URL = fake_twilio.url
    reset_gateway_cache()
    yield fake_twilio
    reset_gateway_cache()

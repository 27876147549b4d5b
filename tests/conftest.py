import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from notifications.gateways import get_gateway
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _clean_shared_state():
    """Throttle counters live in Redis and texts in the console gateway: start each test empty."""
    cache.clear()
    gateway = get_gateway()
    if hasattr(gateway, "clear"):
        gateway.clear()
    yield


@pytest.fixture
def sms_outbox():
    """Texts the console gateway has 'sent' in this test: [{"to", "body", "sid"}]."""
    return get_gateway().sent


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    client.user = user
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def resident(db):
    return UserFactory(display_name="Morag Reid", has_app=True)


@pytest.fixture
def resident_client(resident):
    return client_for(resident)


@pytest.fixture
def host(db):
    return UserFactory(display_name="Agnes Boyd", has_app=True)


@pytest.fixture
def host_client(host):
    return client_for(host)


@pytest.fixture
def staff_member(db):
    return MembershipFactory(role="staff")


@pytest.fixture
def staff_client(staff_member):
    return client_for(staff_member.person)

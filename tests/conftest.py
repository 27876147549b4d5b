import importlib
import os

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from meals.models import SafetyPrompt
from notifications.gateways import get_gateway
from tests.clock import SESSION_CLOCK, london, start_session_clock
from tests.factories import MembershipFactory, UserFactory
from tests.fake_postcodes import FakePostcodes


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        'clock(*times, on=None, tick=False): run at each London wall time, e.g. "03:00", "14:00"',
    )
    spec = os.environ.get(SESSION_CLOCK)
    if spec:
        # Before any test module is imported, so every timestamp of the run is on this clock.
        config._blether_clock = start_session_clock(spec)


def pytest_unconfigure(config):
    traveller = getattr(config, "_blether_clock", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    spec = os.environ.get(SESSION_CLOCK)
    return f"clock: started at {london(spec).isoformat()} ({SESSION_CLOCK})" if spec else None


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("clock")
    if marker is not None and len(marker.args) > 1:
        metafunc.parametrize("clock", marker.args, indirect=True, ids=list(marker.args))


@pytest.fixture(autouse=True)
def clock(request):
    """The pinned London moment of a test marked `@pytest.mark.clock(...)`; None otherwise.

    Autouse and defined first, so the clock is set before any other fixture writes a row.
    """
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield None
        return
    moment = london(getattr(request, "param", marker.args[0]), on=marker.kwargs.get("on"))
    with time_machine.travel(moment, tick=marker.kwargs.get("tick", False)):
        yield moment


@pytest.fixture(autouse=True)
def _clean_shared_state():
    """Throttle counters live in Redis and texts in the console gateway: start each test empty."""
    cache.clear()
    gateway = get_gateway()
    if hasattr(gateway, "clear"):
        gateway.clear()
    yield


_catalogue = importlib.import_module("meals.migrations.0004_safety_catalogue")


@pytest.fixture
def safety_catalogue(request):
    """The safety catalogue, as its data migration writes it, for tests that use the database.

    A transactional test flushes every table, the migration's rows too, so later tests refill
    it here (tests/meals and tests/web use it for every test)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not {"db", "transactional_db", "live_server"} & names:
        return
    transactional = "live_server" in names or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not SafetyPrompt.objects.filter(organisation__isnull=True).exists():
        _catalogue.load(django_apps, None)


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


@pytest.fixture
def postcodes_service(settings):
    """A postcodes.io-compatible server on a real socket, with POSTCODES_API_URL pointing at it
    (tests/fake_postcodes.py); without this fixture the built-in table answers."""
    with FakePostcodes() as fake:
        settings.POSTCODES_API_URL = fake.url
        settings.POSTCODES_TIMEOUT_SECONDS = 0.5
        yield fake

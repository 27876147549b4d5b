import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client

from meals.models import SafetyPrompt

_catalogue = importlib.import_module("meals.migrations.0004_safety_catalogue")


@pytest.fixture(autouse=True)
def safety_catalogue(request):
    """The catalogue comes from a data migration; transactional tests flush it, so refill."""
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


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def resident_web(resident):
    return web_client(resident)


@pytest.fixture
def host_web(host):
    return web_client(host)

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def safety_catalogue(safety_catalogue):
    """Every test here starts with the catalogue (tests/conftest.py)."""
    return safety_catalogue


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

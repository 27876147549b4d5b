import importlib

import pytest
from django.apps import apps as django_apps

from meals.models import SafetyPrompt

_catalogue = importlib.import_module("meals.migrations.0004_safety_catalogue")


@pytest.fixture(autouse=True)
def safety_catalogue(request):
    """The catalogue comes from a data migration; transactional tests flush it, so refill."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not SafetyPrompt.objects.filter(organisation__isnull=True).exists():
        _catalogue.load(django_apps, None)

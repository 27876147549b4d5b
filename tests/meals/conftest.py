import pytest


@pytest.fixture(autouse=True)
def safety_catalogue(safety_catalogue):
    """Every test here starts with the catalogue (tests/conftest.py)."""
    return safety_catalogue

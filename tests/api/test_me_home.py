"""POST /api/me/home/: a home area from a postcode, placed by a fake postcodes service over a
real socket, by the built-in table, or by the table when the service is down."""

import pytest

from people.models import User
from tests.fake_postcodes import closed_port_url

pytestmark = pytest.mark.django_db

URL = "/api/me/home/"


def stored(person) -> tuple[float, float] | None:
    home = User.objects.get(pk=person.pk).home_location
    return None if home is None else (home.y, home.x)


def test_a_postcode_sets_the_home_area(resident_client, resident, postcodes_service):
    response = resident_client.post(URL, {"postcode": "ka21 5ab"}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "area": "Saltcoats",
        "located_by": "service",
        "approximate": False,
        "home_location": {"lat": 55.634, "lng": -4.783},
    }
    assert stored(resident) == (55.634, -4.783)
    assert postcodes_service.paths == ["/postcodes/KA215AB"]


def test_without_a_service_the_district_is_used(resident_client, resident, settings):
    settings.POSTCODES_API_URL = ""

    response = resident_client.post(URL, {"postcode": "KA13 6AB"}, format="json")

    assert response.json() == {
        "area": "Kilwinning",
        "located_by": "table",
        "approximate": True,
        "home_location": {"lat": 55.654, "lng": -4.704},
    }


def test_with_the_service_down_the_district_stands_in(resident_client, resident, settings):
    settings.POSTCODES_API_URL = closed_port_url()

    response = resident_client.post(URL, {"postcode": "KA21 5AB"}, format="json")

    assert response.status_code == 200
    assert (response.json()["located_by"], response.json()["approximate"]) == ("fallback", True)
    assert stored(resident) == (55.634, -4.785)


def test_with_the_service_down_and_no_district_it_answers_503(resident_client, resident, settings):
    settings.POSTCODES_API_URL = closed_port_url()
    before = stored(resident)

    response = resident_client.post(URL, {"postcode": "G1 1AA"}, format="json")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json() == {
        "detail": "We can't look up postcodes just now. Please try again in a few minutes."
    }
    assert stored(resident) == before


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (
            {"postcode": "KA21 9ZZ"},
            {"detail": "We can't find that postcode. Check it and try again."},
        ),
        ({"postcode": "not a postcode"}, {"detail": "Enter a UK postcode, like KA21 5AB."}),
        ({"postcode": ""}, {"postcode": ["This field may not be blank."]}),
        ({}, {"postcode": ["This field is required."]}),
        (
            {"postcode": "x" * 17},
            {"postcode": ["Ensure this field has no more than 16 characters."]},
        ),
    ],
)
def test_a_postcode_that_cannot_be_used_is_a_400_and_changes_nothing(
    resident_client, resident, postcodes_service, body, answer
):
    before = stored(resident)

    response = resident_client.post(URL, body, format="json")

    assert (response.status_code, response.json()) == (400, answer)
    assert stored(resident) == before


def test_lookups_are_limited_per_person(resident_client, postcodes_service, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "postcode_lookups": "2/hour"}

    codes = [
        resident_client.post(URL, {"postcode": "KA21 5AB"}, format="json").status_code
        for _ in range(3)
    ]

    assert codes == [200, 200, 429]
    assert len(postcodes_service.paths) == 1  # the second was answered from the cache


def test_with_redis_away_the_postcode_is_still_looked_up_and_counted(
    resident_client, resident, postcodes_service, settings
):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": closed_port_url().replace("http", "redis"),
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "postcode_lookups": "2/hour"}

    codes = [
        resident_client.post(URL, {"postcode": "KA21 5AB"}, format="json").status_code
        for _ in range(3)
    ]

    assert codes == [200, 200, 429]  # counted in the database instead
    assert postcodes_service.paths == ["/postcodes/KA215AB"] * 2  # no cache: asked each time
    assert stored(resident) == (55.634, -4.783)

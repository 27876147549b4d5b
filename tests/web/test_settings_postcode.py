"""The settings page's postcode field: a home area from a postcode (fake postcodes service
over a real socket, or the built-in table), errors on the field, and nothing saved on one."""

import pytest
from django.contrib.messages import get_messages

from people.models import User
from tests.fake_postcodes import closed_port_url

pytestmark = pytest.mark.django_db

FORM = {
    "display_name": "Morag",
    "sms_nudges": "no",
    "nudge_radius_km": "2.0",
    "quiet_start": "21:00",
    "quiet_end": "09:00",
}


def save(client, **fields):
    return client.post("/settings/", {**FORM, **fields})


def home(person) -> tuple[float, float] | None:
    point = User.objects.get(pk=person.pk).home_location
    return None if point is None else (point.y, point.x)


def said(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def test_a_postcode_sets_the_home_area_over_the_typed_point(
    resident_web, resident, postcodes_service
):
    response = save(resident_web, postcode="ka21 5ab", lat="55.9", lng="-4.1")

    assert response.status_code == 302
    assert said(response) == ["Your settings are saved. Your home area is Saltcoats."]
    assert home(resident) == (55.634, -4.783)
    assert User.objects.get(pk=resident.pk).display_name == "Morag"


def test_the_table_answers_without_a_service_and_says_it_is_rough(resident_web, resident, settings):
    settings.POSTCODES_API_URL = ""

    response = save(resident_web, postcode="KA12 8ZZ")

    assert said(response) == [
        "Your settings are saved. Your home area is Irvine "
        "(roughly: the middle of its postcode district)."
    ]
    assert home(resident) == (55.611, -4.672)


@pytest.mark.parametrize(
    ("postcode", "status", "message"),
    [
        ("KA21 9ZZ", 400, "We can't find that postcode. Check it and try again."),
        ("KA21", 400, "Enter a UK postcode, like KA21 5AB."),
        ("G1 1AA", 503, "We can't look up postcodes just now. Please try again in a few minutes."),
    ],
)
def test_a_postcode_that_cannot_be_used_is_shown_on_the_field_and_nothing_is_saved(
    resident_web, resident, postcodes_service, settings, postcode, status, message
):
    if status == 503:
        settings.POSTCODES_API_URL = closed_port_url()
    before = home(resident)

    response = save(resident_web, postcode=postcode, dietary_needs="vegan")

    page = response.content.decode()
    assert response.status_code == status
    assert f'<li><a href="#id_postcode">{message}</a></li>'.replace("'", "&#x27;") in page
    assert 'id="id_postcode-error"' in page
    assert f'value="{postcode}"' in page
    person = User.objects.get(pk=resident.pk)
    assert (home(person), person.dietary_needs) == (before, "")


def test_postcode_lookups_are_limited_per_person(
    resident_web, resident, postcodes_service, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "postcode_lookups": "1/hour"}

    assert save(resident_web, postcode="KA21 5AB").status_code == 302
    response = save(resident_web, postcode="KA12 9AA")

    assert response.status_code == 429
    assert "You have changed your area a lot. Wait 60 minutes." in response.content.decode()
    assert home(resident) == (55.634, -4.783)


def test_the_postcode_is_never_shown_back_once_saved(resident_web, resident, postcodes_service):
    assert save(resident_web, postcode="KA12 9AA").status_code == 302

    page = resident_web.get("/settings/").content.decode()

    assert "9AA" not in page
    assert 'name="postcode" type="text" autocomplete="postal-code" value=""' in page

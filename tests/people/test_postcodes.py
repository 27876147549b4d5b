"""Postcodes: read in any case and spacing, looked up over a real socket (found, unknown,
service down, slow), cached, and answered from the built-in table without a service."""

import time

import pytest
from django.conf import settings as conf
from redis import Redis

from people.models import User
from people.places import (
    InvalidPostcode,
    Place,
    Postcode,
    PostcodeServiceDown,
    UnknownPostcode,
    parse_postcode,
    place_for_postcode,
)
from people.places.outward import OUTWARD
from people.services import home_area_from_postcode
from tests.factories import UserFactory
from tests.fake_postcodes import closed_port_url

KA21 = Postcode("KA21", "5AB")


@pytest.mark.parametrize(
    ("typed", "outward", "inward"),
    [
        ("KA21 5AB", "KA21", "5AB"),
        ("ka215ab", "KA21", "5AB"),
        ("  Ka21   5aB ", "KA21", "5AB"),
        ("G1 1AA", "G1", "1AA"),
        ("EH1 1AA", "EH1", "1AA"),
        ("W1A 0AX", "W1A", "0AX"),
        ("EC1A 1BB", "EC1A", "1BB"),
        ("gir 0aa", "GIR", "0AA"),
    ],
)
def test_postcodes_are_read_in_any_case_and_spacing(typed, outward, inward):
    postcode = parse_postcode(typed)

    assert (postcode.outward, postcode.inward) == (outward, inward)
    assert str(postcode) == f"{outward} {inward}"


@pytest.mark.parametrize(
    "typed",
    ["", "KA21", "KA21 5A", "5AB KA21", "QA21 5AB", "KA21 5AC", "KA21-5AB", "KA215ABX", "x" * 40],
)
def test_what_is_not_a_postcode_is_refused(typed):
    with pytest.raises(InvalidPostcode) as refused:
        parse_postcode(typed)

    assert refused.value.detail == "Enter a UK postcode, like KA21 5AB."
    assert refused.value.status_code == 400


def test_without_a_service_the_table_gives_the_middle_of_the_district(settings):
    settings.POSTCODES_API_URL = ""

    place = place_for_postcode(KA21)

    assert place == Place("Saltcoats", 55.634, -4.785, "table")
    assert place.approximate is True


def test_without_a_service_a_district_outside_the_table_is_not_guessed(settings):
    settings.POSTCODES_API_URL = ""

    with pytest.raises(UnknownPostcode) as unknown:
        place_for_postcode(Postcode("G1", "1AA"))

    assert unknown.value.detail == (
        "We can't place that postcode yet. Use your location, or try again later."
    )


def test_every_district_in_the_table_is_a_real_outward_code_in_ayrshire():
    for outward, district in OUTWARD.items():
        assert parse_postcode(f"{outward} 1AA").outward == outward
        assert 55.4 < district.lat < 55.8 and -5.0 < district.lng < -4.4, outward


def test_the_service_places_a_postcode_and_names_the_town(postcodes_service):
    place = place_for_postcode(KA21)

    assert place == Place("Saltcoats", 55.63412, -4.78263, "service")
    assert place.approximate is False
    assert postcodes_service.paths == ["/postcodes/KA215AB"]


def test_outside_the_table_the_council_names_the_area(postcodes_service):
    assert place_for_postcode(Postcode("G1", "1AA")) == Place(
        "Glasgow City", 55.86074, -4.25129, "service"
    )


def test_the_second_lookup_is_answered_from_the_cache(postcodes_service):
    first = place_for_postcode(KA21)
    second = place_for_postcode(parse_postcode("ka21 5ab"))

    assert first == second
    assert postcodes_service.paths == ["/postcodes/KA215AB"]
    # The cache key is a keyed hash: the postcode is not written into Redis.
    keys = [k.decode() for k in Redis.from_url(conf.REDIS_URL).keys("*postcode*")]
    assert len(keys) == 1
    assert "KA21" not in keys[0] and "5AB" not in keys[0]


def test_an_unknown_postcode_is_refused_and_remembered(postcodes_service):
    for _ in range(2):
        with pytest.raises(UnknownPostcode) as unknown:
            place_for_postcode(Postcode("KA21", "9ZZ"))
        assert unknown.value.detail == "We can't find that postcode. Check it and try again."

    assert postcodes_service.paths == ["/postcodes/KA219ZZ"]


def test_a_postcode_with_no_place_on_the_map_is_refused(postcodes_service):
    with pytest.raises(UnknownPostcode) as unknown:
        place_for_postcode(Postcode("EH1", "1AA"))

    assert unknown.value.detail == (
        "We can't place that postcode on a map. Use your location instead."
    )


def test_a_service_that_is_down_leaves_the_table_to_answer(settings, caplog):
    settings.POSTCODES_API_URL = closed_port_url()

    place = place_for_postcode(KA21)

    assert place == Place("Saltcoats", 55.634, -4.785, "fallback")
    assert [r.getMessage() for r in caplog.records] == [
        "postcode service did not answer: NewConnectionError"
    ]
    assert "5AB" not in caplog.text


def test_a_service_that_is_down_with_no_table_answer_says_so(settings):
    settings.POSTCODES_API_URL = closed_port_url()

    with pytest.raises(PostcodeServiceDown) as down:
        place_for_postcode(Postcode("G1", "1AA"))

    assert (down.value.status_code, down.value.retry_after) == (503, 60)


def test_a_slow_service_is_given_up_on_after_the_timeout(postcodes_service):
    postcodes_service.delay = 2.0

    started = time.monotonic()
    place = place_for_postcode(KA21)
    waited = time.monotonic() - started

    assert place.source == "fallback"
    assert 0.4 < waited < 1.5
    with pytest.raises(PostcodeServiceDown):
        place_for_postcode(Postcode("G1", "1AA"))


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_service_answering_an_error_is_down_and_nothing_is_cached(postcodes_service, status):
    postcodes_service.status = status

    assert place_for_postcode(KA21).source == "fallback"
    postcodes_service.status = None
    assert place_for_postcode(KA21).source == "service"
    assert len(postcodes_service.paths) == 2


@pytest.mark.django_db
def test_setting_the_home_area_keeps_it_coarse_and_not_the_postcode(postcodes_service):
    person = UserFactory(home_location=None)

    place = home_area_from_postcode(user=person, postcode="ka21 5ab")

    person = User.objects.get(pk=person.pk)
    assert place.area == "Saltcoats"
    assert (person.home_location.y, person.home_location.x) == (55.634, -4.783)
    row = User.objects.filter(pk=person.pk).values().get()
    assert not any("KA21" in str(value).upper() for value in row.values())


@pytest.mark.django_db
def test_a_refused_postcode_changes_nothing(postcodes_service):
    person = UserFactory()
    before = person.home_location

    with pytest.raises(UnknownPostcode):
        home_area_from_postcode(user=person, postcode="KA21 9ZZ")

    assert User.objects.get(pk=person.pk).home_location == before

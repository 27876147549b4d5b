"""The API's JWT authentication reads the token's person with one plain statement
(`people.selectors.user_by_id`, `api.authentication`): the same person the ORM would give, and
simplejwt's answers for a token that names nobody, someone gone or someone inactive."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from people.models import User
from people.selectors import user_by_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _bearer(token: AccessToken) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _fields(user: User) -> dict:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_person_read_is_the_one_the_orm_reads_field_for_field():
    person = UserFactory(
        display_name="Morag Reid",
        home_location=Point(-4.7842, 55.6336, srid=4326),
        nudge_radius_km=Decimal("3.5"),
        quiet_start=dt.time(20, 30),
        sms_opted_out_at=dt.datetime(2026, 11, 2, 9, 15, tzinfo=dt.UTC),
        calendar_key="k" * 32,
    )

    read = user_by_id(person.pk)
    orm = User.objects.get(pk=person.pk)

    assert _fields(read) == _fields(orm)
    assert (read.home_location.x, read.home_location.y) == (-4.7842, 55.6336)
    assert read.home_location.srid == 4326
    assert read._state.adding is False
    assert read._state.db == "default"
    assert user_by_id(person.pk + 1000) is None


def test_an_authenticated_request_reads_its_person_once_by_a_plain_statement():
    person = UserFactory(display_name="Agnes Boyd")
    client = _bearer(AccessToken.for_user(person))

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/me/")

    assert response.status_code == 200
    assert response.json()["display_name"] == "Agnes Boyd"
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "people_user"' in q["sql"]]
    assert len(reads) == 1
    assert reads[0].startswith('SELECT "id", ')
    assert reads[0].endswith(f'FROM "people_user" WHERE "id" = {person.pk}')


def test_a_token_for_someone_since_deleted_is_refused_as_simplejwt_refuses_it():
    person = UserFactory()
    client = _bearer(AccessToken.for_user(person))
    person.delete()

    response = client.get("/api/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "user_not_found"


def test_a_token_for_someone_inactive_is_refused():
    person = UserFactory(is_active=False)

    response = _bearer(AccessToken.for_user(person)).get("/api/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


@pytest.mark.parametrize("claimed", ["12x", "", "-1", "0", "١٢", 2**70, 1.5, None, [1], {"id": 1}])
def test_a_signed_token_whose_person_is_not_a_whole_number_names_nobody(claimed):
    UserFactory()  # someone for a loose reading to find
    token = AccessToken()
    token["user_id"] = claimed

    response = _bearer(token).get("/api/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "user_not_found"


def test_a_signed_token_without_a_person_is_an_invalid_token():
    token = AccessToken()  # signed, unexpired, and naming nobody
    assert "user_id" not in token.payload

    response = _bearer(token).get("/api/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_person_id_given_as_digits_still_finds_them():
    person = UserFactory(display_name="Tam Reid")
    token = AccessToken()
    token["user_id"] = str(person.pk)

    response = _bearer(token).get("/api/me/")

    assert response.status_code == 200
    assert response.json()["display_name"] == "Tam Reid"

"""UNSET, the "not given" of partial updates, and user_update built on it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import User
from people.services import user_update
from people.unset import UNSET, given
from tests.factories import UserFactory


def test_given_keeps_every_value_but_unset_in_the_order_given():
    assert given(z=None, b=UNSET, c=0, d="", e=False, a=UNSET) == {
        "z": None,
        "c": 0,
        "d": "",
        "e": False,
    }
    assert list(given(z=1, a=2)) == ["z", "a"]
    assert repr(UNSET) == "UNSET"


def updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


@pytest.mark.django_db
def test_user_update_with_nothing_given_writes_nothing():
    person = UserFactory(display_name="Agnes Boyd")

    with CaptureQueriesContext(connection) as queries:
        user_update(user=person, display_name=UNSET, home_location=UNSET)

    assert updates(queries) == []


@pytest.mark.django_db
def test_user_update_writes_exactly_the_given_fields_and_empty_is_a_value():
    person = UserFactory(display_name="Agnes Boyd", dietary_needs="Vegetarian")
    person.display_name = "Changed in memory only"

    with CaptureQueriesContext(connection) as queries:
        user_update(user=person, dietary_needs="", quiet_end=dt.time(8, 30))

    [sql] = updates(queries)
    assert sql.split(" WHERE ")[0] == (
        'UPDATE "people_user" SET "quiet_end" = \'08:30:00\'::time, "dietary_needs" = \'\''
    )
    row = User.objects.get(pk=person.pk)
    assert (row.display_name, row.dietary_needs, row.quiet_end) == (
        "Agnes Boyd",
        "",
        dt.time(8, 30),
    )

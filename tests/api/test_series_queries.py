"""The series list and a series read in a fixed number of queries, however many series,
dates and regulars there are (no N+1)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meals.services.regulars import regular_join
from tests.api.test_series import FIRST, MONDAY
from tests.factories import UserFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.meals.series_helpers import published_series

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.slow
@pytest.mark.clock("09:00", on=MONDAY)
def test_twenty_series_cost_the_same_queries_as_one(host, resident, resident_client):
    first = published_series(host, starts_on=FIRST, count=2)
    regular_join(series=first, person=resident)
    one_list, listed = _queries(resident_client, "/api/series/")
    one_read, _ = _queries(resident_client, f"/api/series/{first.pk}/")
    assert listed["count"] == 1

    for n in range(19):
        series = published_series(
            UserFactory(), starts_on=FIRST + dt.timedelta(days=n % 5), count=2
        )
        regular_join(series=series, person=resident)
        regular_join(series=series, person=UserFactory())

    twenty_list, listed = _queries(resident_client, "/api/series/")
    twenty_read, _ = _queries(resident_client, f"/api/series/{series.pk}/")

    assert listed["count"] == 20
    assert [len(s["upcoming"]) for s in listed["results"]] == [2] * 20
    assert (twenty_list, twenty_read) == (one_list, one_read)

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.api.test_series import LUNCH
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.meals.series_helpers import make_series, published_series
from tests.permissions import Rule, check_matrix

pytestmark = pytest.mark.django_db

S = "/api/series/{series}/"
D = "/api/series/{draft}/"
X = "/api/series/{to_end}/"


@pytest.fixture
def world(host, resident):
    stranger = UserFactory(display_name="Sandy Muir", has_app=True)
    soon = dt.date.today() + dt.timedelta(days=7)
    series = published_series(host, starts_on=soon, count=3)
    draft = make_series(host, starts_on=soon, count=2)
    to_end = published_series(host, starts_on=soon, count=2)
    clients = {
        "anonymous": APIClient(),
        "host": client_for(host),
        "resident": client_for(resident),
        "stranger": client_for(stranger),
    }
    return clients, {"series": series.pk, "draft": draft.pk, "to_end": to_end.pk}


TITLE = {"title": "Soup club"}
ANSWERS = {"answers": [{"key": "weather_plan", "answer": "yes"}]}
NEXT_WEEK = (dt.date.today() + dt.timedelta(days=7)).isoformat()

RULES = [
    Rule("GET", "/api/series/", "anonymous", 401),
    Rule("GET", "/api/series/", "stranger", 200),
    Rule("POST", "/api/series/", "anonymous", 401, LUNCH),
    Rule("POST", "/api/series/", "stranger", 201, {**LUNCH, "starts_on": NEXT_WEEK}),
    Rule("GET", S, "anonymous", 401),
    Rule("GET", S, "stranger", 200),
    Rule("GET", D, "stranger", 404),
    Rule("GET", D, "host", 200),
    Rule("GET", "/api/series/999999/", "host", 404),
    # only the host changes, publishes, answers safety, ends
    Rule("PATCH", S, "anonymous", 401, TITLE),
    Rule("PATCH", S, "stranger", 403, TITLE),
    Rule("PATCH", D, "stranger", 404, TITLE),
    Rule("PATCH", S, "host", 200, TITLE),
    Rule("GET", S + "safety/", "stranger", 403),
    Rule("GET", D + "safety/", "stranger", 404),
    Rule("GET", S + "safety/", "host", 200),
    Rule("PUT", S + "safety/", "resident", 403, ANSWERS),
    Rule("PUT", S + "safety/", "host", 200, ANSWERS),
    Rule("POST", D + "publish/", "stranger", 404),
    Rule("POST", S + "publish/", "resident", 403),
    Rule("POST", D + "publish/", "host", 400),
    Rule("POST", X + "end/", "anonymous", 401),
    Rule("POST", X + "end/", "resident", 403),
    Rule("POST", D + "end/", "resident", 404),
    Rule("POST", X + "end/", "host", 200),
    Rule("POST", X + "end/", "host", 400),
    # anyone who can see a published series may come every time; the host may not
    Rule("POST", S + "regulars/", "anonymous", 401, {}),
    Rule("POST", D + "regulars/", "resident", 404, {}),
    Rule("POST", S + "regulars/", "host", 400, {}),
    Rule("POST", S + "regulars/", "resident", 201, {}),
    Rule("POST", S + "regulars/", "resident", 409, {}),
    Rule("POST", X + "regulars/", "stranger", 400, {}),
    Rule("DELETE", S + "regulars/me/", "anonymous", 401),
    Rule("DELETE", D + "regulars/me/", "resident", 404),
    Rule("DELETE", S + "regulars/me/", "resident", 204),
    Rule("DELETE", S + "regulars/me/", "stranger", 204),
]


def test_every_role_gets_what_the_matrix_says(world):
    clients, ids = world
    check_matrix(RULES, clients=clients, ids=ids)

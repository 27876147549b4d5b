"""Who may read which calendar: a meal's .ics as its detail (404 where the meal is not visible),
one's own feed address (a token), and a feed by its token alone."""

import pytest
from rest_framework.test import APIClient

from meals.services import meal_cancel
from people.services import calendar_feed_token
from tests.conftest import client_for
from tests.factories import MealFactory, SignupFactory, UserFactory
from tests.permissions import Rule, check_matrix

pytestmark = pytest.mark.django_db

ICS = "/api/meals/{meal}/calendar.ics"
DRAFT = "/api/meals/{draft}/calendar.ics"
OFF = "/api/meals/{off}/calendar.ics"
FEED = "/api/calendar/feed.ics?token={token}"

RULES = [
    Rule("GET", ICS, "anonymous", 401),
    Rule("GET", ICS, "host", 200),
    Rule("GET", ICS, "resident", 200),
    Rule("GET", ICS, "stranger", 200),
    Rule("POST", ICS, "host", 405, body={}),
    Rule("GET", DRAFT, "anonymous", 401),
    Rule("GET", DRAFT, "host", 200),
    Rule("GET", DRAFT, "resident", 404),
    Rule("GET", DRAFT, "stranger", 404),
    Rule("GET", OFF, "stranger", 200),
    Rule("GET", "/api/meals/999999/calendar.ics", "host", 404),
    Rule("GET", "/api/me/calendar/", "anonymous", 401),
    Rule("GET", "/api/me/calendar/", "resident", 200),
    Rule("PUT", "/api/me/calendar/", "resident", 405, body={}),
    Rule("POST", "/api/me/calendar/reset/", "anonymous", 401, body={}),
    Rule("GET", "/api/me/calendar/reset/", "resident", 405),
    # The token alone opens the feed, whoever asks; a guessed one opens nothing.
    Rule("GET", FEED, "anonymous", 200),
    Rule("GET", FEED, "stranger", 200),
    Rule("POST", FEED, "anonymous", 405, body={}),
    Rule("GET", "/api/calendar/feed.ics?token=guess", "anonymous", 404),
    Rule("GET", "/api/calendar/feed.ics", "anonymous", 400),
    # A reset (by the feed's owner) kills the address the rules above used.
    Rule("POST", "/api/me/calendar/reset/", "resident", 200, body={}),
    Rule("GET", FEED, "anonymous", 404),
]


def test_calendar_permission_matrix(host, resident):
    stranger = UserFactory(has_app=True)
    meal = MealFactory(host=host)
    SignupFactory(meal=meal, person=resident)
    draft = MealFactory(host=host, status="draft")
    off = MealFactory(host=host)
    meal_cancel(meal=off, by=host)
    clients = {
        "anonymous": APIClient(),
        "host": client_for(host),
        "resident": client_for(resident),
        "stranger": client_for(stranger),
    }
    ids = {
        "meal": meal.pk,
        "draft": draft.pk,
        "off": off.pk,
        "token": calendar_feed_token(person=resident),
    }
    check_matrix(RULES, clients=clients, ids=ids)

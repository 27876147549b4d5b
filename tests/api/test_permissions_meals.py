import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from people.models import User
from tests.conftest import client_for
from tests.factories import DishFactory, MealFactory, SignupFactory, UserFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.permissions import Rule, check_matrix

pytestmark = pytest.mark.django_db

M = "/api/meals/{meal}/"
D = "/api/meals/{draft}/"
C = "/api/meals/{to_cancel}/"
E = "/api/meals/{ended}/"
S = "/api/meals/{meal}/signups/{signup}/"


@pytest.fixture
def world(host, resident):
    stranger = UserFactory(display_name="Sandy Muir", has_app=True)
    absent = UserFactory(display_name="Bob Kerr", has_app=True)
    meal = MealFactory(host=host, capacity=10)
    signup = SignupFactory(meal=meal, person=resident, dietary_needs="Soft food")
    meal.seats_taken = 1
    meal.save()
    draft = MealFactory(host=host, status="draft")
    to_cancel = MealFactory(host=host)
    end = timezone.now() - dt.timedelta(hours=3)
    ended = MealFactory(
        host=host, status="completed", starts_at=end - dt.timedelta(hours=2), ends_at=end
    )
    SignupFactory(meal=ended, person=resident, status="attended")
    SignupFactory(meal=ended, person=absent, status="no_show")
    DishFactory(meal=meal, added_by=resident)
    clients = {
        "anonymous": APIClient(),
        "host": client_for(host),
        "resident": client_for(resident),
        "stranger": client_for(stranger),
        "absent": client_for(absent),
    }
    ids = {
        "meal": meal.pk,
        "draft": draft.pk,
        "to_cancel": to_cancel.pk,
        "ended": ended.pk,
        "signup": signup.pk,
    }
    return clients, ids


TITLE = {"title": "Tea and cake"}
ANSWERS = {"answers": [{"key": "weather_plan", "answer": "yes"}]}
GUEST = {"phone": "07700 900999", "name": "Ina Law"}
DISH = {"name": "Pancakes", "allergens": ["eggs", "milk", "gluten"]}
FEEDBACK = {"felt_welcome": 5}

RULES = [
    # discovery and reading
    Rule("GET", "/api/meals/", "anonymous", 401),
    Rule("GET", "/api/meals/", "stranger", 200),
    Rule("GET", M, "anonymous", 401),
    Rule("GET", M, "stranger", 200),
    Rule("GET", D, "stranger", 404),
    Rule("GET", D, "resident", 404),
    Rule("GET", D, "host", 200),
    Rule("GET", "/api/meals/999999/", "host", 404),
    Rule("GET", "/api/me/signups/", "anonymous", 401),
    Rule("GET", "/api/me/signups/", "resident", 200),
    # only the host edits, publishes, cancels, answers safety, sees the guest list
    Rule("PATCH", M, "anonymous", 401, TITLE),
    Rule("PATCH", M, "stranger", 403, TITLE),
    Rule("PATCH", M, "resident", 403, TITLE),
    Rule("PATCH", D, "stranger", 404, TITLE),
    Rule("PATCH", M, "host", 200, TITLE),
    Rule("PUT", M, "host", 405, TITLE),
    Rule("POST", D + "publish/", "stranger", 404),
    Rule("POST", M + "publish/", "resident", 403),
    Rule("POST", D + "publish/", "host", 400),
    Rule("GET", M + "safety/", "stranger", 403),
    Rule("GET", M + "safety/", "resident", 403),
    Rule("PUT", M + "safety/", "resident", 403, ANSWERS),
    Rule("GET", D + "safety/", "stranger", 404),
    Rule("GET", M + "safety/", "host", 200),
    Rule("PUT", M + "safety/", "host", 200, ANSWERS),
    Rule("GET", M + "signups/", "anonymous", 401),
    Rule("GET", M + "signups/", "stranger", 403),
    Rule("GET", M + "signups/", "resident", 403),
    Rule("GET", M + "signups/", "host", 200),
    Rule("POST", M + "guests/", "stranger", 403, GUEST),
    Rule("POST", M + "guests/", "resident", 403, GUEST),
    Rule("POST", C + "cancel/", "stranger", 403, {"reason": "mine"}),
    Rule("POST", C + "cancel/", "resident", 403, {"reason": "mine"}),
    Rule("POST", C + "cancel/", "host", 200, {"reason": "Rain"}),
    # the flyer: the host's alone, for a published meal yet to start
    Rule("GET", M + "flyer.pdf", "anonymous", 401),
    Rule("GET", M + "flyer.pdf", "stranger", 403),
    Rule("GET", M + "flyer.pdf", "resident", 403),
    Rule("GET", M + "flyer.pdf", "host", 200),
    Rule("GET", D + "flyer.pdf", "stranger", 404),
    Rule("GET", D + "flyer.pdf", "host", 409),
    Rule("GET", E + "flyer.pdf", "host", 409),
    # sign-ups: mine, or the host's to manage; nobody else's
    Rule("POST", M + "signups/", "anonymous", 401, {}),
    Rule("POST", M + "signups/", "host", 400, {}),
    Rule("POST", D + "signups/", "stranger", 404, {}),
    Rule("POST", M + "signups/", "resident", 409, {}),
    Rule("PATCH", S, "stranger", 404, {"party_size": 2}),
    Rule("PATCH", S, "host", 403, {"party_size": 2}),
    Rule("PATCH", S, "resident", 403, {"attendance": "attended"}),
    Rule("PATCH", S, "host", 400, {"attendance": "attended"}),
    Rule("PATCH", S, "resident", 200, {"party_size": 2}),
    Rule("DELETE", S, "stranger", 404),
    # dishes: anyone who can see the meal reads; people signed up and the host add
    Rule("GET", M + "dishes/", "stranger", 200),
    Rule("GET", D + "dishes/", "stranger", 404),
    Rule("POST", M + "dishes/", "stranger", 403, DISH),
    Rule("POST", M + "dishes/", "resident", 201, DISH),
    Rule("POST", M + "dishes/", "host", 201, DISH),
    # feedback: only people who came
    Rule("POST", E + "feedback/", "anonymous", 401, FEEDBACK),
    Rule("POST", E + "feedback/", "stranger", 403, FEEDBACK),
    Rule("POST", E + "feedback/", "absent", 403, FEEDBACK),
    Rule("POST", E + "feedback/", "host", 403, FEEDBACK),
    Rule("POST", E + "feedback/", "resident", 201, FEEDBACK),
    Rule("POST", M + "feedback/", "resident", 400, FEEDBACK),
    Rule("DELETE", S, "resident", 204),
]


def test_meals_permission_matrix(world):
    clients, ids = world
    check_matrix(RULES, clients=clients, ids=ids)


def test_nobody_sees_another_residents_phone(world):
    clients, ids = world
    # An SMS guest, so the host's list holds a phone that is not the viewer's.
    invited = clients["host"].post(f"/api/meals/{ids['meal']}/guests/", GUEST, format="json")
    assert invited.status_code == 201
    paths = [
        "/api/meals/",
        "/api/meals/?near=55.6336,-4.7842",
        "/api/me/signups/",
        *(
            f"/api/meals/{ids[key]}/{tail}"
            for key in ("meal", "draft", "ended", "to_cancel")
            for tail in ("", "signups/", "dishes/", "safety/")
        ),
    ]
    phones = {u.pk: u.phone for u in User.objects.exclude(phone=None)}
    assert len(phones) == 5
    scanned = 0
    for role, client in clients.items():
        if role == "anonymous":
            continue
        own = client.user.phone
        for path in paths:
            response = client.get(path)
            text = response.content.decode()
            scanned += response.status_code == 200
            for phone in phones.values():
                if phone != own:
                    assert phone not in text, (role, path)
                    assert phone[1:] not in text, (role, path)
    # The host's list shows a masked number and did get scanned.
    guest_list = clients["host"].get(f"/api/meals/{ids['meal']}/signups/").json()
    assert sorted(row["phone"] for row in guest_list["results"]) == sorted(
        ["+44•••••••999", "+44" + "•" * 7 + clients["resident"].user.phone[-3:]]
    )
    assert scanned >= 30

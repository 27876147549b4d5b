"""POST /api/meals/{id}/signups/ answers from the row it wrote, reading only the meal's row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.serializers.signups import SignupOut
from meals import selectors
from tests.conftest import client_for
from tests.factories import DishFactory, MealFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_answer_is_the_sign_up_as_read_back_and_no_meal_details_are_read():
    meal = MealFactory(capacity=2)
    DishFactory(meal=meal, allergens=["milk"])
    answers, statements = [], []
    for party in (2, 1, 3):
        with CaptureQueriesContext(connection) as captured:
            response = client_for(UserFactory()).post(
                f"/api/meals/{meal.pk}/signups/", {"party_size": party}, format="json"
            )
        assert response.status_code == 201
        answers.append(response.json())
        statements += [q["sql"] for q in captured.captured_queries]

    assert [(a["status"], a["waitlist_position"]) for a in answers] == [
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    for answer in answers:
        assert answer == SignupOut(selectors.signup_with_position(answer["id"])).data
    assert not [sql for sql in statements if '"meals_dish"' in sql or "prefetch" in sql]

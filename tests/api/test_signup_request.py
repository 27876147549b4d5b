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


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_sign_up_is_one_write_with_no_begin_or_savepoint():
    meal = MealFactory(capacity=4)
    guest = UserFactory()
    client = client_for(guest)

    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/meals/{meal.pk}/signups/", {"party_size": 3}, format="json")

    assert response.status_code == 201, response.content
    statements = [q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries]
    # The token's person, the meal's id and host, then seat_or_wait's one statement.
    assert statements == ["SELECT", "SELECT", "WITH"]
    assert '"meals_meal"."id", "meals_meal"."host_id" FROM' in captured.captured_queries[1]["sql"]
    meal.refresh_from_db()
    assert meal.seats_taken == 3


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_second_sign_up_is_409_and_takes_no_seats():
    meal = MealFactory(capacity=10)
    guest = UserFactory()
    client = client_for(guest)
    first = client.post(f"/api/meals/{meal.pk}/signups/", {"party_size": 2}, format="json")
    assert first.status_code == 201

    again = client.post(f"/api/meals/{meal.pk}/signups/", {"party_size": 3}, format="json")
    # The connection is usable straight after the refused statement.
    other = client_for(UserFactory()).post(
        f"/api/meals/{meal.pk}/signups/", {"party_size": 1}, format="json"
    )

    assert again.status_code == 409, again.content
    assert other.status_code == 201
    meal.refresh_from_db()
    assert meal.seats_taken == 3
    assert meal.signups.filter(person=guest).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_person_racing_themselves_gets_one_place_and_409s():
    """A double tap sent eight times at once, outside any transaction: one place, seats once."""
    import threading

    from django.db import connections

    meal = MealFactory(capacity=10)
    guest = UserFactory()
    path = f"/api/meals/{meal.pk}/signups/"
    gate = threading.Barrier(8)
    statuses: list[int] = []

    def tap() -> None:
        client = client_for(guest)
        gate.wait()
        try:
            statuses.append(client.post(path, {"party_size": 2}, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(statuses) == [201] + [409] * 7
    meal.refresh_from_db()
    assert meal.seats_taken == 2
    assert meal.signups.filter(person=guest).count() == 1

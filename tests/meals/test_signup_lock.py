"""A sign-up holds the meal row lock for one statement: the one that decides and writes."""

import pytest
from django.db import connection

from meals import services
from meals.models import Meal, Signup
from tests.factories import MealFactory, UserFactory


def statements_of(call) -> list[tuple[str, bool]]:
    """Each statement `call` sends, and whether a transaction was open when it was sent."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return sent


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("capacity", "status"), [(4, "confirmed"), (1, "waitlisted")])
def test_the_meal_lock_is_taken_by_the_last_statement_of_its_transaction(capacity, status):
    meal = MealFactory(capacity=capacity)
    person = UserFactory()

    sent = statements_of(lambda: services.signup_create(meal=meal, person=person, party_size=2))

    locking = [i for i, (sql, _) in enumerate(sent) if "FOR UPDATE" in sql]
    assert len(locking) == 1, sent
    statement = sent[locking[0]][0]
    assert 'INSERT INTO "meals_signup"' in statement
    assert 'UPDATE "meals_meal"' in statement
    # Nothing else is sent while that transaction, and so the lock, lasts.
    assert [sql for sql, open_ in sent[locking[0] + 1 :] if open_] == []
    assert Signup.objects.get(meal=meal, person=person).status == status
    assert Meal.objects.get(pk=meal.pk).seats_taken == (2 if status == "confirmed" else 0)

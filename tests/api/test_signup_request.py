"""POST /api/meals/{id}/signups/ answers from the row it wrote. A meal open to sign-ups is
not read before the one statement that signs up; anything else is read to answer as before."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.serializers.signups import SignupOut
from meals import selectors
from meals.models import Meal, Signup
from tests.conftest import client_for
from tests.factories import DishFactory, MealFactory, SignupFactory, UserFactory, point

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
    # The token's person, then seat_or_wait's one statement: the meal is not read first.
    assert statements == ["SELECT", "WITH"]
    meal.refresh_from_db()
    assert meal.seats_taken == 3


def test_a_waiting_party_is_the_statement_and_one_count_of_the_queue():
    meal = MealFactory(capacity=1)
    SignupFactory(meal=meal, party_size=1, status="confirmed")
    ahead = SignupFactory(meal=meal, party_size=2, status="waitlisted")
    # The queue runs on the database's clock (seat_or_wait stamps `queued_at` with
    # clock_timestamp() once it holds the meal), which a run's moved test clock
    # (BLETHER_TEST_CLOCK) does not move: the party ahead is queued on that clock too.
    Signup.objects.filter(pk=ahead.pk).update(queued_at=Now() - dt.timedelta(minutes=1))
    Meal.objects.filter(pk=meal.pk).update(seats_taken=1)
    client = client_for(UserFactory())

    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/meals/{meal.pk}/signups/", {"party_size": 1}, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["waitlist_position"]) == ("waitlisted", 2)
    # (The test's own transaction puts a savepoint around the write.)
    sqls = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert [sql.split(None, 1)[0].upper() for sql in sqls] == ["SELECT", "WITH", "SELECT"]
    assert sqls[2].startswith('SELECT count(*) FROM "meals_signup" WHERE meal_id = ')
    assert ahead.pk < response.json()["id"]


def _error(response) -> tuple[int, str | None]:
    body = response.json()
    return response.status_code, body.get("code", body.get("detail"))


def _sign_up(client, meal_id, body=None):
    return client.post(f"/api/meals/{meal_id}/signups/", body or {"party_size": 1}, format="json")


def test_what_is_not_open_is_answered_as_before_and_writes_nothing():
    guest = UserFactory()
    client = client_for(guest)
    host = UserFactory()
    others_draft = MealFactory(status="draft", host=host)
    mine_published = MealFactory(host=guest)
    mine_draft = MealFactory(status="draft", host=guest)
    cancelled = MealFactory(status="cancelled")
    begun = MealFactory(
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    # Published by status alone, never by publishing: seen by its host only, like a draft.
    odd = MealFactory(host=host)
    Meal.objects.filter(pk=odd.pk).update(published_at=None, status="published")

    answers = {
        "others_draft": _sign_up(client, others_draft.pk),
        "never_published": _sign_up(client, odd.pk),
        "mine_published": _sign_up(client, mine_published.pk),
        "mine_draft": _sign_up(client, mine_draft.pk),
        "cancelled": _sign_up(client, cancelled.pk),
        "begun": _sign_up(client, begun.pk),
        "no_such_meal": _sign_up(client, 2**31),
        "bigger_than_any_id": _sign_up(client, "9" * 30),
        "not_a_number": _sign_up(client, "abc"),
        "signed": _sign_up(client, "-1"),
        "zero": _sign_up(client, "0"),
        "unicode_digits": _sign_up(client, "\u0661"),
        "bad_body_on_a_hidden_meal": _sign_up(client, others_draft.pk, {"party_size": 9}),
    }

    hosting = "You are hosting this meal, so you already have a seat."
    missing = "No Meal matches the given query."
    assert {name: _error(r) for name, r in answers.items()} == {
        "others_draft": (404, missing),
        "never_published": (404, missing),
        "mine_published": (400, hosting),
        "mine_draft": (400, hosting),
        "cancelled": (400, "This meal is not taking sign-ups."),
        "begun": (400, "This meal is not taking sign-ups."),
        "no_such_meal": (404, missing),
        "bigger_than_any_id": (404, missing),
        "not_a_number": (404, "Not found."),
        "signed": (404, missing),
        "zero": (404, missing),
        "unicode_digits": (404, missing),
        "bad_body_on_a_hidden_meal": (404, missing),
    }
    assert Signup.objects.count() == 0
    assert list(Meal.objects.filter(seats_taken__gt=0)) == []


def test_a_bad_body_on_an_open_meal_is_400_and_writes_nothing():
    meal = MealFactory()
    client = client_for(UserFactory())

    too_big = _sign_up(client, meal.pk, {"party_size": 7})
    not_a_number = _sign_up(client, meal.pk, {"party_size": "two"})

    assert too_big.status_code == 400
    assert list(too_big.json()) == ["party_size"]
    assert not_a_number.status_code == 400
    assert list(not_a_number.json()) == ["party_size"]
    for hostile in ({"party_size": [[[[1]]]]}, {"party_size": 10**30}, {"party_size": True}):
        refused = _sign_up(client, meal.pk, hostile)
        assert (refused.status_code, list(refused.json())) == (400, ["party_size"]), hostile
    assert meal.signups.count() == 0
    meal.refresh_from_db()
    assert meal.seats_taken == 0


def test_a_lift_request_signs_up_through_the_meal_read_in_full():
    meal = MealFactory()
    guest = UserFactory(home_location=point(55.64, -4.79))

    with CaptureQueriesContext(connection) as captured:
        response = _sign_up(
            client_for(guest), meal.pk, {"party_size": 2, "lift": True, "pickup_note": "Flat 2"}
        )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed"
    assert meal.signups.get().lifts.get().pickup_note == "Flat 2"
    # The meal is read before signing up with a lift.
    assert any('FROM "meals_meal"' in q["sql"] for q in captured.captured_queries[:3])


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


def test_a_body_that_cannot_be_read_is_answered_after_the_meal_and_signs_no_one_up():
    hidden = MealFactory(status="draft")
    meal = MealFactory()
    client = client_for(UserFactory())

    def post(meal_id, body, content_type):
        return client.generic(
            "POST", f"/api/meals/{meal_id}/signups/", body, content_type=content_type
        )

    answers = {
        "broken_json_hidden": post(hidden.pk, '{"party_size": ', "application/json"),
        "form_hidden": post(hidden.pk, "party_size=1", "text/plain"),
        "not_a_meal": post("mode", '{"party_size": ', "application/json"),
        "broken_json_open": post(meal.pk, '{"party_size": ', "application/json"),
        "not_json_open": post(meal.pk, "party_size=1", "text/plain"),
    }

    assert {name: r.status_code for name, r in answers.items()} == {
        "broken_json_hidden": 404,
        "form_hidden": 404,
        "not_a_meal": 404,
        "broken_json_open": 400,
        "not_json_open": 415,
    }
    # A body that failed to parse is never read again as an empty one (all defaults).
    assert Signup.objects.count() == 0

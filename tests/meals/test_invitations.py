"""A meal's invitations are written by the database in one INSERT ... SELECT, the weekly cap
holding when two fan-outs reach the same people at once; the invitation row alone tells a
bare YES which meal it means."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meals.nudges import invitations_send, neighbours_to_invite
from meals.sms import sms_thread_meal, sms_thread_remember
from notifications.models import Message
from people.models import User
from tests.factories import SALTCOATS, MealFactory, point


def neighbours(n: int, *, start: int) -> list[User]:
    return User.objects.bulk_create(
        User(
            phone=f"+447700{start + i:06d}",
            display_name=f"Neighbour {i}",
            home_location=point(*SALTCOATS),
            sms_nudges=True,
            nudge_radius_km=2,
        )
        for i in range(n)
    )


def outbox_inserts(meal) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        written = invitations_send(meal_id=meal.pk)
    sql = [q["sql"] for q in captured.captured_queries]
    # Nothing else is written per person: no thread rows, no locks on their rows.
    assert not [s for s in sql if "meals_smsthread" in s or "FOR UPDATE" in s]
    return written, [s for s in sql if 'INSERT INTO "notifications_message"' in s]


@pytest.mark.django_db
def test_every_invitation_is_written_by_one_insert_select_whatever_their_number():
    few, many = MealFactory(), MealFactory()
    neighbours(2, start=0)
    written, inserts = outbox_inserts(few)
    assert (written, len(inserts)) == (2, 1)

    Message.objects.all().delete()
    neighbours(1_198, start=2)
    written, inserts = outbox_inserts(many)

    assert (written, len(inserts)) == (1_200, 1)
    assert " SELECT " in inserts[0]
    assert Message.objects.filter(template="meal_invitation").count() == 1_200
    assert Message.objects.values("body").distinct().count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_fan_outs_at_once_still_invite_nobody_more_than_twice_a_week():
    people = neighbours(40, start=0)
    first, second, third = MealFactory(), MealFactory(), MealFactory()
    assert invitations_send(meal_id=first.pk) == 40
    gate = threading.Barrier(2)
    written = {}

    def fan_out(meal) -> None:
        try:
            gate.wait()
            written[meal.pk] = invitations_send(meal_id=meal.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fan_out, args=(m,)) for m in (second, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    this_week = Message.objects.filter(
        template="meal_invitation", created_at__gte=timezone.now() - dt.timedelta(days=7)
    )
    per_person = {p.pk: this_week.filter(recipient=p).count() for p in people}
    assert set(per_person.values()) == {2}
    assert sorted(written.values()) == [0, 40]


@pytest.mark.django_db
def test_neighbours_are_sought_within_the_widest_radius_anyone_asked_for_then_their_own():
    meal = MealFactory(location=point(*SALTCOATS))
    # About 100 km north-east, in Perth: within 150 km, which only an admin could have set.
    far_but_wide = User.objects.create(
        phone="+447711100001",
        home_location=point(56.3950, -3.4308),
        sms_nudges=True,
        nudge_radius_km=150,
    )
    User.objects.create(
        phone="+447711100002",
        home_location=point(56.3950, -3.4308),
        sms_nudges=True,
        nudge_radius_km=20,
    )

    found = neighbours_to_invite(meal=meal)
    sql, params = found.query.sql_with_params()

    assert list(found) == [far_but_wide]
    # The bound the GiST index on homes can use: the widest radius, in metres, as a constant.
    assert "ST_DWithin" in sql
    assert 150_000.0 in params


@pytest.mark.django_db
def test_a_bare_yes_means_the_later_of_the_thread_and_the_latest_invitation():
    [person] = neighbours(1, start=0)
    first, listed, second = MealFactory(), MealFactory(), MealFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert sms_thread_meal(person=person) is None
        assert invitations_send(meal_id=first.pk) == 1
        assert sms_thread_meal(person=person) == first  # from the invitation's row alone
        clock.shift(60)
        sms_thread_remember(person=person, meal=listed)  # e.g. the first of a MEALS listing
        assert sms_thread_meal(person=person) == listed
        clock.shift(60)
        assert invitations_send(meal_id=second.pk) == 1
        assert sms_thread_meal(person=person) == second
        clock.shift(dt.timedelta(days=30, seconds=1))
        assert sms_thread_meal(person=person) is None  # both forgotten after 30 days

import datetime as dt
import importlib
import random

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from meals.models import Meal, Signup
from meals.selectors import (
    live_signup_for,
    meal_by_code,
    meals_discover,
    meals_near,
    signups_with_position,
    waitlist_position,
)
from tests.factories import (
    IRVINE,
    KILWINNING,
    SALTCOATS,
    DishFactory,
    MealFactory,
    SignupFactory,
    UserFactory,
    point,
    share_code,
)

pytestmark = pytest.mark.django_db

ARDROSSAN = (55.6432, -4.8110)


def test_near_finds_meals_within_the_radius_nearest_first_with_distances(resident):
    here = point(*SALTCOATS)
    next_door = MealFactory(location=point(SALTCOATS[0] + 0.0045, SALTCOATS[1]))  # ~500 m north
    ardrossan = MealFactory(location=point(*ARDROSSAN))
    kilwinning = MealFactory(location=point(*KILWINNING))
    MealFactory(location=point(*IRVINE))  # ~8.5 km away
    MealFactory(location=point(*SALTCOATS), status="draft")
    MealFactory(
        location=point(*SALTCOATS),
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )

    within_3km = list(meals_discover(viewer=resident, near=here, radius_m=3000))
    assert [m.pk for m in within_3km] == [next_door.pk, ardrossan.pk]
    assert within_3km[0].distance_m.m == pytest.approx(500, abs=5)
    assert within_3km[1].distance_m.m == pytest.approx(2000, rel=0.02)

    within_6km = list(meals_discover(viewer=resident, near=here, radius_m=6000))
    assert [m.pk for m in within_6km] == [next_door.pk, ardrossan.pk, kilwinning.pk]
    assert within_6km[2].distance_m.m == pytest.approx(5600, rel=0.03)


def test_meals_near_for_the_sms_side_limits_and_orders():
    here = point(*SALTCOATS)
    far = MealFactory(location=point(*ARDROSSAN))
    near = MealFactory(location=point(*SALTCOATS))
    MealFactory(location=point(*IRVINE))
    assert [m.pk for m in meals_near(point=here, radius_m=5000, limit=3)] == [near.pk, far.pk]
    assert [m.pk for m in meals_near(point=here, radius_m=5000, limit=1)] == [near.pk]


def test_filters(resident):
    base = timezone.now() + dt.timedelta(days=3)
    lunch = MealFactory(
        kind="shared_lunch",
        starts_at=base,
        ends_at=base + dt.timedelta(hours=2),
        dietary_options=["vegetarian", "halal"],
        step_free=True,
    )
    full = MealFactory(capacity=2, seats_taken=2, starts_at=base + dt.timedelta(days=2))
    tea = MealFactory(starts_at=base + dt.timedelta(days=5))

    def ids(**kw):
        return [m.pk for m in meals_discover(viewer=resident, **kw)]

    assert ids() == [lunch.pk, full.pk, tea.pk]
    assert ids(kind="shared_lunch") == [lunch.pk]
    assert ids(step_free=True) == [lunch.pk]
    assert ids(has_seats=True) == [lunch.pk, tea.pk]
    assert ids(dietary="halal") == [lunch.pk]
    assert ids(start=base + dt.timedelta(days=1), end=base + dt.timedelta(days=4)) == [full.pk]


def test_counts_allergens_and_my_signup(resident):
    meal = MealFactory(capacity=2, allergens=["gluten"])
    SignupFactory(meal=meal, party_size=2)
    Meal.objects.filter(pk=meal.pk).update(seats_taken=2)
    SignupFactory(meal=meal, status="waitlisted")
    mine = SignupFactory(meal=meal, person=resident, status="waitlisted")
    SignupFactory(meal=meal, status="cancelled")
    DishFactory(meal=meal, allergens=["peanuts", "milk"])
    DishFactory(meal=meal, allergens=["milk"])
    (found,) = meals_discover(viewer=resident)
    assert (found.seats_left, found.waitlist_count) == (0, 2)
    assert found.all_allergens == ["gluten", "milk", "peanuts"]
    assert [(s.pk, s.waitlist_position) for s in found.viewer_signups] == [(mine.pk, 2)]


def test_code_and_live_signup_lookups(resident):
    meal = MealFactory(code="T7K2")
    assert meal_by_code(" t7k2 ") == meal
    assert meal_by_code("T7K3") is None
    assert live_signup_for(meal=meal, person=resident) is None
    SignupFactory(meal=meal, person=resident, status="cancelled")
    live = SignupFactory(meal=meal, person=resident, status="waitlisted")
    assert live_signup_for(meal=meal, person=resident) == live


def test_near_uses_the_gist_index_on_meal_locations():
    host = UserFactory()
    rng = random.Random(4)
    start = timezone.now() + dt.timedelta(days=2)
    Meal.objects.bulk_create(
        Meal(
            code=share_code(10_000 + n),
            kind="street_tea",
            title="Tea",
            host=host,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            setting="street",
            location=point(rng.uniform(54.6, 58.6), rng.uniform(-6.0, -2.0)),
            place_description="here",
            capacity=10,
            status="published",
        )
        for n in range(5_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meals_meal")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'meals_meal' "
            "AND indexdef ILIKE '%%USING gist (location)%%'"
        )
        (gist_index,) = cursor.fetchone()
    plan = meals_discover(viewer=host, near=point(*SALTCOATS), radius_m=2000)[:20].explain()
    assert gist_index in plan, plan


def test_a_meal_never_published_is_visible_to_its_host_alone(resident):
    host = UserFactory()
    draft = MealFactory(host=host, status="draft")
    dropped = MealFactory(host=host, status="cancelled", published_at=None)
    called_off = MealFactory(host=host, status="cancelled")
    held = MealFactory(host=host, status="completed")
    ids = {draft.pk, dropped.pk, called_off.pk, held.pk}

    def seen(viewer) -> set:
        return set(Meal.objects.visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))

    assert seen(host) == ids
    assert seen(resident) == seen(None) == {called_off.pk, held.pk}


def test_the_migration_gives_published_and_completed_meals_a_publication_time():
    migration = importlib.import_module("meals.migrations.0006_backfill_published_at")
    created = timezone.now() - dt.timedelta(days=3)
    meals = {
        status: MealFactory(status=status, published_at=None, created_at=created)
        for status in ("draft", "published", "completed", "cancelled")
    }

    migration.backfill(django_apps, None)

    assert {s: Meal.objects.get(pk=m.pk).published_at for s, m in meals.items()} == {
        "draft": None,
        "published": created,
        "completed": created,
        "cancelled": None,
    }


def test_one_sign_ups_place_in_the_queue_is_the_lists_ties_by_id_and_only_its_meal():
    meal = MealFactory(capacity=1)
    other_meal = MealFactory(capacity=1)
    at = timezone.now() - dt.timedelta(hours=1)
    SignupFactory(meal=meal, status="confirmed")
    first = SignupFactory(meal=meal, status="waitlisted", queued_at=at)
    # Three queued at the same moment: the lower id is ahead.
    tied = [SignupFactory(meal=meal, status="waitlisted", queued_at=at + dt.timedelta(minutes=1))]
    tied += [SignupFactory(meal=meal, status="waitlisted", queued_at=tied[0].queued_at)]
    tied += [SignupFactory(meal=meal, status="waitlisted", queued_at=tied[0].queued_at)]
    # Neither a cancelled party nor another meal's queue counts.
    SignupFactory(meal=meal, status="cancelled", queued_at=at - dt.timedelta(hours=1))
    SignupFactory(meal=other_meal, status="waitlisted", queued_at=at - dt.timedelta(hours=1))
    last = SignupFactory(meal=meal, status="waitlisted", queued_at=at + dt.timedelta(hours=1))
    confirmed = Signup.objects.filter(meal=meal, status="confirmed").get()

    one_by_one = {
        s.pk: waitlist_position(s) for s in Signup.objects.filter(meal=meal).order_by("pk")
    }

    listed = dict(
        signups_with_position(Signup.objects.filter(meal=meal)).values_list(
            "pk", "waitlist_position"
        )
    )
    assert one_by_one == listed
    assert [one_by_one[s.pk] for s in (first, *tied, last)] == [1, 2, 3, 4, 5]
    assert one_by_one[confirmed.pk] is None

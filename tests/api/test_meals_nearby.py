"""GET /api/meals/?near=: nearest first from the partial GiST index, pages by `next` link
without counting, each meal exactly as MealOut shows it, and only the columns it shows."""

import datetime as dt
import itertools
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from api.serializers.meals import MealOut
from meals import nearby, selectors
from meals.models import Meal
from tests.conftest import client_for
from tests.factories import (
    SALTCOATS,
    DishFactory,
    MealFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
    point,
    share_code,
)

pytestmark = pytest.mark.django_db

NEAR = "55.6336,-4.7842"


def north(metres_in_degrees: float):
    """A point due north of Saltcoats' centre."""
    return point(SALTCOATS[0] + metres_in_degrees, SALTCOATS[1])


def listed(client, **params) -> dict:
    response = client.get("/api/meals/", {"near": NEAR, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_nearest_first_in_pages_linked_by_next_without_a_count(resident_client):
    # Due north at 0.0009° steps of latitude: 100, 400, 901, 1,601 and 2,502 m on the sphere.
    meals = [MealFactory(location=north(d)) for d in (0.0144, 0.0009, 0.0225, 0.0036, 0.0081)]
    by_distance = [meals[1], meals[3], meals[4], meals[0], meals[2]]
    MealFactory(location=north(0.06))  # 6.7 km: outside the 5 km circle
    MealFactory(location=north(0.0009), status="draft")
    MealFactory(
        location=north(0.0009),
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )

    first = listed(resident_client, page_size=2)
    second = resident_client.get(first["next"]).json()
    third = resident_client.get(second["next"]).json()

    assert (first["count"], first["previous"]) == (None, None)
    assert first["next"] == "http://testserver/api/meals/?near=55.6336%2C-4.7842&page=2&page_size=2"
    assert second["previous"] == "http://testserver/api/meals/?near=55.6336%2C-4.7842&page_size=2"
    assert third["previous"] == (
        "http://testserver/api/meals/?near=55.6336%2C-4.7842&page=2&page_size=2"
    )
    assert (second["count"], third["count"], third["next"]) == (None, None, None)
    pages = [[m["id"] for m in page["results"]] for page in (first, second, third)]
    assert pages == [
        [m.pk for m in by_distance[:2]],
        [m.pk for m in by_distance[2:4]],
        [meals[2].pk],
    ]
    distances = [m["distance_m"] for page in (first, second, third) for m in page["results"]]
    assert distances == [100, 400, 901, 1601, 2502]
    past_the_end = resident_client.get("/api/meals/", {"near": NEAR, "page_size": 2, "page": 4})
    assert past_the_end.status_code == 404
    assert past_the_end.json() == {"detail": "Invalid page."}


def test_the_radius_holds_and_a_full_page_has_no_next_when_nothing_follows(resident_client):
    inside = [MealFactory(location=north(d)) for d in (0.0009, 0.0036)]
    MealFactory(location=north(0.0144))  # 1.6 km

    body = listed(resident_client, radius_km=1, page_size=2)

    assert [m["id"] for m in body["results"]] == [m.pk for m in inside]
    assert (body["count"], body["next"], body["previous"]) == (None, None, None)
    assert listed(resident_client, radius_km=0.1)["results"] == []


def test_meals_at_one_place_appear_once_across_pages_by_id(resident_client):
    # More meals at the venue than the walk reads past a page: it has to walk further.
    venue = VenueFactory(location=north(0.0045))
    same_place = [
        MealFactory(location=venue.location, setting="venue", venue=venue)
        for _ in range(nearby.WALK_MARGIN * 3 + 4)
    ]
    nearer = MealFactory(location=north(0.0009))
    farther = MealFactory(location=north(0.0054))

    pages = []
    body = listed(resident_client, page_size=2)
    while True:
        pages.append([m["id"] for m in body["results"]])
        if body["next"] is None:
            break
        body = resident_client.get(body["next"]).json()

    shown = [pk for page in pages for pk in page]
    assert shown == [nearer.pk, *sorted(m.pk for m in same_place), farther.pk]
    assert [len(page) for page in pages] == [2] * 15


def test_meals_begun_but_not_yet_over_are_walked_past(resident_client):
    begun = timezone.now() - dt.timedelta(minutes=30)
    for _ in range(nearby.WALK_MARGIN + 4):
        MealFactory(location=north(0.0009), starts_at=begun, ends_at=begun + dt.timedelta(hours=2))
    upcoming = [MealFactory(location=north(d)) for d in (0.0018, 0.0027)]

    first = listed(resident_client, page_size=1)
    second = resident_client.get(first["next"]).json()

    assert [m["id"] for m in first["results"] + second["results"]] == [m.pk for m in upcoming]
    assert second["next"] is None


def test_each_meal_is_exactly_what_meal_out_shows(resident, resident_client):
    venue = VenueFactory(name="Fullarton common room", step_free=True, location=north(0.0045))
    at_venue = MealFactory(
        setting="venue",
        venue=venue,
        location=venue.location,
        kind="shared_lunch",
        capacity=2,
        allergens=["milk"],
        dietary_options=["vegetarian", "halal"],
        description="Soup and a blether",
    )
    SignupFactory(meal=at_venue, party_size=2)
    SignupFactory(meal=at_venue, status="waitlisted")
    SignupFactory(meal=at_venue, person=resident, status="cancelled")
    SignupFactory(meal=at_venue, person=resident, status="waitlisted", party_size=3)
    DishFactory(meal=at_venue, allergens=["peanuts", "celery"])
    street = MealFactory(location=north(0.0009), food="bring_a_dish", repeats="weekly")
    SignupFactory(meal=street, person=resident, party_size=2)

    body = listed(resident_client)

    assert [m["id"] for m in body["results"]] == [street.pk, at_venue.pk]
    for item, distance in zip(body["results"], (100, 500), strict=True):
        meal = selectors.meals_visible_to(resident).get(pk=item["id"])
        expected = dict(MealOut(meal).data)
        expected["distance_m"] = distance
        assert list(item) == list(expected)
        assert item == expected
    assert body["results"][1]["my_signup"]["waitlist_position"] == 2
    assert body["results"][1]["allergens"] == ["celery", "milk", "peanuts"]
    assert body["results"][1]["venue"]["accessibility"]["step_free"] is True


def test_the_list_reads_one_statement_without_the_hosts_password_or_phone(
    resident, resident_client
):
    for d in (0.0009, 0.0036):
        meal = MealFactory(location=north(d))
        SignupFactory(meal=meal, person=resident)

    with CaptureQueriesContext(connection) as captured:
        body = listed(resident_client)

    assert len(body["results"]) == 2
    token_user, page = (q["sql"] for q in captured.captured_queries)
    assert token_user.endswith(f'FROM "people_user" WHERE "id" = {resident.pk}')
    assert "password" not in page
    assert "phone" not in page
    assert "u.display_name" in page


def test_filters_find_what_meals_discover_finds(resident):
    base = timezone.now() + dt.timedelta(days=3)
    MealFactory(location=north(0.0009), kind="shared_lunch", dietary_options=["halal"])
    MealFactory(location=north(0.0018), capacity=2, seats_taken=2, step_free=True)
    MealFactory(location=north(0.0027), starts_at=base, ends_at=base + dt.timedelta(hours=2))
    MealFactory(location=north(0.0036), kind="supper", step_free=True)
    here = point(*SALTCOATS)
    for filters in (
        {},
        {"kind": "supper"},
        {"step_free": True},
        {"step_free": False},
        {"has_seats": True},
        {"has_seats": False},
        {"dietary": "halal"},
        {"start": base - dt.timedelta(hours=1), "end": base + dt.timedelta(hours=1)},
    ):
        orm = meals_discover_ids(resident, here, filters)
        page = nearby.meals_nearby(
            viewer=resident, near=here, radius_m=5000, offset=0, limit=20, **filters
        )
        assert [m.id for m in page] == orm, filters


def meals_discover_ids(viewer, here, filters) -> list[int]:
    return [m.pk for m in selectors.meals_discover(viewer=viewer, near=here, **filters)]


def scattered_meals(host) -> None:
    """6,000 meals over Scotland, a quarter of them published, analysed: enough that the
    planner walks the partial index rather than reading the table."""
    rng = random.Random(4)
    start = timezone.now() + dt.timedelta(days=2)
    Meal.objects.bulk_create(
        Meal(
            code=share_code(20_000 + n),
            kind="street_tea",
            title="Tea",
            host=host,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            setting="street",
            location=point(rng.uniform(54.6, 58.6), rng.uniform(-6.0, -2.0)),
            place_description="here",
            capacity=10,
            status=rng.choice(["published", "completed", "completed", "completed"]),
        )
        for n in range(6_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meals_meal")


def test_the_page_walks_the_partial_gist_index_nearest_first():
    host = UserFactory()
    scattered_meals(host)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'meals_meal' "
            "AND indexdef ILIKE '%%USING gist%%'"
        )
        indexes = cursor.fetchall()
    assert indexes == [
        (
            "meals_published_location_idx",
            "CREATE INDEX meals_published_location_idx ON public.meals_meal USING gist "
            "(location) WHERE ((status)::text = 'published'::text)",
        )
    ]
    with CaptureQueriesContext(connection) as captured:
        nearby.meals_nearby(viewer=host, near=point(*SALTCOATS), radius_m=5000, offset=0, limit=21)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + captured.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using meals_published_location_idx" in plan, plan
    assert "Order By: (location <-> " in plan, plan
    assert "meals_status_start_idx" not in plan, plan


def test_another_residents_sign_up_is_not_mine(resident_client):
    meal = MealFactory(location=north(0.0009))
    SignupFactory(meal=meal, person=UserFactory(), status="waitlisted")

    (item,) = listed(resident_client)["results"]

    assert (item["my_signup"], item["waitlist_count"]) == (None, 1)
    assert (
        client_for(meal.host).get("/api/meals/", {"near": NEAR}).json()["results"][0]["my_signup"]
        is None
    )


@pytest.mark.parametrize(
    ("page", "status"), [("0", 400), ("x", 400), ("1001", 404), ("9" * 30, 404)]
)
def test_a_page_that_cannot_be_is_a_4xx(resident_client, page, status):
    MealFactory(location=north(0.0009))

    response = resident_client.get("/api/meals/", {"near": NEAR, "page": page})

    assert response.status_code == status


def test_the_page_is_byte_for_byte_what_drfs_renderer_writes_of_meal_out(resident, resident_client):
    """PostgreSQL builds each meal's JSON: the body is the one DRF would render from MealOut,
    whatever the text, the season, the microseconds or the seventh decimal."""
    year = timezone.now().year + 1
    summer = dt.datetime(year, 7, 15, 11, 30, 0, 120, tzinfo=dt.UTC)  # 12:30:00.000120 BST
    winter = dt.datetime(year, 1, 15, 12, 0, tzinfo=dt.UTC)
    venue = VenueFactory(
        name='Ceàrdach "Community" Hub \\ 東',
        address="1 Main St,\nSaltcoats",
        location=point(55.6381005, -4.7842005),  # the seventh decimals are ties
        step_free=False,
        accessible_toilet=True,
        hearing_loop=True,
        parking=False,
    )
    at_venue = MealFactory(
        title="Tea\u2028& biscuits \U0001f375",
        description='Line one\nline\ttwo "quoted" </script>\u0001\u2029',
        starts_at=summer,
        ends_at=summer + dt.timedelta(hours=2, microseconds=999_999),
        setting="venue",
        venue=venue,
        location=venue.location,
        allergens=["sulphites", "milk"],
        dietary_options=["vegan", "halal"],
        cancelled_reason="",
    )
    DishFactory(meal=at_venue, allergens=["celery", "milk", "peanuts"])
    DishFactory(meal=at_venue, allergens=[])
    SignupFactory(meal=at_venue, status="waitlisted")
    SignupFactory(meal=at_venue, person=resident, status="waitlisted", party_size=2)
    street = MealFactory(
        location=point(55.63360049999999, -4.78420051),
        starts_at=winter,
        ends_at=winter + dt.timedelta(hours=3),
        capacity=2,
        seats_taken=2,
    )
    Meal.objects.filter(pk=street.pk).update(published_at=winter - dt.timedelta(days=9))

    response = resident_client.get("/api/meals/", {"near": NEAR})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    shown = response.json()["results"]
    assert [m["id"] for m in shown] == [street.pk, at_venue.pk]
    expected = []
    for item in shown:
        meal = selectors.meals_visible_to(resident).get(pk=item["id"])
        out = dict(MealOut(meal).data)
        out["distance_m"] = item["distance_m"]
        expected.append(out)
    envelope = {"count": None, "next": None, "previous": None, "results": expected}
    assert response.content == JSONRenderer().render(envelope)
    assert [m["distance_m"] for m in shown] == [0, 500]
    assert shown[0]["location"] == {"lat": 55.6336, "lng": -4.784201}
    assert shown[0]["seats_left"] == 0
    assert shown[0]["published_at"] == f"{year}-01-06T12:00:00Z"
    assert shown[1]["location"] == {"lat": 55.638101, "lng": -4.784201}
    assert shown[1]["starts_at"] == f"{year}-07-15T12:30:00.000120+01:00"
    assert shown[1]["ends_at"] == f"{year}-07-15T14:30:01.000119+01:00"
    assert shown[1]["allergens"] == ["celery", "milk", "peanuts", "sulphites"]
    assert shown[1]["my_signup"]["waitlist_position"] == 2
    assert shown[1]["venue"]["accessibility"] == {
        "step_free": False,
        "accessible_toilet": True,
        "hearing_loop": True,
        "parking": False,
    }
    assert "\u2028" not in response.content.decode()
    assert "\\u2028" in response.content.decode()


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("UTC", "07-15T11:30:05Z"),
        ("America/St_Johns", "07-15T09:00:05-02:30"),
        ("Asia/Kolkata", "07-15T17:00:05+05:30"),
    ],
)
def test_times_are_shown_in_the_current_zone_as_drf_shows_them(
    resident, resident_client, zone, shown
):
    year = timezone.now().year + 1
    starts = dt.datetime(year, 7, 15, 11, 30, 5, tzinfo=dt.UTC)
    meal = MealFactory(location=north(0.0009), starts_at=starts)

    with timezone.override(zone):
        (item,) = listed(resident_client)["results"]
        meal.refresh_from_db()
        expected = MealOut(selectors.meals_visible_to(resident).get(pk=meal.pk)).data

    assert (item["starts_at"], item["ends_at"]) == (expected["starts_at"], expected["ends_at"])
    assert item["starts_at"] == f"{year}-{shown}"


def test_the_page_is_planned_by_postgresql_as_a_prepared_statement(resident_client):
    MealFactory(location=north(0.0009))

    def runs() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements "
                "WHERE statement LIKE %s",
                ["%row_to_json(meal)%"],
            )
            return int(cursor.fetchone()[0])

    before = runs()
    for _ in range(7):
        assert len(listed(resident_client)["results"]) == 1

    assert runs() == before + 7


def test_the_generic_plan_of_the_prepared_page_walks_the_partial_gist_index(resident):
    """After its first runs PostgreSQL keeps one plan for every point: it must be the index
    walk, not a sort of every meal in the box. (Prepared here under a name of the test's own:
    the connection's cached statement may hold a plan made while an earlier test's table was
    tiny.)"""
    scattered_meals(UserFactory())
    sql = nearby._statement(nearby._JSON, "meals.meal", [])
    placeholder = itertools.count(1)
    numbered = re.sub("%s", lambda _: f"${next(placeholder)}", sql)
    values = [
        -4.7842, 55.6336, "Europe/London", resident.pk, timezone.now(), 5000.0,
        29, 5000.0, 21, 5000.0, 21, 29, 0, 21,
    ]  # fmt: skip
    assert numbered.count("$") == len(values)
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE generic_page AS {numbered}")
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            arguments = ", ".join(["%s"] * len(values))
            cursor.execute(f"EXPLAIN EXECUTE generic_page({arguments})", values)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE generic_page")
    assert "Index Scan using meals_published_location_idx" in plan, plan
    assert "Order By: (location <-> " in plan, plan
    assert "$1" in plan, plan  # the generic plan: the point is a parameter

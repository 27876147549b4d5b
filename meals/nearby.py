"""Meals near a point, a page at a time, nearest first: one hand-written statement over the
partial GiST index of published upcoming meals (the list behind `GET /api/meals/?near`)."""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Point
from django.db import connections, router
from django.utils import timezone

from meals.models import ALLERGENS, Meal
from people.models import User

# Sign-ups whose people are coming (or came), and so may see who brings each dish.


@dataclass(frozen=True, slots=True)
class NearbyMeal:
    """One meal of the nearby list: what the list shows of it, read in one statement."""

    id: int
    code: str
    kind: str
    title: str
    description: str
    host_id: int
    host_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    setting: str
    venue_id: int | None
    venue_name: str | None
    venue_address: str | None
    venue_step_free: bool | None
    venue_accessible_toilet: bool | None
    venue_hearing_loop: bool | None
    venue_parking: bool | None
    booking_id: int | None
    lat: float
    lng: float
    place_description: str
    on_road: bool
    step_free: bool
    capacity: int
    seats_taken: int
    status: str
    food: str
    repeats: str
    series_id: int | None
    dietary_options: list[str]
    host_allergens: list[str]
    published_at: dt.datetime | None
    cancelled_reason: str
    distance_m: float
    waitlist_count: int
    dish_allergens: list[str]
    my_signup_id: int | None
    my_signup_status: str | None
    my_signup_party_size: int | None
    my_signup_waitlist_position: int | None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def all_allergens(self) -> list[str]:
        """As `Meal.all_allergens`: the host's and every dish's, in the UK 14's order."""
        present = set(self.host_allergens) | set(self.dish_allergens)
        return [a for a in ALLERGENS if a in present]


# Rows the index walk reads beyond the page at first: enough to see past the page's last
# distance (the meals of one venue share one) and past meals that have just started.
WALK_MARGIN = 8

# The search's filters as `meals_discover` applies them (tests hold the two to one answer).
_FILTERS = {
    "start": "starts_at >= %s",
    "end": "starts_at < %s",
    "kind": "kind = %s",
    "step_free": "step_free = %s",
    "dietary": "dietary_options @> ARRAY[%s]::varchar[]",
}
_HAS_SEATS = {True: "seats_taken < capacity", False: "seats_taken >= capacity"}

# `walk`: published meals in the box around the circle (`&&` with `_ST_Expand` is the GiST
# index's own test, which ST_DWithin adds), nearest first: PostgreSQL walks the partial index
# by `<->` (the only sort key: a second one would have it sort every match) and stops after
# `walked` rows. "Yet to start" is left out of the walk (`upcoming`): asked of the index it
# makes the planner expect a tenth of the rows there are and sort every meal in the box instead.
# `found` keeps the upcoming ones in the circle; `edge` is the distance of the
# (offset + limit)-th of those, or the radius if there are fewer. Every meal at most `edge` away
# was walked once the walk went past `edge` or ran out; then ordering them by (distance, id)
# gives one order whichever page is asked. Otherwise `walk_further` says so (alone, when the
# page is empty). Then the page's host and venue, its waiting parties and dish allergens, and
# the viewer's latest sign-up that is not cancelled with its place in the queue (as
# `signups_with_position`: 1 + the waiting parties queued before it, ties by id).
_NEARBY_PAGE = """WITH here AS (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography AS point),
walk AS MATERIALIZED (
    SELECT m.id, m.location <-> here.point AS distance, m.starts_at > %s AS upcoming
    FROM meals_meal m, here
    WHERE m.status = 'published' AND m.location && _ST_Expand(here.point, %s) {filters}
    ORDER BY m.location <-> here.point LIMIT %s
),
found AS (SELECT id, distance FROM walk WHERE upcoming AND distance <= %s),
edge AS (
    SELECT CASE WHEN count(*) = %s THEN max(distance) ELSE %s END AS distance
    FROM (SELECT distance FROM found ORDER BY distance LIMIT %s) up_to_the_page_end
),
flags AS (
    SELECT count(*) = %s AND max(walk.distance) <= min(edge.distance) AS walk_further
    FROM walk, edge
),
page AS (
    SELECT f.id, f.distance FROM found f, edge WHERE f.distance <= edge.distance
    ORDER BY f.distance, f.id OFFSET %s LIMIT %s
),
meals AS (
    SELECT m.id AS meal_id, m.code, m.kind, m.title, m.description, m.host_id, u.display_name,
        (extract(epoch FROM m.starts_at) * 1000000)::int8,
        (extract(epoch FROM m.ends_at) * 1000000)::int8, m.setting, m.venue_id, v.name, v.address, v.step_free,
        v.accessible_toilet, v.hearing_loop, v.parking, m.booking_id,
        ST_Y(m.location::geometry), ST_X(m.location::geometry), m.place_description,
        m.on_road, m.step_free, m.capacity, m.seats_taken, m.status, m.food, m.repeats,
        m.series_id, m.dietary_options, m.allergens,
        (extract(epoch FROM m.published_at) * 1000000)::int8, m.cancelled_reason,
        page.distance AS distance,
        (SELECT count(*) FROM meals_signup w WHERE w.meal_id = m.id AND w.status = 'waitlisted'),
        ARRAY(SELECT DISTINCT unnest(d.allergens) FROM meals_dish d WHERE d.meal_id = m.id),
        mine.id, mine.status, mine.party_size, mine.position
    FROM page
    JOIN meals_meal m ON m.id = page.id
    JOIN people_user u ON u.id = m.host_id
    LEFT JOIN venues_venue v ON v.id = m.venue_id
    LEFT JOIN LATERAL (
        SELECT s.id, s.status, s.party_size,
            CASE WHEN s.status = 'waitlisted' THEN 1 + (
                SELECT count(*) FROM meals_signup w WHERE w.meal_id = s.meal_id
                AND w.status = 'waitlisted' AND (w.queued_at, w.id) < (s.queued_at, s.id)
            ) END
        FROM meals_signup s
        WHERE s.meal_id = m.id AND s.person_id = %s AND s.status <> 'cancelled'
        ORDER BY s.created_at DESC, s.id DESC LIMIT 1
    ) mine (id, status, party_size, position) ON true
)
SELECT flags.walk_further, meals.* FROM flags LEFT JOIN meals ON true
ORDER BY meals.distance, meals.meal_id"""


# The page's times leave PostgreSQL as whole microseconds since 1970: read as integers and
# added to the epoch, they cost a fifth of parsing timestamps as text.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_TIMES = [
    at
    for at, field in enumerate(dataclasses.fields(NearbyMeal))
    if field.name in ("starts_at", "ends_at", "published_at")
]


def _moment(micros: int | None) -> dt.datetime | None:
    return None if micros is None else _EPOCH + dt.timedelta(microseconds=micros)


def _nearby_meal(row: tuple) -> NearbyMeal:
    values = list(row[1:])
    for at in _TIMES:
        values[at] = _moment(values[at])
    return NearbyMeal(*values)


def meals_nearby(
    *,
    viewer: User | None,
    near: Point,
    radius_m: float,
    offset: int,
    limit: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    kind: str | None = None,
    step_free: bool | None = None,
    has_seats: bool | None = None,
    dietary: str | None = None,
) -> list[NearbyMeal]:
    """The meals `meals_discover` finds within `radius_m` of `near`, nearest first (the same
    distance: by id), from the `offset`-th, at most `limit`, without counting the rest.
    Filters as `meals_discover`.

    Distances, the radius and the order are all on the sphere, as PostgreSQL's `<->`, so the
    order is exactly by `distance_m` (within 0.3 % of the ellipsoidal distance `meals_discover`
    gives). The index walk stops a few rows after the page, and only the page is joined to
    hosts, venues and counts (see `_NEARBY_PAGE`). One hand-written statement: Django compiling
    the same read cost more CPU than the whole of `GET /api/me/`; tests hold it to the ORM
    selectors' answers."""
    given = {"start": start, "end": end, "kind": kind or None, "step_free": step_free}
    given["dietary"] = dietary or None
    filters: list[tuple[str, object]] = [
        (_FILTERS[name], value) for name, value in given.items() if value is not None
    ]
    if has_seats is not None:
        filters.append((_HAS_SEATS[has_seats], None))
    sql = _NEARBY_PAGE.format(filters="".join(f"AND {clause} " for clause, _ in filters))
    filter_params = [value for clause, value in filters if "%s" in clause]
    connection = connections[router.db_for_read(Meal)]
    rows_to_page_end = offset + limit
    walked = rows_to_page_end + WALK_MARGIN
    while True:
        # In the order the placeholders stand in the statement.
        params: list[Any] = [
            near.x, near.y, timezone.now(), radius_m, *filter_params, walked,
            radius_m, rows_to_page_end, radius_m, rows_to_page_end, walked, offset, limit,
            getattr(viewer, "pk", None),
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows[0][0]:
            return [_nearby_meal(row) for row in rows if row[1] is not None]
        walked *= 8

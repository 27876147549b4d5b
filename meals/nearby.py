"""Meals near a point, a page at a time, nearest first: one hand-written statement over the
partial GiST index of published upcoming meals. The API list (`GET /api/meals/?near`) takes
each meal as the JSON it shows, built by PostgreSQL; the web's "Meals near me" takes the few
columns of its cards."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Point
from django.db import connections, router
from django.utils import timezone

from meals.models import ALLERGENS, Meal
from notifications.durability import run_prepared
from people.models import User


@dataclass(frozen=True, slots=True)
class NearbyCard:
    """One meal of the web's list: what its card shows."""

    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    step_free: bool
    capacity: int
    seats_taken: int
    distance_m: float

    @property
    def pk(self) -> int:
        return self.id

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


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

# `here`: the point, and what the JSON of a meal needs (the time zone its times are shown in,
# the viewer). `walk`: published meals in the box around the circle (`&&` with `_ST_Expand` is
# the GiST index's own test, which ST_DWithin adds), nearest first: PostgreSQL walks the partial
# index by `<->` (the only sort key: a second one would have it sort every match) and stops
# after `walked` rows. "Yet to start" is left out of the walk (`upcoming`): asked of the index
# it makes the planner expect a tenth of the rows there are and sort every meal in the box
# instead. `found` keeps the upcoming ones in the circle; `edge` is the distance of the
# (offset + limit)-th of those, or the radius if there are fewer. Every meal at most `edge` away was
# walked once the walk went past `edge` or ran out; then ordering them by (distance, id) gives
# one order whichever page is asked. Otherwise `walk_further` says so (alone, when the page is
# empty). `{meals}` then reads the page's meals (`_JSON` or `_CARDS`), each with its `distance`
# and `meal_id`.
_NEARBY_PAGE = """WITH here AS NOT MATERIALIZED (
    SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography AS point,
        %s::text AS zone, %s::int8 AS viewer
),
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
meals AS ({meals})
SELECT flags.walk_further, {out} FROM flags LEFT JOIN meals ON true
ORDER BY meals.distance, meals.meal_id"""


def _shown_time(column: str) -> str:
    """SQL for a time as DRF shows an aware one (as `api.serializers.meals.datetime_out`): ISO
    8601 in the zone, microseconds only when there are some, "Z" for +00:00. Null stays null.
    A simple CASE evaluates its operand once: the offset is worked out again only when it is
    not zero."""
    local = f"({column} AT TIME ZONE here.zone)"
    offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
    other = (
        f"CASE WHEN {offset} > interval '0' THEN '+' || to_char({offset}, 'HH24:MI') "
        f"ELSE '-' || to_char(-{offset}, 'HH24:MI') END"
    )
    return (
        f"replace(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || "
        f"CASE {offset} WHEN interval '0' THEN 'Z' ELSE {other} END"
    )


def _degrees(value: str) -> str:
    """SQL for a coordinate as `api.fields.shown_degrees` shows it: to 6 places, half away
    from zero, from the shortest decimal of the float."""
    return f"round(({value})::text::numeric, 6)::float8"


def _allergens(present: str) -> str:
    """SQL for the UK 14 that are in the array `present`, in the UK 14's order (as
    `Meal.all_allergens`): one expression, no sort; none looked for when there are none."""
    each = ", ".join(f"CASE WHEN '{a}' = ANY({present}) THEN '{a}' END" for a in ALLERGENS)
    return (
        f"CASE WHEN {present} = '{{}}' THEN '{{}}'::varchar[] "
        f"ELSE array_remove(ARRAY[{each}]::varchar[], NULL) END"
    )


# Each meal as MealOut shows it, key for key (row_to_json keeps the columns' order and is
# compact), as text: Python neither parses nor builds it. The page's host and venue, its
# waiting parties, the allergens of the host and of every dish, and the viewer's latest
# sign-up that is not cancelled with its place in the queue (as `signups_with_position`: 1 +
# the waiting parties queued before it, ties by id). The nested objects are LATERAL
# sub-selects without FROM: PostgreSQL folds them into row expressions (no sub-plan a meal),
# and a row_to_json of one keeps its column names. `present` is fenced (OFFSET 0) so the
# dishes are read once a meal, not once an allergen.
_JSON = f"""
    SELECT page.distance, m.id AS meal_id, row_to_json(meal)::text AS meal
    FROM page CROSS JOIN here
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
        WHERE s.meal_id = m.id AND s.person_id = here.viewer AND s.status <> 'cancelled'
        ORDER BY s.created_at DESC, s.id DESC LIMIT 1
    ) mine (id, status, party_size, position) ON true
    CROSS JOIN LATERAL (
        SELECT m.allergens || ARRAY(
            SELECT unnest(d.allergens) FROM meals_dish d WHERE d.meal_id = m.id
        ) OFFSET 0
    ) present (allergens)
    CROSS JOIN LATERAL (SELECT m.host_id AS id, u.display_name) host
    CROSS JOIN LATERAL (
        SELECT v.step_free, v.accessible_toilet, v.hearing_loop, v.parking
    ) access
    CROSS JOIN LATERAL (
        SELECT v.id, v.name, v.address, row_to_json(access) AS accessibility
    ) venue
    CROSS JOIN LATERAL (SELECT
        {_degrees("ST_Y(m.location::geometry)")} AS lat,
        {_degrees("ST_X(m.location::geometry)")} AS lng
    ) pin
    CROSS JOIN LATERAL (
        SELECT mine.id, mine.status, mine.party_size, mine.position AS waitlist_position
    ) signup
    CROSS JOIN LATERAL (SELECT
        m.id, m.code, m.kind, m.title, m.description,
        row_to_json(host) AS host,
        {_shown_time("m.starts_at")} AS starts_at,
        {_shown_time("m.ends_at")} AS ends_at,
        m.setting,
        CASE WHEN v.id IS NOT NULL THEN row_to_json(venue) END AS venue,
        m.booking_id AS booking,
        row_to_json(pin) AS location,
        m.place_description, m.on_road, m.step_free, m.capacity, m.seats_taken,
        greatest(m.capacity - m.seats_taken, 0) AS seats_left,
        (SELECT count(*) FROM meals_signup w WHERE w.meal_id = m.id AND w.status = 'waitlisted')
            AS waitlist_count,
        m.status, m.food, m.repeats, m.series_id AS series, m.dietary_options,
        {_allergens("present.allergens")} AS allergens,
        round(page.distance)::int8 AS distance_m,
        CASE WHEN mine.id IS NOT NULL THEN row_to_json(signup) END AS my_signup,
        {_shown_time("m.published_at")} AS published_at,
        m.cancelled_reason
    ) meal
"""  # noqa: S608 (only this module's own fragments are put in)

# A card's columns, its start as whole microseconds since 1970: read as an integer and added
# to the epoch, it costs a fifth of parsing a timestamp as text.
_CARDS = """
    SELECT page.distance, m.id AS meal_id, m.kind, m.title,
        (extract(epoch FROM m.starts_at) * 1000000)::int8 AS starts_at,
        m.step_free, m.capacity, m.seats_taken
    FROM page JOIN meals_meal m ON m.id = page.id
"""
_CARD_COLUMNS = (
    "meals.meal_id, meals.kind, meals.title, meals.starts_at, meals.step_free, meals.capacity, "
    "meals.seats_taken, meals.distance"
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _statement(meals: str, out: str, filters: list[tuple[str, object]]) -> str:
    clauses = "".join(f"AND {clause} " for clause, _ in filters)
    return _NEARBY_PAGE.format(filters=clauses, meals=meals, out=out)


def _page_rows(
    meals: str,
    out: str,
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
) -> list[tuple]:
    """The page's rows, `out` of `meals` each, nearest first, walking further until the page
    is sure (see `_NEARBY_PAGE`)."""
    given = {"start": start, "end": end, "kind": kind or None, "step_free": step_free}
    given["dietary"] = dietary or None
    filters: list[tuple[str, object]] = [
        (_FILTERS[name], value) for name, value in given.items() if value is not None
    ]
    if has_seats is not None:
        filters.append((_HAS_SEATS[has_seats], None))
    sql = _statement(meals, out, filters)
    filter_params = [value for clause, value in filters if "%s" in clause]
    connection = connections[router.db_for_read(Meal)]
    rows_to_page_end = offset + limit
    walked = rows_to_page_end + WALK_MARGIN
    while True:
        # In the order the placeholders stand in the statement.
        params: list[Any] = [
            near.x, near.y, timezone.get_current_timezone_name(), getattr(viewer, "pk", None),
            timezone.now(), radius_m, *filter_params, walked,
            radius_m, rows_to_page_end, radius_m, rows_to_page_end, walked, offset, limit,
        ]  # fmt: skip
        # Prepared: planning this statement cost PostgreSQL more than running it.
        rows = run_prepared(sql, params, connection=connection)
        if not rows[0][0]:
            return [row[1:] for row in rows if row[1] is not None]
        walked *= 8


def meals_nearby_json(**search: Any) -> list[str]:
    """The meals `meals_discover` finds within `radius_m` of `near`, nearest first (the same
    distance: by id), from the `offset`-th, at most `limit`, without counting the rest, each
    as the JSON text of MealOut with `distance_m`. Filters as `meals_discover`; the arguments
    are those of `_page_rows`.

    Distances, the radius and the order are all on the sphere, as PostgreSQL's `<->`, so the
    order is exactly by `distance_m` (within 0.3 % of the ellipsoidal distance `meals_discover`
    gives). The index walk stops a few rows after the page, and only the page is joined to
    hosts, venues and counts (see `_NEARBY_PAGE`). One hand-written statement: Django compiling
    the same read cost more CPU than the whole of `GET /api/me/`, and building each meal in
    Python cost twice what PostgreSQL takes; tests hold it to the ORM selectors' answers and to
    MealOut."""
    return [meal for (meal,) in _page_rows(_JSON, "meals.meal", **search)]


def meals_nearby(**search: Any) -> list[NearbyCard]:
    """The page of `meals_nearby_json` as the cards of the web's list (the same arguments)."""
    return [
        NearbyCard(meal_id, kind, title, _EPOCH + dt.timedelta(microseconds=micros), *rest)
        for meal_id, kind, title, micros, *rest in _page_rows(_CARDS, _CARD_COLUMNS, **search)
    ]

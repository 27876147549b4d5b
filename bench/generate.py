"""Seeded benchmark data for Blether, written with COPY into a dedicated benchmark database.

    .venv/bin/python bench/generate.py                 # 1,000,000 meals, 20,000 venues, 200,000 people
    .venv/bin/python bench/generate.py --scale 0.01    # a hundredth of that, in seconds
    .venv/bin/python bench/generate.py --meals 100000  # override one size

The target database (default `blether_bench`, next to DATABASE_URL's server) is dropped,
created and migrated first: the generator refuses any database whose name lacks "bench".
Places are real British towns weighted by population, jittered with a normal distribution
(bench/places.py); names and words come from bench/words.py; COPY from bench/db.py.
"""

import argparse
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.db import (  # noqa: E402
    bench_database_url,
    copy_lines,
    drop_plain_indexes,
    libpq_url,
    reset_database,
    reset_sequence,
    setup_django,
)
from bench.places import SEED, TOWNS, Places, ewkt, share_code  # noqa: E402
from bench.words import (  # noqa: E402
    DIETARY,
    FIRST_NAMES,
    FOODS,
    LAST_INITIALS,
    MEAL_KIND_WORDS,
    ORG_KINDS,
    PARTY_SIZES,
    STREETS,
    VENUE_KINDS,
    VENUE_MEAL_KINDS,
)

DEFAULT_SIZES = {"meals": 1_000_000, "venues": 20_000, "people": 200_000}
# Shares of all meals; what is left over is completed (in the past).
SHARE_PUBLISHED_UPCOMING = 0.05
SHARE_DRAFT = 0.02
SHARE_CANCELLED = 0.03


def ts(moment: dt.datetime) -> str:
    return moment.isoformat()


# ----------------------------------------------------------------------------- generators


@dataclass
class Sizes:
    meals: int
    venues: int
    people: int

    @property
    def organisations(self) -> int:
        return max(1, self.venues // 10)


def people_lines(rng: random.Random, places: Places, n: int, now: dt.datetime):
    for i in range(1, n + 1):
        town = places.towns(1)[0]
        has_home = rng.random() < 0.9
        nudges = has_home and rng.random() < 0.12
        home = ewkt(*places.near_town(town), decimals=3) if has_home else r"\N"
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}."
        joined = ts(now - dt.timedelta(days=rng.uniform(1, 900)))
        has_app = "t" if rng.random() < 0.7 else "f"
        radius = rng.choice(("1.0", "2.0", "2.0", "3.0", "5.0"))
        yield (
            f"{i}\t!bench\t+4474{i:08d}\t{name}\t{home}\t{'t' if nudges else 'f'}\t"
            f"{radius}\t{has_app}\t{joined}"
        )


PEOPLE_COLUMNS = [
    "id",
    "password",
    "phone",
    "display_name",
    "home_location",
    "sms_nudges",
    "nudge_radius_km",
    "has_app",
    "date_joined",
]


@dataclass
class VenueRow:
    lat: float
    lng: float
    capacity: int
    step_free: bool
    name: str


def venue_lines(rng, places: Places, sizes: Sizes, venues: list[VenueRow]):
    towns = places.towns(sizes.venues)
    for i, town in enumerate(towns, start=1):
        lat, lng = places.near_town(town)
        kind, label = rng.choice(VENUE_KINDS)
        street = rng.choice(STREETS)
        name = f"{street} {label}"
        capacity = rng.randint(12, 90)
        step_free = rng.random() < 0.7
        venues.append(VenueRow(lat, lng, capacity, step_free, name))
        org = rng.randint(1, sizes.organisations)
        flags = "\t".join("t" if rng.random() < p else "f" for p in (0.4, 0.3, 0.5, 0.6, 0.7))
        yield (
            f"{i}\t{org}\t{name}\t{kind}\t{rng.randint(1, 180)} {street}, "
            f"{TOWNS[town][0]}\t{ewkt(lat, lng)}\t{capacity}\t{'t' if step_free else 'f'}\t"
            f"{flags}\t{rng.choice(('auto_confirm', 'approval'))}\t{rng.choice((24, 48, 72))}"
        )


VENUE_COLUMNS = [
    "id",
    "organisation_id",
    "name",
    "kind",
    "address",
    "location",
    "capacity",
    "step_free",
    "accessible_toilet",
    "hearing_loop",
    "parking",
    "kitchen",
    "tea_urn",
    "booking_policy",
    "min_notice_hours",
]

MEAL_COLUMNS = [
    "id",
    "code",
    "kind",
    "title",
    "host_id",
    "starts_at",
    "ends_at",
    "setting",
    "venue_id",
    "location",
    "place_description",
    "on_road",
    "step_free",
    "capacity",
    "seats_taken",
    "status",
    "food",
    "dietary_options",
    "published_at",
    "created_at",
]
SIGNUP_COLUMNS = [
    "id",
    "meal_id",
    "person_id",
    "party_size",
    "status",
    "channel",
    "created_at",
    "queued_at",
]


def meal_lines(
    rng, places: Places, sizes: Sizes, venues: list[VenueRow], now: dt.datetime, signups: list
):
    """Meals; for published upcoming ones, sign-ups whose confirmed parties make seats_taken."""
    hour = dt.timedelta(hours=1)
    p_pub = SHARE_PUBLISHED_UPCOMING
    p_draft = p_pub + SHARE_DRAFT
    p_cancel = p_draft + SHARE_CANCELLED
    signup_id = 0
    today = now.replace(minute=0, second=0, microsecond=0)
    for i in range(1, sizes.meals + 1):
        r = rng.random()
        if r < p_pub:
            status, upcoming = "published", True
        elif r < p_draft:
            status, upcoming = "draft", True
        elif r < p_cancel:
            status, upcoming = "cancelled", rng.random() < 0.5
        else:
            status, upcoming = "completed", False
        if upcoming:
            starts = today + hour * rng.randint(3, 60 * 24)
        else:
            starts = today - hour * rng.randint(24, 3 * 365 * 24)
        starts = starts.replace(hour=rng.choice((11, 12, 13, 14, 15, 17, 18)))
        if upcoming and starts <= now:
            starts += dt.timedelta(days=1)
        ends = starts + dt.timedelta(hours=rng.choice((1.5, 2, 2, 3)))
        host = rng.randint(1, sizes.people)
        if venues and rng.random() < 0.6:
            v = rng.randrange(len(venues))
            venue = venues[v]
            setting, venue_id = "venue", str(v + 1)
            kind = rng.choice(VENUE_MEAL_KINDS)
            location = ewkt(venue.lat, venue.lng)
            place, on_road, step_free = "", "f", venue.step_free
            capacity = min(venue.capacity, rng.randint(8, 40))
            title = f"{MEAL_KIND_WORDS[kind]} at {venue.name}"
        else:
            town = places.towns(1)[0]
            setting, venue_id, kind = "street", r"\N", "street_tea"
            location = ewkt(*places.near_town(town))
            street = rng.choice(STREETS)
            place = f"Outside number {rng.randint(1, 120)}, {street}"
            on_road, step_free = ("t" if rng.random() < 0.1 else "f"), rng.random() < 0.5
            capacity = rng.randint(6, 30)
            title = f"Street tea on {street}, {TOWNS[town][0]}"
        seats = 0
        if status == "published":
            fill = rng.random() ** 0.6
            target = int(capacity * fill)
            parties = []
            while True:
                party = rng.choice(PARTY_SIZES)
                if seats + party > target:
                    break
                parties.append(party)
                seats += party
            waiting = rng.randint(1, 5) if seats >= capacity - 1 and rng.random() < 0.5 else 0
            people = rng.sample(range(1, sizes.people + 1), len(parties) + waiting + 1)
            people = [p for p in people if p != host][: len(parties) + waiting]
            joined = starts - dt.timedelta(days=rng.uniform(1, 10))
            for n, person in enumerate(people):
                signup_id += 1
                at = ts(joined + dt.timedelta(minutes=n))
                if n < len(parties):
                    state, party = "confirmed", parties[n]
                else:
                    state, party = "waitlisted", rng.choice(PARTY_SIZES)
                channel = "sms" if rng.random() < 0.2 else "app"
                signups.append(
                    f"{signup_id}\t{i}\t{person}\t{party}\t{state}\t{channel}\t{at}\t{at}"
                )
        published = r"\N" if status == "draft" else ts(starts - dt.timedelta(days=14))
        created = ts(starts - dt.timedelta(days=20))
        diet = "{" + ",".join(rng.sample(DIETARY, rng.randint(0, 2))) + "}"
        yield (
            f"{i}\t{share_code(i)}\t{kind}\t{title}\t{host}\t{ts(starts)}\t{ts(ends)}\t"
            f"{setting}\t{venue_id}\t{location}\t{place}\t{on_road}\t"
            f"{'t' if step_free else 'f'}\t{capacity}\t{seats}\t{status}\t"
            f"{rng.choice(FOODS)}\t{diet}\t{published}\t{created}"
        )


def generate(url: str, sizes: Sizes, *, seed: int = SEED, log=print) -> dict:
    """Fill an empty, migrated benchmark database. Returns row counts and seconds taken."""
    setup_django(url)
    from meals.models import Meal, Signup
    from people.models import User
    from venues.models import Organisation, Venue

    rng = random.Random(seed)
    places = Places(random.Random(seed + 7))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    started = time.perf_counter()
    with psycopg.connect(libpq_url(url)) as conn:
        if conn.execute("SELECT EXISTS (SELECT 1 FROM meals_meal)").fetchone()[0]:
            raise SystemExit("the benchmark database already holds meals; reset it first")

        t = time.perf_counter()
        counts["people"] = copy_lines(
            conn, User, PEOPLE_COLUMNS, people_lines(rng, places, sizes.people, now)
        )
        timings["people"] = time.perf_counter() - t

        t = time.perf_counter()
        orgs = (
            f"{i}\t{TOWNS[town][0]} {label} {i}\t{kind}"
            for i, town in enumerate(places.towns(sizes.organisations), start=1)
            for kind, label in [rng.choice(ORG_KINDS)]
        )
        counts["organisations"] = copy_lines(conn, Organisation, ["id", "name", "kind"], orgs)
        venues: list[VenueRow] = []
        counts["venues"] = copy_lines(
            conn, Venue, VENUE_COLUMNS, venue_lines(rng, places, sizes, venues)
        )
        timings["venues"] = time.perf_counter() - t

        conn.execute("SET maintenance_work_mem = '256MB'")
        rebuild = drop_plain_indexes(conn, Meal._meta.db_table) + drop_plain_indexes(
            conn, Signup._meta.db_table
        )
        t = time.perf_counter()
        signups: list[str] = []
        counts["meals"] = copy_lines(
            conn, Meal, MEAL_COLUMNS, meal_lines(rng, places, sizes, venues, now, signups)
        )
        timings["meals"] = time.perf_counter() - t

        t = time.perf_counter()
        counts["signups"] = copy_lines(conn, Signup, SIGNUP_COLUMNS, iter(signups))
        timings["signups"] = time.perf_counter() - t

        t = time.perf_counter()
        # Checks the deferred foreign keys now: an index cannot be built over pending ones.
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        timings["foreign_keys"] = time.perf_counter() - t
        t = time.perf_counter()
        for definition in rebuild:
            conn.execute(definition)
        timings["indexes"] = time.perf_counter() - t
        for model in (User, Organisation, Venue, Meal, Signup):
            reset_sequence(conn, model._meta.db_table)
        t = time.perf_counter()
        conn.commit()
        timings["commit"] = time.perf_counter() - t
    t = time.perf_counter()
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
        counts["published_upcoming"] = conn.execute(
            "SELECT count(*) FROM meals_meal WHERE status = 'published' AND starts_at > now()"
        ).fetchone()[0]
    timings["analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    log(
        "generated "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f" in {timings['total']:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items() if k != "total")
        + ")"
    )
    return {"counts": counts, "timings": timings, "seed": seed}


def sizes_from(args) -> Sizes:
    return Sizes(
        meals=args.meals if args.meals is not None else round(DEFAULT_SIZES["meals"] * args.scale),
        venues=args.venues
        if args.venues is not None
        else max(1, round(DEFAULT_SIZES["venues"] * args.scale)),
        people=args.people
        if args.people is not None
        else max(50, round(DEFAULT_SIZES["people"] * args.scale)),
    )


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every size")
    parser.add_argument("--meals", type=int, help="meals (default 1,000,000 x scale)")
    parser.add_argument("--venues", type=int, help="venues (default 20,000 x scale)")
    parser.add_argument("--people", type=int, help="people (default 200,000 x scale)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--database-url", help="default: blether_bench next to DATABASE_URL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_arguments(parser)
    parser.add_argument(
        "--no-reset", action="store_true", help="use the database as it is (must hold no meals)"
    )
    args = parser.parse_args()
    url = bench_database_url(args.database_url)
    if not args.no_reset:
        reset_database(url)
    generate(url, sizes_from(args), seed=args.seed)


if __name__ == "__main__":
    main()

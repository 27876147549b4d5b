"""Seeded benchmark data for Blether, written with COPY into a dedicated benchmark database.

    .venv/bin/python bench/generate.py                 # 1,000,000 meals, 20,000 venues, 200,000 people
    .venv/bin/python bench/generate.py --scale 0.01    # a hundredth of that, in seconds
    .venv/bin/python bench/generate.py --meals 100000  # override one size

The target database (default `blether_bench`, next to DATABASE_URL's server) is dropped,
created and migrated first: the generator refuses any database whose name lacks "bench".
Places are real British towns weighted by population, jittered with a normal distribution.
"""

import argparse
import datetime as dt
import io
import math
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB_NAME = "blether_bench"
DEFAULT_SIZES = {"meals": 1_000_000, "venues": 20_000, "people": 200_000}
SEED = 20261123
# Blether starts in Scotland: towns elsewhere in Britain count at this share of their population.
OUTSIDE_SCOTLAND_WEIGHT = 0.25

# (name, lat, lng, approximate population, in Scotland)
TOWNS: list[tuple[str, float, float, int, bool]] = [
    ("Glasgow", 55.8642, -4.2518, 635_000, True),
    ("Edinburgh", 55.9533, -3.1883, 530_000, True),
    ("Aberdeen", 57.1497, -2.0943, 200_000, True),
    ("Dundee", 56.4620, -2.9707, 148_000, True),
    ("Paisley", 55.8466, -4.4236, 77_000, True),
    ("East Kilbride", 55.7644, -4.1770, 75_000, True),
    ("Livingston", 55.9029, -3.5226, 57_000, True),
    ("Hamilton", 55.7772, -4.0390, 54_000, True),
    ("Dunfermline", 56.0717, -3.4522, 54_000, True),
    ("Cumbernauld", 55.9457, -3.9925, 50_000, True),
    ("Kirkcaldy", 56.1107, -3.1674, 50_000, True),
    ("Inverness", 57.4778, -4.2247, 48_000, True),
    ("Perth", 56.3950, -3.4308, 47_000, True),
    ("Ayr", 55.4586, -4.6292, 46_000, True),
    ("Kilmarnock", 55.6111, -4.4957, 46_000, True),
    ("Coatbridge", 55.8622, -4.0266, 43_000, True),
    ("Greenock", 55.9486, -4.7616, 41_000, True),
    ("Glenrothes", 56.1958, -3.1727, 39_000, True),
    ("Stirling", 56.1165, -3.9369, 37_000, True),
    ("Airdrie", 55.8664, -3.9806, 37_000, True),
    ("Falkirk", 56.0019, -3.7839, 35_000, True),
    ("Irvine", 55.6116, -4.6696, 34_000, True),
    ("Dumfries", 55.0709, -3.6051, 33_000, True),
    ("Motherwell", 55.7892, -3.9919, 32_000, True),
    ("Elgin", 57.6498, -3.3168, 25_000, True),
    ("Arbroath", 56.5590, -2.5830, 24_000, True),
    ("Peterhead", 57.5058, -1.7981, 19_000, True),
    ("St Andrews", 56.3398, -2.7967, 17_000, True),
    ("Kilwinning", 55.6553, -4.7033, 16_000, True),
    ("Troon", 55.5432, -4.6611, 15_000, True),
    ("Hawick", 55.4222, -2.7866, 14_000, True),
    ("Galashiels", 55.6170, -2.8065, 12_500, True),
    ("Montrose", 56.7085, -2.4670, 12_000, True),
    ("Saltcoats", 55.6336, -4.7842, 11_000, True),
    ("Largs", 55.7942, -4.8672, 11_000, True),
    ("Ardrossan", 55.6426, -4.8123, 10_000, True),
    ("Fort William", 56.8198, -5.1052, 10_000, True),
    ("Kirkwall", 58.9810, -2.9600, 10_000, True),
    ("Oban", 56.4152, -5.4718, 8_500, True),
    ("Stornoway", 58.2090, -6.3890, 8_000, True),
    ("Wick", 58.4390, -3.0930, 7_000, True),
    ("London", 51.5074, -0.1278, 8_900_000, False),
    ("Birmingham", 52.4862, -1.8904, 1_140_000, False),
    ("Leeds", 53.8008, -1.5491, 790_000, False),
    ("Sheffield", 53.3811, -1.4701, 560_000, False),
    ("Manchester", 53.4808, -2.2426, 550_000, False),
    ("Bradford", 53.7960, -1.7594, 540_000, False),
    ("Liverpool", 53.4084, -2.9916, 490_000, False),
    ("Bristol", 51.4545, -2.5879, 470_000, False),
    ("Leicester", 52.6369, -1.1398, 370_000, False),
    ("Cardiff", 51.4816, -3.1791, 360_000, False),
    ("Coventry", 52.4068, -1.5197, 345_000, False),
    ("Nottingham", 52.9548, -1.1581, 320_000, False),
    ("Newcastle upon Tyne", 54.9783, -1.6178, 300_000, False),
    ("Brighton", 50.8225, -0.1372, 290_000, False),
    ("Plymouth", 50.3755, -4.1427, 260_000, False),
    ("Hull", 53.7676, -0.3274, 260_000, False),
    ("Stoke-on-Trent", 53.0027, -2.1794, 255_000, False),
    ("Southampton", 50.9097, -1.4044, 250_000, False),
    ("Swansea", 51.6214, -3.9436, 240_000, False),
    ("York", 53.9600, -1.0873, 200_000, False),
    ("Newport", 51.5842, -2.9977, 150_000, False),
    ("Oxford", 51.7520, -1.2577, 150_000, False),
    ("Cambridge", 52.2053, 0.1218, 145_000, False),
    ("Norwich", 52.6309, 1.2974, 140_000, False),
    ("Exeter", 50.7184, -3.5339, 130_000, False),
    ("Carlisle", 54.8925, -2.9329, 75_000, False),
    ("Wrexham", 53.0430, -2.9925, 65_000, False),
    ("Bangor", 53.2274, -4.1293, 18_000, False),
    ("Aberystwyth", 52.4153, -4.0829, 13_000, False),
]

# No town in TOWNS lies within 100 km of these: run.py puts its fan-out neighbours here.
LERWICK = (60.1550, -1.1450)
FAIR_ISLE = (59.5350, -1.6330)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# Multiplying by a number coprime to 31**6 maps 0..N onto distinct, scattered codes.
CODE_SPACE = len(CODE_ALPHABET) ** CODE_LENGTH
CODE_STEP = 387_420_489  # 3**18, coprime to 31

FIRST_NAMES = [
    "Agnes",
    "Morag",
    "Isla",
    "Jean",
    "Margaret",
    "Elspeth",
    "Fiona",
    "Ailsa",
    "Catriona",
    "Helen",
    "Moira",
    "Shona",
    "Kirsty",
    "Eilidh",
    "Senga",
    "Rab",
    "Hamish",
    "Angus",
    "Duncan",
    "Callum",
    "Euan",
    "Ewan",
    "Fraser",
    "Gordon",
    "Iain",
    "Jock",
    "Malcolm",
    "Murdo",
    "Ruaridh",
    "Tam",
    "Alasdair",
    "Douglas",
    "Archie",
    "Lachlan",
    "Rory",
    "Niamh",
    "Priya",
    "Amir",
    "Tomasz",
    "Ola",
]
LAST_INITIALS = "ABCDEFGHIJKLMNOPRSTUVWY"
STREETS = [
    "High Street",
    "Main Street",
    "Church Street",
    "Station Road",
    "Dockhead Street",
    "Harbour Road",
    "Victoria Road",
    "Park Avenue",
    "Mill Lane",
    "Castle Street",
    "Bridge Street",
    "Queen Street",
    "King Street",
    "Seaview Terrace",
    "Burns Crescent",
    "Hawthorn Drive",
    "Rowan Place",
    "School Wynd",
]
VENUE_KINDS = (
    ("community_hall", "Community Hall"),
    ("common_room", "Common Room"),
    ("library", "Library"),
    ("church_hall", "Church Hall"),
    ("cafe", "Cafe"),
    ("garden", "Community Garden"),
)
ORG_KINDS = (
    ("housing_association", "Housing Association"),
    ("council", "Council"),
    ("charity", "Neighbours Trust"),
    ("community_group", "Lunch Club"),
)
VENUE_MEAL_KINDS = ("shared_lunch", "shared_lunch", "high_tea", "supper")
MEAL_KIND_WORDS = {
    "shared_lunch": "Shared lunch",
    "high_tea": "High tea",
    "supper": "Supper",
    "street_tea": "Street tea",
}
FOODS = ("host_provides", "bring_a_dish", "mixed")
DIETARY = ("vegetarian", "vegan", "gluten_free", "soft_food", "halal", "dairy_free")
PARTY_SIZES = (1, 1, 1, 1, 2, 2, 2, 3, 4)

# Shares of all meals; what is left over is completed (in the past).
SHARE_PUBLISHED_UPCOMING = 0.05
SHARE_DRAFT = 0.02
SHARE_CANCELLED = 0.03


# ----------------------------------------------------------------------------- database


def libpq_url(url: str) -> str:
    """django-environ's postgis:// scheme, spelled the way libpq wants it."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def bench_database_url(explicit: str | None = None) -> str:
    """The benchmark database: explicit, else BENCH_DATABASE_URL, else blether_bench next to
    DATABASE_URL (the dev database itself is never the target)."""
    url = explicit or os.environ.get("BENCH_DATABASE_URL")
    if not url:
        base = os.environ.get("DATABASE_URL", "postgis://blether:blether@127.0.0.1:5432/blether")
        url = with_db_name(base, DEFAULT_DB_NAME)
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        url = "postgis://" + url.split("://", 1)[1]
    if "bench" not in db_name(url):
        raise SystemExit(f"refusing to write benchmark data into {db_name(url)!r}: not a bench DB")
    return url


def reset_database(url: str, *, log=print) -> float:
    """Drop, create and migrate the benchmark database; return the seconds it took."""
    started = time.perf_counter()
    name = db_name(url)
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: not a bench DB")
    admin = libpq_url(with_db_name(url, "postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "migrate",
            "--noinput",
            "--skip-checks",
            "-v",
            "0",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    took = time.perf_counter() - started
    log(f"database {name} created and migrated in {took:.1f} s")
    return took


def setup_django(url: str) -> None:
    """Django for model metadata (column lists, defaults); pointed at the bench database."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


# ----------------------------------------------------------------------------- COPY text


def copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "{" + ",".join(str(v) for v in value) + "}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def filler_columns(model, given: list[str]) -> tuple[list[str], str]:
    """Every column the generator does not set, with its model default as COPY text.

    Fails loudly on a new required column without a default, so the generator is fixed
    rather than silently writing rows the app would not."""
    from django.utils import timezone

    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in given:
            continue
        if f.has_default():
            value = f.get_default()
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        elif f.null:
            value = None
        elif f.blank and f.get_internal_type() in ("CharField", "TextField"):
            value = ""
        else:
            raise SystemExit(f"generator: no value for required column {model.__name__}.{f.name}")
        columns.append(f.column)
        values.append(copy_text(value))
    return columns, "\t".join(values)


def copy_lines(conn, model, given: list[str], lines) -> int:
    """COPY tab-separated lines (values for `given`) into the model's table."""
    extra_cols, extra_text = filler_columns(model, given)
    cols = given + extra_cols
    suffix = ("\t" + extra_text if extra_cols else "") + "\n"
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, cols))
    )
    count = 0
    buf = io.StringIO()
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for line in lines:
            buf.write(line)
            buf.write(suffix)
            count += 1
            if count % 20_000 == 0:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())
    return count


def drop_plain_indexes(conn, table: str) -> list[str]:
    """Drop the indexes no constraint owns; return their definitions to rebuild after COPY.

    Building a GiST index once over a loaded table is far quicker than growing it row by row."""
    rows = conn.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = i.oid "
        "WHERE t.relname = %s AND c.oid IS NULL",
        [table],
    ).fetchall()
    for name, _definition in rows:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [definition for _name, definition in rows]


def reset_sequence(conn, table: str) -> None:
    conn.execute(
        sql.SQL(
            "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
            "COALESCE((SELECT max(id) FROM {i}), 1))"
        ).format(t=sql.Literal(table), i=sql.Identifier(table))
    )


# ----------------------------------------------------------------------------- places


@dataclass
class Places:
    rng: random.Random
    names: list[str] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        total = 0.0
        for name, _lat, _lng, pop, scottish in TOWNS:
            total += pop * (1.0 if scottish else OUTSIDE_SCOTLAND_WEIGHT)
            self.names.append(name)
            self.cum_weights.append(total)

    def towns(self, k: int) -> list[int]:
        return self.rng.choices(range(len(TOWNS)), cum_weights=self.cum_weights, k=k)

    def near_town(self, index: int) -> tuple[float, float]:
        """A point around a town: normal jitter, wider for bigger towns (1.2 to 8 km sigma)."""
        _name, lat, lng, pop, _s = TOWNS[index]
        sigma_km = min(max(1.0 + 1.2 * math.sqrt(pop / 100_000), 1.2), 8.0)
        return jitter(self.rng, lat, lng, sigma_km)


def jitter(rng: random.Random, lat: float, lng: float, sigma_km: float) -> tuple[float, float]:
    dlat = rng.gauss(0, sigma_km) / 111.32
    dlng = rng.gauss(0, sigma_km) / (111.32 * math.cos(math.radians(lat)))
    return lat + dlat, lng + dlng


def ewkt(lat: float, lng: float, decimals: int = 6) -> str:
    return f"SRID=4326;POINT({lng:.{decimals}f} {lat:.{decimals}f})"


def share_code(n: int) -> str:
    x = (n * CODE_STEP + 12_345) % CODE_SPACE
    chars = []
    for _ in range(CODE_LENGTH):
        x, rest = divmod(x, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[rest])
    return "".join(chars)


def query_points(count: int, *, seed: int = SEED + 1) -> list[tuple[float, float]]:
    """Points people would search from: towns weighted by population, jittered like homes."""
    places = Places(random.Random(seed))
    return [places.near_town(t) for t in places.towns(count)]


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

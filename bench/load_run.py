"""Load a running Blether the way issue 10 found `make run` failing; rerunnable, starts nothing.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/load_run.py --base-url http://127.0.0.1:8000

Run it with the server's own DATABASE_URL and SECRET_KEY (with neither SECRET_KEY nor DEBUG
set it assumes `make run`'s DEBUG=1): it writes its people (+447700900600 onwards, found by
phone, so a rerun reuses them) and one fresh 20-seat meal per run through the ORM and mints
their JWTs with simplejwt (the sign-in throttles would refuse 160 sign-ins from one address).

Then, for --seconds: --clients people each loop GET /api/meals/?near= (a new TCP connection
per request, like many phones), and halfway through --signups people, released together by
a barrier, POST a sign-up for the meal. It counts answers by status, connection resets and
other socket errors, and samples the database's connections; afterwards it checks the meal:
seats taken = confirmed parties <= capacity, every sign-up answered 201 and has its row.
Loopback only; every request has a timeout and the whole run a deadline. Exit status 1 when
anything reset, timed out or answered 5xx, or the meal's numbers are wrong.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import secrets
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIRST_PHONE = 447700900600
CAPACITY = 20
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Around Saltcoats, Irvine and Kilwinning, where the demo's meals are.
TOWNS = [(55.6336, -4.7842), (55.6116, -4.6696), (55.6553, -4.7033)]


def django_ready() -> None:
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")  # `make run`: DEBUG=1 and the development key
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    import django

    django.setup()


def people(n: int) -> list:
    from people.models import User

    found = []
    for i in range(n):
        phone = f"+{FIRST_PHONE + i}"
        user, _ = User.objects.get_or_create(
            phone=phone, defaults={"display_name": f"Load {i}", "has_app": True}
        )
        found.append(user)
    return found


def tokens(users: list) -> list[str]:
    from rest_framework_simplejwt.tokens import AccessToken

    return [str(AccessToken.for_user(user)) for user in users]


def racing_meal(host):
    """A published 20-seat street tea in three days, written as test data (one per run)."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from meals.models import CODE_ALPHABET, Meal

    starts = (timezone.now() + dt.timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    lat, lng = TOWNS[0]
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))
        mixed = any(c.isdigit() for c in code) and any(c.isalpha() for c in code)
        if mixed and not Meal.objects.filter(code=code).exists():
            break
    return Meal.objects.create(
        code=code,
        kind="street_tea",
        title=f"Load run {time.strftime('%Y-%m-%d %H:%M:%S')}",
        host=host,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        setting="street",
        location=Point(lng, lat, srid=4326),
        place_description="On the green",
        capacity=CAPACITY,
        status="published",
        published_at=timezone.now(),
    )


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.latencies: list[float] = []

    def add(self, outcome: str | int, seconds: float) -> None:
        with self.lock:
            if isinstance(outcome, int):
                self.statuses[outcome] += 1
                self.latencies.append(seconds)
            else:
                self.errors[outcome] += 1

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(q: float) -> float:
            return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 1) if lat else 0.0

        return {
            "answers": sum(self.statuses.values()),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(self.errors),
            "p50_ms": pct(0.5),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
        }


def call(host: str, port: int, method: str, path: str, token: str, timeout: float, body=None):
    """(status or error name, body bytes) over a fresh connection."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    except (ConnectionResetError, BrokenPipeError) as exc:  # RemoteDisconnected is a reset
        return f"reset ({type(exc).__name__})", b""
    except TimeoutError:
        return "timeout", b""
    except (http.client.HTTPException, OSError) as exc:
        return type(exc).__name__, b""
    finally:
        conn.close()


def sample_connections(stop: threading.Event, seen: list[int]) -> None:
    """How many sessions the server and its worker hold on the database, every 0.25 s."""
    from django.db import connection

    conn = connection.get_new_connection(connection.get_connection_params())
    conn.autocommit = True
    try:
        while not stop.is_set():
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            ).fetchone()
            seen.append(row[0])
            stop.wait(0.25)
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=100, help="people browsing ?near=")
    parser.add_argument("--signups", type=int, default=60, help="people racing for 20 seats")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the browsing lasts")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    url = urlsplit(args.base_url)
    host, port = url.hostname or "", url.port or 80
    if url.scheme != "http" or host not in LOOPBACK:
        parser.error("loopback http only (127.0.0.1, localhost, ::1)")

    django_ready()
    from django.db import connection
    from django.db.models import Sum

    from meals.models import Signup

    crowd = people(args.clients + args.signups + 1)
    browsers, racers, host_person = (
        crowd[: args.clients],
        crowd[args.clients : -1],
        crowd[-1],
    )
    meal = racing_meal(host_person)
    browse_tokens, race_tokens = tokens(browsers), tokens(racers)
    connection.close()  # the sampler and the checks below open their own

    status, _ = call(host, port, "GET", "/healthz", "", args.timeout)
    if status != 200:
        print(f"{args.base_url}/healthz answered {status}; is the server running?")
        return 1

    browse, race = Tally(), Tally()
    race_answers: dict[int, tuple] = {}
    stop, stop_sampler = threading.Event(), threading.Event()
    gate = threading.Barrier(args.signups + 1)
    rng = random.Random(7)

    def browser(i: int) -> None:
        mine = random.Random(i)
        while not stop.is_set():
            lat, lng = mine.choice(TOWNS)
            lat += mine.uniform(-0.03, 0.03)
            lng += mine.uniform(-0.05, 0.05)
            path = f"/api/meals/?near={lat:.5f},{lng:.5f}&radius_km=5"
            t0 = time.perf_counter()
            outcome, _ = call(host, port, "GET", path, browse_tokens[i], args.timeout)
            browse.add(outcome, time.perf_counter() - t0)

    def racer(i: int) -> None:
        party = rng.choice((1, 1, 1, 2))
        gate.wait(timeout=args.seconds + 60)
        t0 = time.perf_counter()
        outcome, body = call(
            host,
            port,
            "POST",
            f"/api/meals/{meal.pk}/signups/",
            race_tokens[i],
            args.timeout,
            {"party_size": party},
        )
        race.add(outcome, time.perf_counter() - t0)
        race_answers[racers[i].pk] = (outcome, body)

    connections_seen: list[int] = []
    sampler = threading.Thread(
        target=sample_connections, args=(stop_sampler, connections_seen), daemon=True
    )
    sampler.start()
    threading.stack_size(512 * 1024)
    browsing = [
        threading.Thread(target=browser, args=(i,), daemon=True) for i in range(len(browse_tokens))
    ]
    racing = [
        threading.Thread(target=racer, args=(i,), daemon=True) for i in range(len(race_tokens))
    ]
    began = time.perf_counter()
    for t in browsing + racing:
        t.start()
    time.sleep(args.seconds / 2)
    gate.wait(timeout=60)
    time.sleep(max(0.0, began + args.seconds - time.perf_counter()))
    stop.set()
    deadline = time.perf_counter() + args.timeout + 10
    for t in browsing + racing:
        t.join(timeout=max(0.1, deadline - time.perf_counter()))
    elapsed = time.perf_counter() - began
    stop_sampler.set()
    hung = sum(t.is_alive() for t in browsing + racing)

    meal.refresh_from_db()
    rows = dict(Signup.objects.filter(meal=meal).values_list("person_id", "status"))
    confirmed_seats = (
        Signup.objects.filter(meal=meal, status="confirmed").aggregate(n=Sum("party_size"))["n"]
        or 0
    )
    answered = {
        pid: json.loads(body).get("status")
        for pid, (outcome, body) in race_answers.items()
        if outcome == 201
    }
    meal_ok = (
        meal.seats_taken == confirmed_seats <= meal.capacity
        and answered == rows
        and len(rows) == args.signups
    )
    b, r = browse.summary(), race.summary()
    fivexx = sum(v for k, v in {**b["statuses"], **r["statuses"]}.items() if k.startswith("5"))
    failures = sum(b["errors"].values()) + sum(r["errors"].values())
    resets = sum(v for k, v in {**b["errors"], **r["errors"]}.items() if k.startswith("reset"))
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
        "base_url": args.base_url,
        "seconds": round(elapsed, 1),
        "browse": {**b, "per_second": round(b["answers"] / elapsed, 1)},
        "signups": r,
        "meal": {
            "capacity": meal.capacity,
            "seats_taken": meal.seats_taken,
            "confirmed_seats": confirmed_seats,
            "rows": len(rows),
            "answers_match_rows": answered == rows,
        },
        "resets": resets,
        "other_socket_errors": failures - resets,
        "5xx": fivexx,
        "hung_clients": hung,
        "db_connections_max": max(connections_seen, default=None),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if (failures == 0 and fivexx == 0 and hung == 0 and meal_ok) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Blether's benchmarks, in one run on one machine (`make bench`; `make bench-quick` for --scale 0.01).

Sets up the dedicated benchmark database, generates data (bench/generate.py), serves the API
with gunicorn on 127.0.0.1 and measures: nearby meals (API vs the same SQL through psycopg vs
a query that ignores the spatial index) at three data sizes, a 500-person sign-up burst, the
invitation fan-out of a publish, and outbox dispatch. Writes bench/RESULTS.md (full scale) or
bench/RESULTS-scale-<s>.md, keeping the hand-written reading outside the generated block.
Every loop has a count and a time limit; all traffic goes to 127.0.0.1.
"""

import argparse
import contextlib
import cProfile
import datetime as dt
import http.client
import json
import math
import os
import platform
import pstats
import random
import re
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench import generate as gen  # noqa: E402

BENCH_DIR = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
RADIUS_KM = 5
QUERY_POINTS = 64
BURST_PEOPLE = 500
BURST_SEATS = 40
FANOUT_NEIGHBOURS = 10_000
PUBLISH_WARMUP = 8
PUBLISH_SAMPLES = 5


# ----------------------------------------------------------------------------- small helpers


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_redis_url() -> str:
    """BENCH_REDIS_URL, else database 15 of REDIS_URL's server (the dev database is left alone)."""
    explicit = os.environ.get("BENCH_REDIS_URL")
    if explicit:
        return explicit
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit((parts.scheme, parts.netloc, "/15", "", ""))


def configure_environment(db_url: str, redis_url: str) -> dict:
    """Production-like settings for the run; returned for the subprocesses too."""
    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SMS_BACKEND": "console",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "JWT_ACCESS_MINUTES": "720",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "CACHE_KEY_PREFIX": "blether-bench",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_SETTINGS_MODULE": "api.settings",
    }
    os.environ.update(env)
    return {**os.environ, **env}


# ----------------------------------------------------------------------------- load driver


@dataclass
class Load:
    label: str
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    statuses: dict = field(default_factory=dict)
    note: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(sorted(self.latencies_ms), q)

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "concurrency": self.concurrency,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "throughput": round(self.throughput, 1),
            "p50_ms": round(self.p(0.50), 2),
            "p95_ms": round(self.p(0.95), 2),
            "p99_ms": round(self.p(0.99), 2),
            "statuses": self.statuses,
            "note": self.note,
        }


def closed_loop(label, concurrency, make_caller, *, duration, max_requests, warmup=3) -> Load:
    """`concurrency` threads, each calling its own caller back to back, for `duration` seconds
    or `max_requests` in all. Each thread warms up with a few untimed calls first."""
    result = Load(label, concurrency)
    lock = threading.Lock()
    start_gate = threading.Barrier(concurrency + 1)
    stop = threading.Event()
    budget = [max_requests]

    def run(index: int) -> None:
        call = None
        try:
            call = make_caller(index)
            for w in range(warmup):
                call(index + w * concurrency)
        except Exception as exc:  # a broken caller counts as errors, not a crash of the run
            with lock:
                result.errors += 1
                result.statuses[type(exc).__name__] = result.statuses.get(type(exc).__name__, 0) + 1
            call = None
        start_gate.wait()
        k = index
        while call is not None and not stop.is_set():
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            t0 = time.perf_counter()
            try:
                ok, status = call(k)
            except Exception as exc:
                ok, status = False, type(exc).__name__
            took = (time.perf_counter() - t0) * 1000
            with lock:
                result.statuses[str(status)] = result.statuses.get(str(status), 0) + 1
                if ok:
                    result.latencies_ms.append(took)
                else:
                    result.errors += 1
            k += concurrency

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    start_gate.wait()
    began = time.perf_counter()
    deadline = began + duration
    while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    result.seconds = time.perf_counter() - began
    log(
        f"{label}: {result.throughput:.1f}/s, p50 {result.p(0.5):.1f} ms, "
        f"p95 {result.p(0.95):.1f} ms, p99 {result.p(0.99):.1f} ms, {result.errors} errors"
    )
    return result


def http_caller(port: int, token: str, paths: list[str]):
    def make(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"}

        def call(k: int):
            try:
                conn.request("GET", paths[k % len(paths)], headers=headers)
                response = conn.getresponse()
                response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                raise
            return response.status == 200, response.status

        return call

    return make


def sql_caller(url: str, statements_per_point: list[list[str]]):
    def make(index: int):
        # No server-side prepare, as Django's psycopg backend: the same work per query.
        conn = psycopg.connect(gen.libpq_url(url), autocommit=True, prepare_threshold=None)
        cur = conn.cursor()

        def call(k: int):
            for statement in statements_per_point[k % len(statements_per_point)]:
                cur.execute(statement)
                cur.fetchall()
            return True, "ok"

        return call

    return make


# ----------------------------------------------------------------------------- servers


class Server:
    """gunicorn serving api.wsgi on a free 127.0.0.1 port."""

    def __init__(self, env: dict, workers: int, threads: int, logdir: Path):
        self.port = free_port()
        self.log_path = logdir / f"gunicorn-{self.port}.log"
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "api.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            # Longer than any pause between a client's requests: no close-while-sending races.
            "--keep-alive",
            "120",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.command = shlex.join(cmd[1:])
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log_file.close()


class Worker:
    """One Celery worker (solo pool: one task at a time) on the bench Redis database."""

    def __init__(self, env: dict, logdir: Path):
        self.log_path = logdir / "celery-worker.log"
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        cmd = [
            str(VENV_BIN / "celery"),
            "-A",
            "api",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            f"bench-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.command = shlex.join(cmd[1:])
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited; see {self.log_path}")
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("celery worker not ready within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log_file.close()


def clear_broker_queue(redis_url: str) -> None:
    """Drop tasks left in the bench broker's default queue (its own Redis database)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete("celery")
    client.close()


def broker_queue_length(redis_url: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.llen("celery"))
    finally:
        client.close()


# ----------------------------------------------------------------------------- Django side


def django_ready() -> None:
    import django

    django.setup()


def access_tokens(person_ids: list[int]) -> dict[int, str]:
    from rest_framework_simplejwt.tokens import RefreshToken

    from people.models import User

    return {
        user.pk: str(RefreshToken.for_user(user).access_token)
        for user in User.objects.filter(pk__in=person_ids)
    }


def nearby_path(lat: float, lng: float) -> str:
    return f"/api/meals/?near={lat:.5f},{lng:.5f}&radius_km={RADIUS_KM}"


def endpoint_missing(name: str) -> str | None:
    """None when the URL route exists, else a message saying which endpoint has not landed."""
    from django.urls import Resolver404, resolve

    paths = {
        "list": "/api/meals/",
        "signups": "/api/meals/1/signups/",
        "publish": "/api/meals/1/publish/",
    }
    try:
        resolve(paths[name])
    except Resolver404:
        return f"{paths[name]} is not routed yet (api/urls_meals.py)"
    except Exception as exc:  # a half-written view module must only skip its measurement
        return f"{paths[name]} cannot be loaded: {type(exc).__name__}: {exc}"
    return None


def capture_nearby_sql(token: str, points) -> tuple[list[list[str]], list[int], list[str]]:
    """Run the list view in-process for each point and keep the SQL it sent, values inlined.

    The authentication lookup of the token's user is left out: the baseline is the query work."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    statements, counts, problems = [], [], []
    auth = re.compile(r'^SELECT .* FROM "people_user" WHERE "people_user"\."id" = \d+ LIMIT 21$')
    for lat, lng in points:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                nearby_path(lat, lng), headers={"authorization": f"Bearer {token}"}
            )
        if response.status_code != 200:
            problems.append(f"{response.status_code}: {response.content[:200]!r}")
            continue
        counts.append(response.json().get("count", 0))
        statements.append([q["sql"] for q in ctx.captured_queries if not auth.match(q["sql"])])
    return statements, counts, problems


def handwritten_sql(points) -> list[list[str]]:
    """The nearby query written by hand: count, then the nearest 20 with the index (<->)."""
    out = []
    for lat, lng in points:
        here = f"ST_SetSRID(ST_MakePoint({lng:.6f}, {lat:.6f}), 4326)::geography"
        where = (
            "m.status = 'published' AND m.starts_at > now() "
            f"AND ST_DWithin(m.location, {here}, {RADIUS_KM * 1000})"
        )
        out.append(
            [
                f"SELECT count(*) FROM meals_meal m WHERE {where}",
                "SELECT m.id, m.code, m.title, m.kind, m.starts_at, m.ends_at, m.capacity, "
                f"m.seats_taken, u.display_name, v.name, ST_Distance(m.location, {here}) "
                "FROM meals_meal m JOIN people_user u ON u.id = m.host_id "
                f"LEFT JOIN venues_venue v ON v.id = m.venue_id WHERE {where} "
                f"ORDER BY m.location <-> {here}, m.id LIMIT 20",
            ]
        )
    return out


def naive_sql(points) -> list[list[str]]:
    """The same answer without the spatial index: ST_Distance on every published upcoming row."""
    out = []
    for lat, lng in points:
        here = f"ST_SetSRID(ST_MakePoint({lng:.6f}, {lat:.6f}), 4326)::geography"
        where = (
            "m.status = 'published' AND m.starts_at > now() "
            f"AND ST_Distance(m.location, {here}) <= {RADIUS_KM * 1000}"
        )
        out.append(
            [
                f"SELECT count(*) FROM meals_meal m WHERE {where}",
                "SELECT m.id, m.code, m.title, ST_Distance(m.location, "
                f"{here}) AS d FROM meals_meal m WHERE {where} ORDER BY d, m.id LIMIT 20",
            ]
        )
    return out


# ----------------------------------------------------------------------------- measurements


def locust_check(ctx, paths: list[str]) -> dict:
    """The same API load through locust (headless, FastHttpUser), as an independent tool."""
    import csv

    paths_file = ctx.logdir / "locust-paths.json"
    paths_file.write_text(json.dumps(paths))
    prefix = ctx.logdir / "locust"
    env = {**ctx.env, "BENCH_TOKEN": ctx.token, "BENCH_PATHS_FILE": str(paths_file)}
    seconds = max(5, int(ctx.duration))
    cmd = [
        str(VENV_BIN / "locust"),
        "-f",
        str(BENCH_DIR / "locustfile.py"),
        "--headless",
        "--users",
        str(ctx.clients),
        "--spawn-rate",
        str(ctx.clients),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{ctx.server.port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(ctx.logdir / "locust.log", "w") as log_file:
        subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            timeout=seconds + 60, check=False,
        )  # fmt: skip
    with open(f"{prefix}_stats.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    count, failures = int(row["Request Count"]), int(row["Failure Count"])
    result = {
        "label": "locust cross-check: API GET /api/meals/?near (gunicorn)",
        "concurrency": ctx.clients,
        "requests": count,
        "errors": failures,
        "seconds": seconds,
        "throughput": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "statuses": {},
        "note": "locust rounds percentiles; its run time includes a 1 s ramp-up",
    }
    log(
        f"{result['label']}: {result['throughput']}/s, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, {failures} failures"
    )
    return result


def explain(db_url: str, statement: str) -> list[str]:
    with psycopg.connect(gen.libpq_url(db_url), autocommit=True) as conn:
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement).fetchall()
    return [row[0] for row in rows]


PARTIAL_INDEX = (
    "CREATE INDEX bench_published_location ON meals_meal USING gist (location) "
    "WHERE status = 'published'"
)


def knn_sql(points) -> list[list[str]]:
    """What would close the growth gap: the count as before, but the page taken nearest-first
    from a GiST index over published meals only (`<->` walks the index and stops after 20),
    the radius applied to those 20 instead of sorting every match by distance. Ordering by
    distance alone: a second sort key (id) would stop the index from giving the order."""
    out = []
    for lat, lng in points:
        here = f"ST_SetSRID(ST_MakePoint({lng:.6f}, {lat:.6f}), 4326)::geography"
        out.append(
            [
                "SELECT count(*) FROM meals_meal m WHERE m.status = 'published' AND "
                f"m.starts_at > now() AND ST_DWithin(m.location, {here}, {RADIUS_KM * 1000})",
                "SELECT m.id, m.code, m.title, m.kind, m.starts_at, m.ends_at, m.capacity, "
                f"m.seats_taken, u.display_name, v.name, ST_Distance(m.location, {here}) "
                "FROM (SELECT id FROM meals_meal WHERE status = 'published' AND starts_at > now() "
                f"ORDER BY location <-> {here} LIMIT 20) page "
                "JOIN meals_meal m ON m.id = page.id JOIN people_user u ON u.id = m.host_id "
                f"LEFT JOIN venues_venue v ON v.id = m.venue_id "
                f"WHERE ST_DWithin(m.location, {here}, {RADIUS_KM * 1000}) "
                f"ORDER BY m.location <-> {here}, m.id",
            ]
        )
    return out


def partial_index_experiment(ctx, points) -> tuple[list, dict]:
    """Builds a GiST index over published meals only, measures the KNN-shaped query on it at
    the same concurrency, then drops the index again."""
    runs, plans = [], {}
    with psycopg.connect(gen.libpq_url(ctx.db_url), autocommit=True) as conn:
        t0 = time.perf_counter()
        conn.execute(PARTIAL_INDEX)
        conn.execute("ANALYZE meals_meal")
        plans["build_s"] = round(time.perf_counter() - t0, 2)
    try:
        queries = knn_sql(points)
        plans["with_partial_index"] = explain(ctx.db_url, queries[0][1])
        runs.append(
            closed_loop(
                "experiment: KNN page on a partial GiST index (published only), psycopg",
                ctx.clients,
                sql_caller(ctx.db_url, queries),
                duration=ctx.duration,
                max_requests=ctx.max_requests,
            )
        )
    finally:
        with psycopg.connect(gen.libpq_url(ctx.db_url), autocommit=True) as conn:
            conn.execute("DROP INDEX IF EXISTS bench_published_location")
            conn.execute("ANALYZE meals_meal")
    return runs, plans


def measure_nearby(ctx, tier: dict, experiment: bool = False) -> dict:
    """API through gunicorn vs the view's own SQL through psycopg vs hand-written vs naive."""
    missing = endpoint_missing("list")
    points = gen.query_points(QUERY_POINTS)
    out: dict = {"points": len(points), "radius_km": RADIUS_KM}
    runs = []
    statements, counts = [], []
    if missing:
        out["skipped_api"] = missing
        log(f"nearby API skipped: {missing}")
    else:
        statements, counts, problems = capture_nearby_sql(ctx.token, points)
        if problems:
            out["skipped_api"] = f"in-process GET failed: {problems[0]}"
            log(f"nearby API skipped: {problems[0]}")
        else:
            out["mean_results"] = round(sum(counts) / len(counts), 1)
            out["max_results"] = max(counts)
            out["queries_per_request"] = len(statements[0])
            out["sql_sample"] = statements[0]
            paths = [nearby_path(lat, lng) for lat, lng in points]
            runs.append(
                closed_loop(
                    "API GET /api/meals/?near (gunicorn)",
                    ctx.clients,
                    http_caller(ctx.server.port, ctx.token, paths),
                    duration=ctx.duration,
                    max_requests=ctx.max_requests,
                )
            )
            if experiment:
                # The cheapest authenticated endpoint: the floor of Django + DRF + JWT here.
                runs.append(
                    closed_loop(
                        "floor: API GET /api/me/ (gunicorn)",
                        ctx.clients,
                        http_caller(ctx.server.port, ctx.token, ["/api/me/"]),
                        duration=ctx.duration,
                        max_requests=ctx.max_requests,
                    )
                )
            runs.append(
                closed_loop(
                    "same SQL as the view, psycopg",
                    ctx.clients,
                    sql_caller(ctx.db_url, statements),
                    duration=ctx.duration,
                    max_requests=ctx.max_requests,
                )
            )
    runs.append(
        closed_loop(
            "hand-written indexed SQL, psycopg",
            ctx.clients,
            sql_caller(ctx.db_url, handwritten_sql(points)),
            duration=ctx.duration,
            max_requests=ctx.max_requests,
        )
    )
    runs.append(
        closed_loop(
            "naive SQL (ST_Distance, no spatial index), psycopg",
            ctx.clients,
            sql_caller(ctx.db_url, naive_sql(points)),
            duration=ctx.duration,
            max_requests=ctx.max_requests // 10,
        )
    )
    if statements:
        # The busiest point (most matches) shows the worst case of the view's page query.
        busiest = max(range(len(counts)), key=counts.__getitem__)
        out["view_plan"] = explain(ctx.db_url, statements[busiest][1])
        out["view_plan_matches"] = counts[busiest]
        if experiment:
            extra, plans = partial_index_experiment(ctx, points)
            runs += extra
            out["experiment"] = plans
    out["runs"] = [r.as_dict() for r in runs]
    if experiment and statements:
        try:
            out["runs"].insert(1, locust_check(ctx, [nearby_path(lat, lng) for lat, lng in points]))
        except Exception as exc:  # the cross-check must not cost the run its own figures
            log(f"locust cross-check skipped: {type(exc).__name__}: {exc}")
    with psycopg.connect(gen.libpq_url(ctx.db_url)) as conn:
        lat, lng = points[0]
        plan = conn.execute("EXPLAIN " + handwritten_sql([(lat, lng)])[0][1]).fetchall()
        out["indexed_plan"] = [row[0] for row in plan]
    return out


def make_meal(*, host_id: int, lat: float, lng: float, capacity: int, status: str, title: str):
    """A street tea tomorrow (or in 3 days) at the point, written directly as test data."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from meals.models import Meal

    starts = (timezone.now() + dt.timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    return Meal.objects.create(
        code=gen.share_code(gen.CODE_SPACE // 2 + secrets.randbelow(10**6)),
        kind="street_tea",
        title=title,
        host_id=host_id,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        setting="street",
        location=Point(lng, lat, srid=4326),
        place_description="On the green by the hall",
        capacity=capacity,
        status=status,
        published_at=timezone.now() if status == "published" else None,
    )


def post_json(port: int, path: str, token: str, body: dict | None = None, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    data = json.dumps(body or {})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        conn.request("POST", path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def measure_burst(ctx) -> dict:
    """500 distinct people sign up for one 40-seat meal at the same moment."""
    missing = endpoint_missing("signups")
    if missing:
        return {"skipped": missing}
    from django.db.models import Count, Sum

    from meals.models import Signup

    rng = random.Random(gen.SEED + 3)
    host_id = ctx.people  # the last generated person hosts
    meal = make_meal(
        host_id=host_id,
        lat=55.6336,
        lng=-4.7842,
        capacity=BURST_SEATS,
        status="published",
        title="Burst lunch, Saltcoats",
    )
    count = min(BURST_PEOPLE, ctx.people - 1)
    people = list(range(1, count + 1))
    tokens = access_tokens(people)
    parties = {p: rng.choice((1, 1, 1, 1, 1, 2, 2, 3)) for p in people}
    path = f"/api/meals/{meal.pk}/signups/"
    gate = threading.Barrier(count + 1)
    results: dict[int, tuple] = {}
    lock = threading.Lock()

    def one(person: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", ctx.server.port, timeout=120)
        body = json.dumps({"party_size": parties[person]})
        headers = {"Authorization": f"Bearer {tokens[person]}", "Content-Type": "application/json"}
        conn.connect()
        gate.wait()
        t0 = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            status, payload = response.status, response.read()
        except (http.client.HTTPException, OSError) as exc:
            status, payload = type(exc).__name__, b""
        finally:
            conn.close()
        with lock:
            results[person] = (status, payload, time.perf_counter() - t0, time.perf_counter())

    previous = threading.stack_size(512 * 1024)
    threads = [threading.Thread(target=one, args=(p,), daemon=True) for p in people]
    threading.stack_size(previous)
    for t in threads:
        t.start()
    gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join(timeout=180)
    ended = max((r[3] for r in results.values()), default=time.perf_counter())
    latencies = sorted(r[2] * 1000 for r in results.values() if r[0] == 201)
    statuses: dict = {}
    answered: dict = {}
    for person, (status, payload, _took, _end) in results.items():
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status == 201:
            answered[person] = json.loads(payload).get("status")
    db = {
        row["status"]: (row["n"], row["seats"])
        for row in Signup.objects.filter(meal=meal)
        .values("status")
        .annotate(n=Count("id"), seats=Sum("party_size"))
    }
    meal.refresh_from_db()
    db_status = dict(Signup.objects.filter(meal=meal).values_list("person_id", "status"))
    confirmed_n, confirmed_seats = db.get("confirmed", (0, 0))
    waitlisted_n, _ = db.get("waitlisted", (0, 0))
    free = meal.capacity - meal.seats_taken
    passed_over_fits = Signup.objects.filter(
        meal=meal, status="waitlisted", party_size__lte=free
    ).count()
    errors = count - statuses.get("201", 0)
    correct = (
        errors == 0
        and meal.seats_taken == confirmed_seats
        and confirmed_seats <= meal.capacity
        and confirmed_n + waitlisted_n == count
        and passed_over_fits == 0
        and answered == db_status
    )
    out = {
        "meal_id": meal.pk,
        "requests": count,
        "seconds": round(ended - began, 3),
        "throughput": round(len(latencies) / (ended - began), 1) if ended > began else 0,
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "statuses": statuses,
        "seats_taken": meal.seats_taken,
        "capacity": meal.capacity,
        "confirmed": confirmed_n,
        "confirmed_seats": confirmed_seats,
        "waitlisted": waitlisted_n,
        "waitlisted_that_would_fit": passed_over_fits,
        "answers_match_database": answered == db_status,
        "exactly_full": meal.seats_taken == meal.capacity,
        "correct": correct,
    }
    log(
        f"sign-up burst: {out['throughput']}/s, p95 {out['p95_ms']} ms, statuses {statuses}, "
        f"seats {meal.seats_taken}/{meal.capacity}, confirmed {confirmed_n} "
        f"({confirmed_seats} seats), waitlisted {waitlisted_n}, correct={correct}"
    )
    return out


def copy_neighbours(ctx, first_id: int, n: int, lat: float, lng: float) -> None:
    """n opted-in people living within about 3 km of the point, each with a 5 km radius."""
    from people.models import User

    rng = random.Random(gen.SEED + 5)
    now = dt.datetime.now(dt.UTC).isoformat()

    def lines():
        for i in range(first_id, first_id + n):
            home = gen.ewkt(*gen.jitter(rng, lat, lng, 0.8), decimals=3)
            yield f"{i}\t!bench\t+4475{i:08d}\tNeighbour {i}\t{home}\tt\t5.0\tf\t{now}"

    with psycopg.connect(gen.libpq_url(ctx.db_url)) as conn:
        gen.copy_lines(conn, User, gen.PEOPLE_COLUMNS, lines())
        gen.reset_sequence(conn, User._meta.db_table)
        conn.commit()
        conn.execute("ANALYZE people_user")
        conn.commit()


def answer_safety(meal, host) -> None:
    from meals.safety import prompts_for
    from meals.services import safety_answers_save

    answers = [{"key": p.key, "answer": "yes", "note": ""} for p in prompts_for(meal)]
    safety_answers_save(meal=meal, by=host, answers=answers)


def bare_inserts(ctx, first_id: int, n: int) -> dict:
    """Baselines: 10,000 outbox rows by one INSERT ... SELECT, and by Django bulk_create."""
    from django.db import transaction
    from django.utils import timezone

    from notifications.models import Message
    from people.models import User

    body = "Blether: Street tea on the green, Sat 12:00, 3 min away. Reply YES to come. Code ABC234"
    out = {}
    with psycopg.connect(gen.libpq_url(ctx.db_url)) as conn:
        given = [
            "recipient_id", "to_phone", "template", "category", "body", "dedupe_key", "status",
            "not_before", "attempts", "created_at",
        ]  # fmt: skip
        # Columns added to the outbox later get their model defaults, as bulk_create would.
        extra_cols, extra_text = gen.filler_columns(Message, [*given, "id"])
        extra_vals = (
            [None if v == r"\N" else v for v in extra_text.split("\t")] if extra_cols else []
        )
        columns = ", ".join(given + extra_cols)
        placeholders = "".join(", %s" for _ in extra_vals)
        t0 = time.perf_counter()
        conn.execute(
            f"INSERT INTO notifications_message ({columns}) SELECT id, phone, 'bench_baseline',"
            " 'nudge', %s, 'bench-sql:' || id, 'queued', now(), 0, now()"
            f"{placeholders} FROM people_user WHERE id >= %s AND id < %s",
            [body, *extra_vals, first_id, first_id + n],
        )
        conn.commit()
        out["insert_select_s"] = round(time.perf_counter() - t0, 3)
        conn.execute("DELETE FROM notifications_message WHERE dedupe_key LIKE 'bench-sql:%%'")
        conn.commit()
    people = list(User.objects.filter(pk__gte=first_id, pk__lt=first_id + n).only("pk", "phone"))
    t0 = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        Message.objects.bulk_create(
            [
                Message(
                    recipient=p,
                    to_phone=p.phone,
                    template="bench_baseline",
                    category="nudge",
                    body=body,
                    dedupe_key=f"bench-orm:{p.pk}",
                    not_before=now,
                    created_at=now,
                )
                for p in people
            ],
            batch_size=1000,
        )
    out["bulk_create_s"] = round(time.perf_counter() - t0, 3)
    Message.objects.filter(dedupe_key__startswith="bench-orm:").delete()
    return out


def wait_for_rows(ctx, first_id: int, n: int, t0: float, limit_s: float) -> tuple[int, float]:
    """Poll the outbox until every neighbour has a row (or nothing new comes for 30 s)."""
    last_count, last_change = 0, time.perf_counter()
    with psycopg.connect(gen.libpq_url(ctx.db_url), autocommit=True) as conn:
        while time.perf_counter() - t0 < limit_s:
            count = conn.execute(
                "SELECT count(*) FROM notifications_message WHERE recipient_id >= %s "
                "AND recipient_id < %s",
                [first_id, first_id + n],
            ).fetchone()[0]
            if count != last_count:
                last_count, last_change = count, time.perf_counter()
            if count >= n or time.perf_counter() - last_change > 30:
                break
            time.sleep(0.02)
    return last_count, last_change - t0


def first_row_within(ctx, first_id: int, n: int, *, seconds: float) -> bool:
    deadline = time.perf_counter() + seconds
    with psycopg.connect(gen.libpq_url(ctx.db_url), autocommit=True) as conn:
        while time.perf_counter() < deadline:
            found = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM notifications_message WHERE recipient_id >= %s "
                "AND recipient_id < %s)",
                [first_id, first_id + n],
            ).fetchone()[0]
            if found:
                return True
            time.sleep(0.05)
    return False


def measure_fanout(ctx) -> dict:
    """Publish with 10,000 opted-in neighbours vs with none; time until every invitation is
    an outbox row (a real Celery worker runs the fan-out task); bare inserts as baselines."""
    missing = endpoint_missing("publish")
    if missing:
        return {"skipped": missing}
    from people.models import User

    n = ctx.fanout
    first_id = ctx.people + 10_001
    copy_neighbours(ctx, first_id, n, *gen.LERWICK)
    host = User.objects.get(pk=ctx.people)
    token = access_tokens([host.pk])[host.pk]
    out: dict = {"neighbours": n, "baseline": bare_inserts(ctx, first_id, n)}
    clear_broker_queue(ctx.redis_url)
    worker = Worker(ctx.env, ctx.logdir)
    out["worker_command"] = "celery " + worker.command
    try:
        lonely = [
            make_meal(
                host_id=host.pk,
                lat=gen.FAIR_ISLE[0],
                lng=gen.FAIR_ISLE[1],
                capacity=20,
                status="draft",
                title=f"Street tea {i}, Fair Isle",
            )
            for i in range(PUBLISH_WARMUP + PUBLISH_SAMPLES)
        ]
        crowded = make_meal(
            host_id=host.pk,
            lat=gen.LERWICK[0],
            lng=gen.LERWICK[1],
            capacity=20,
            status="draft",
            title="Street tea, Lerwick",
        )
        from meals.nudges import neighbours_to_invite

        out["expected_invitations"] = neighbours_to_invite(meal=crowded).count()
        out["expected_invitations_lonely"] = neighbours_to_invite(meal=lonely[0]).count()
        for meal in [*lonely, crowded]:
            answer_safety(meal, host)
        times = []
        # The first publishes of each gunicorn thread open its broker connection: warm up first.
        for meal in lonely:
            t0 = time.perf_counter()
            status, payload = post_json(ctx.server.port, f"/api/meals/{meal.pk}/publish/", token)
            times.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                out["publish_error"] = f"{status}: {payload[:300].decode(errors='replace')}"
                return out
        out["publish_warmup_ms"] = [round(t, 1) for t in times[:PUBLISH_WARMUP]]
        times = times[PUBLISH_WARMUP:]
        out["publish_none_ms_each"] = [round(t, 1) for t in times]
        out["publish_none_ms"] = round(sorted(times)[len(times) // 2], 1)
        t0 = time.perf_counter()
        status, payload = post_json(ctx.server.port, f"/api/meals/{crowded.pk}/publish/", token)
        out["publish_crowded_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        out["publish_crowded_status"] = status
        if status != 200:
            out["publish_error"] = f"{status}: {payload[:300].decode(errors='replace')}"
            return out
        if not first_row_within(ctx, first_id, n, seconds=5):
            # The publish request queued no fan-out: say so, then queue the task the way the
            # meal_published receiver would, so the worker's fan-out is still measured.
            out["fanout_queued_by"] = (
                "bench/run.py: the publish request queued no invitations task within 5 s "
                "(the meal_published receiver in meals/nudges.py is not connected in the web "
                "process), so the bench queued meals.nudges.invitations_queue itself"
            )
            log("publish queued no fan-out task; queuing invitations_queue from the bench")
            from api.celery import app as _celery_app  # noqa: F401  configures the broker
            from meals.nudges import invitations_queue

            t0 = time.perf_counter()
            invitations_queue.delay(crowded.pk)
        queued, seconds = wait_for_rows(ctx, first_id, n, t0, limit_s=ctx.fanout_limit)
        out["rows_queued"] = queued
        out["queue_all_s"] = round(seconds, 3)
        base = out["baseline"]["bulk_create_s"]
        out["ratio_vs_bulk_create"] = round(seconds / base, 2) if base else None
        sql_base = out["baseline"]["insert_select_s"]
        out["ratio_vs_insert_select"] = round(seconds / sql_base, 2) if sql_base else None
        # The same task again, called in-process, for where its own time goes.
        from meals.nudges import invitations_send
        from notifications.models import Message

        Message.objects.filter(recipient_id__gte=first_id, recipient_id__lt=first_id + n).delete()
        t1 = time.perf_counter()
        again = invitations_send(meal_id=crowded.pk)
        out["direct_task_s"] = round(time.perf_counter() - t1, 3)
        out["direct_task_rows"] = again
        log(
            f"fan-out: publish {out['publish_none_ms']} ms (none) vs {out['publish_crowded_ms']} "
            f"ms ({n:,}); {queued} rows queued in {seconds:.2f} s via the worker, "
            f"{out['direct_task_s']} s called directly; bulk_create {base} s, "
            f"INSERT..SELECT {sql_base} s"
        )
    finally:
        # Let the worker drain the send tasks before it stops, within a bound.
        deadline = time.time() + 5
        while time.time() < deadline and broker_queue_length(ctx.redis_url) > 0:
            time.sleep(0.2)
        worker.stop()
        clear_broker_queue(ctx.redis_url)
    return out


def queue_dispatch_rows(ids: list[int], tag: str) -> list[int]:
    from django.utils import timezone

    from notifications.models import Message

    now = timezone.now()
    body = "Blether: a place came free at Street tea on Dockhead Street (Sat 12:00). Code ABC234"
    Message.objects.bulk_create(
        [
            Message(
                recipient_id=pk,
                to_phone=f"+4474{pk:08d}",
                template="bench_dispatch",
                category="transactional",
                body=body,
                dedupe_key=f"bench-{tag}:{pk}",
                not_before=now,
                created_at=now,
            )
            for pk in ids
        ],
        batch_size=1000,
    )
    return list(
        Message.objects.filter(dedupe_key__startswith=f"bench-{tag}:").values_list("pk", flat=True)
    )


def measure_dispatch(ctx) -> dict:
    """Outbox rows sent per second by one worker's code (in-process, no broker), per row
    (`dispatch_message`, the send_message task) and batched (`dispatch_due`, when present),
    with the console gateway, against the gateway's send() alone."""
    import io

    from notifications import dispatch
    from notifications.gateways import get_gateway
    from notifications.models import Message
    from people.models import User

    n = ctx.dispatch
    ids = list(range(1, n + 1))
    # Quiet hours with start == end never apply: the run must not depend on the clock.
    User.objects.filter(pk__in=ids).update(
        quiet_start=dt.time(0, 0), quiet_end=dt.time(0, 0), sms_opted_out_at=None
    )
    # Rows left queued by earlier measurements (invitations, confirmations) would be sent by
    # dispatch_due too: set them aside so only this measurement's rows are counted.
    out_aside = (
        Message.objects.filter(status=Message.Status.QUEUED)
        .exclude(template="bench_dispatch")
        .update(status=Message.Status.SUPPRESSED, status_reason="bench: set aside")
    )
    gateway = get_gateway()
    out: dict = {"rows": n, "gateway": gateway.name, "set_aside": out_aside}
    sink = io.StringIO()
    limit = ctx.duration * 6
    with contextlib.redirect_stdout(sink):
        message_ids = queue_dispatch_rows(ids, "per-row")
        sent, t0 = 0, time.perf_counter()
        for mid in message_ids:
            if time.perf_counter() - t0 > limit:
                break
            if dispatch.dispatch_message(mid) == Message.Status.SENT:
                sent += 1
        took = time.perf_counter() - t0
        out["per_row"] = {"sent": sent, "seconds": round(took, 3), "per_s": round(sent / took, 1)}
        if hasattr(dispatch, "dispatch_due"):
            queue_dispatch_rows(ids, "batched")
            sent, t0 = 0, time.perf_counter()
            while sent < n and time.perf_counter() - t0 < limit:
                counts = dispatch.dispatch_due(limit=200)
                if not counts:
                    break
                sent += counts.get(Message.Status.SENT, 0)
            took = time.perf_counter() - t0
            out["batched"] = {
                "sent": sent,
                "seconds": round(took, 3),
                "per_s": round(sent / took, 1),
                "call": "dispatch_due(limit=200) (claims 20 at a time)",
            }
        callback = dispatch.status_callback_url()
        t0 = time.perf_counter()
        for pk in ids:
            gateway.send(to=f"+4474{pk:08d}", body="Blether: bench", status_callback=callback)
        send_s = time.perf_counter() - t0
    if hasattr(gateway, "clear"):
        gateway.clear()
    for tag, key in (("per-row", "per_row"), ("batched", "batched")):
        if key in out:
            out[key]["sent_in_db"] = Message.objects.filter(
                dedupe_key__startswith=f"bench-{tag}:", status=Message.Status.SENT
            ).count()
    out["sent_in_db"] = sum(out[k]["sent_in_db"] for k in ("per_row", "batched") if k in out)
    out["gateway_per_s"] = round(n / send_s, 1) if send_s else 0
    best = max(out["per_row"]["per_s"], out.get("batched", {}).get("per_s", 0))
    out["rows_per_s"] = best
    out["ratio"] = round(out["gateway_per_s"] / best, 1) if best else 0
    log(
        f"dispatch: {out['per_row']['per_s']} rows/s per row, "
        f"{out.get('batched', {}).get('per_s', '-')} rows/s batched, vs "
        f"{out['gateway_per_s']} sends/s for the {gateway.name} gateway alone"
    )
    return out


def profile_calls(calls: list) -> dict:
    """Time the calls plainly, then again under cProfile; the heaviest functions of the latter."""
    t0 = time.perf_counter()
    for call in calls[: len(calls) // 2]:
        call()
    plain_ms = (time.perf_counter() - t0) / (len(calls) // 2) * 1000
    profiler = cProfile.Profile()
    rest = calls[len(calls) // 2 :]
    t0 = time.perf_counter()
    profiler.enable()
    for call in rest:
        call()
    profiler.disable()
    took = time.perf_counter() - t0
    stats = pstats.Stats(profiler)
    total = stats.total_tt or took
    rows = []
    for (filename, line, name), (_cc, count, tottime, cumtime, _callers) in stats.stats.items():
        where = filename.replace(str(ROOT) + "/", "")
        where = re.sub(r".*/site-packages/", "", where)
        if where.startswith("django/test/"):
            continue
        rows.append((cumtime, tottime, count, f"{where}:{line}({name})"))
    rows.sort(reverse=True)
    own = sorted(rows, key=lambda r: r[1], reverse=True)[:12]
    return {
        "requests": len(rest),
        "ms_per_request": round(plain_ms, 2),
        "ms_per_request_profiled": round(took / len(rest) * 1000, 2),
        "by_cumulative": [
            {
                "cum_pct": round(c / total * 100, 1),
                "own_pct": round(o / total * 100, 1),
                "calls": n,
                "function": f,
            }
            for c, o, n, f in rows[:24]
        ],
        "by_own_time": [
            {"own_pct": round(o / total * 100, 1), "calls": n, "function": f} for _c, o, n, f in own
        ],
    }


def profile_endpoints(ctx, requests: int = 60) -> dict:
    """The nearby list and the sign-up POST in-process (Django's test client), each timed
    plainly and under cProfile; the slower one is the one the reading dwells on."""
    from django.test import Client

    client = Client()
    out: dict = {}
    if not endpoint_missing("list"):
        headers = {"authorization": f"Bearer {ctx.token}"}
        points = gen.query_points(requests + 5, seed=gen.SEED + 11)
        for lat, lng in points[:5]:
            client.get(nearby_path(lat, lng), headers=headers)
        out["GET /api/meals/?near"] = profile_calls(
            [(lambda p=p: client.get(nearby_path(*p), headers=headers)) for p in points[5:]]
        )
    if not endpoint_missing("signups"):
        meal = make_meal(
            host_id=ctx.people,
            lat=55.8642,
            lng=-4.2518,
            capacity=1000,
            status="published",
            title="Profiled lunch, Glasgow",
        )
        people = list(range(1001, 1001 + requests + 5))
        tokens = access_tokens(people)
        path = f"/api/meals/{meal.pk}/signups/"

        def signup(person: int):
            response = client.post(
                path,
                data={"party_size": 1},
                content_type="application/json",
                headers={"authorization": f"Bearer {tokens[person]}"},
            )
            if response.status_code != 201:
                raise RuntimeError(f"sign-up answered {response.status_code}")

        for person in people[:5]:
            signup(person)
        out["POST /api/meals/{id}/signups/"] = profile_calls(
            [(lambda p=p: signup(p)) for p in people[5:]]
        )
    if not out:
        return {"skipped": endpoint_missing("list")}
    slowest = max(out, key=lambda k: out[k]["ms_per_request"])
    return {"endpoints": out, "slowest": slowest}


# ----------------------------------------------------------------------------- the run


@dataclass
class Context:
    db_url: str
    redis_url: str
    env: dict
    logdir: Path
    clients: int
    duration: float
    max_requests: int
    people: int
    fanout: int
    dispatch: int
    fanout_limit: float
    server: Server | None = None
    token: str = ""


def isolated(name: str, fn, *args) -> dict:
    """Run one measurement; any failure becomes a recorded skip, never the end of the run."""
    try:
        return fn(*args)
    except Exception as exc:
        log(f"{name} failed: {type(exc).__name__}: {exc}")
        traceback.print_exc()
        return {"skipped": f"failed: {type(exc).__name__}: {str(exc)[:300]}"}


def machine_facts(db_url: str) -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    with psycopg.connect(gen.libpq_url(db_url)) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        postgis = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        # What one small committed write costs on this disk: the floor under every write path.
        conn.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id serial, at timestamptz)")
        conn.commit()
        t0 = time.perf_counter()
        for _ in range(200):
            conn.execute("INSERT INTO bench_commit_probe (at) VALUES (now())")
            conn.commit()
        commit_ms = (time.perf_counter() - t0) / 200 * 1000
        conn.execute("DROP TABLE bench_commit_probe")
        conn.commit()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "postgresql": pg,
        "postgis": postgis,
        "python": platform.python_version(),
        "os": platform.platform(),
        "git": commit or "unknown",
        "commit_ms": round(commit_ms, 2),
        "load_average_at_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def tiers_for(args) -> list[int]:
    if args.tiers:
        return [int(t) for t in args.tiers.split(",")]
    full = args.meals if args.meals is not None else round(gen.DEFAULT_SIZES["meals"] * args.scale)
    if args.no_growth:
        return [full]
    return sorted({max(100, round(full / 100)), max(100, round(full / 10)), full})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    gen.add_size_arguments(parser)
    parser.add_argument("--tiers", help="meal counts for the growth series, e.g. 10000,100000")
    parser.add_argument("--no-growth", action="store_true", help="only the full size")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--duration", type=float, help="seconds per load phase")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument(
        "--only",
        default="nearby,burst,fanout,dispatch,profile",
        help="comma list of nearby,burst,fanout,dispatch,profile",
    )
    parser.add_argument("--results", help="markdown file to write (default by scale)")
    args = parser.parse_args()

    only = set(args.only.split(","))
    duration = args.duration or (5.0 if args.scale < 0.5 else 15.0)
    db_url = gen.bench_database_url(args.database_url)
    redis_url = bench_redis_url()
    env = configure_environment(db_url, redis_url)
    django_ready()
    from django.db import connections

    sizes = gen.sizes_from(args)
    tiers = tiers_for(args)
    logdir = Path(tempfile.mkdtemp(prefix="blether-bench-"))
    ctx = Context(
        db_url=db_url,
        redis_url=redis_url,
        env=env,
        logdir=logdir,
        clients=args.clients,
        duration=duration,
        max_requests=args.max_requests,
        people=sizes.people,
        fanout=max(500, min(FANOUT_NEIGHBOURS, round(FANOUT_NEIGHBOURS * args.scale))),
        dispatch=max(200, min(1000, round(10_000 * args.scale))),
        fanout_limit=600,
    )
    log(f"benchmark database {gen.db_name(db_url)}, broker {redis_url}, logs in {logdir}")
    report: dict = {
        "command": "make bench"
        if args.scale == 1 and len(sys.argv) == 1
        else "bench/run.py " + shlex.join(sys.argv[1:]),
        "argv": sys.argv[1:],
        "sizes": {"venues": sizes.venues, "people": sizes.people, "tiers": tiers},
        "clients": args.clients,
        "duration_s": duration,
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "tiers": [],
    }
    run_started = time.perf_counter()
    for number, meals in enumerate(tiers):
        last = number == len(tiers) - 1
        connections.close_all()
        tier: dict = {"meals": meals}
        tier["reset_s"] = round(gen.reset_database(db_url, log=log), 1)
        generated = gen.generate(
            db_url, gen.Sizes(meals=meals, venues=sizes.venues, people=sizes.people), log=log
        )
        tier["generated"] = generated
        report.setdefault("machine", machine_facts(db_url))
        ctx.token = access_tokens([1])[1]
        server = Server(env, args.workers, args.threads, logdir)
        ctx.server = server
        report["gunicorn"]["command"] = "gunicorn " + server.command
        try:
            if "nearby" in only:
                tier["nearby"] = isolated("nearby", measure_nearby, ctx, tier, last)
            if last:
                if "burst" in only:
                    report["burst"] = isolated("sign-up burst", measure_burst, ctx)
                if "fanout" in only:
                    report["fanout"] = isolated("fan-out", measure_fanout, ctx)
        finally:
            server.stop()
        if last:
            if "dispatch" in only:
                report["dispatch"] = isolated("dispatch", measure_dispatch, ctx)
            if "profile" in only:
                report["profile"] = isolated("profile", profile_endpoints, ctx)
        report["tiers"].append(tier)
    report["total_s"] = round(time.perf_counter() - run_started, 1)
    report["machine"]["load_average_at_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results = (
        Path(args.results)
        if args.results
        else BENCH_DIR / ("RESULTS.md" if args.scale >= 1 else f"RESULTS-scale-{args.scale:g}.md")
    )
    results.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    from bench.report import write_results

    write_results(results, report)
    log(f"wrote {results} and its .json in {report['total_s']} s")


if __name__ == "__main__":
    main()

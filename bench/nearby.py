"""Nearby meals: the API through gunicorn against the view's own SQL, a hand-written indexed
query and a naive one through psycopg; at the largest size also locust, the `GET /api/me/`
floor, EXPLAIN ANALYZE and the partial-index experiment."""

import json
import re
import subprocess
import time

import psycopg

from bench.db import libpq_url
from bench.django_side import endpoint_missing
from bench.harness import closed_loop, explain, http_caller, log, sql_caller
from bench.places import query_points
from bench.servers import ROOT, VENV_BIN

BENCH_DIR = ROOT / "bench"
RADIUS_KM = 5
QUERY_POINTS = 64


def nearby_path(lat: float, lng: float) -> str:
    return f"/api/meals/?near={lat:.5f},{lng:.5f}&radius_km={RADIUS_KM}"


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
    with psycopg.connect(libpq_url(ctx.db_url), autocommit=True) as conn:
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
        with psycopg.connect(libpq_url(ctx.db_url), autocommit=True) as conn:
            conn.execute("DROP INDEX IF EXISTS bench_published_location")
            conn.execute("ANALYZE meals_meal")
    return runs, plans


def measure_nearby(ctx, tier: dict, experiment: bool = False) -> dict:
    """API through gunicorn vs the view's own SQL through psycopg vs hand-written vs naive."""
    missing = endpoint_missing("list")
    points = query_points(QUERY_POINTS)
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
    with psycopg.connect(libpq_url(ctx.db_url)) as conn:
        lat, lng = points[0]
        plan = conn.execute("EXPLAIN " + handwritten_sql([(lat, lng)])[0][1]).fetchall()
        out["indexed_plan"] = [row[0] for row in plan]
    return out

"""Nearby meals: the API through gunicorn against the `GET /api/me/` floor, the view's own SQL,
the best raw query (issue 13's experiment: a count and the KNN page on the partial GiST
index), that page alone, the old count-and-page query and a naive one through psycopg, at
every size; at the largest also locust and EXPLAIN ANALYZE."""

import json
import re
import subprocess

import psycopg

from bench.db import libpq_url
from bench.django_side import endpoint_missing
from bench.harness import Load, closed_loop, explain, http_caller, log, sql_caller
from bench.places import query_points
from bench.servers import ROOT, VENV_BIN, Server

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
    auth = re.compile(r'^SELECT .* FROM "people_user" WHERE "id" = \d+$')
    for lat, lng in points:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                nearby_path(lat, lng), headers={"authorization": f"Bearer {token}"}
            )
        if response.status_code != 200:
            problems.append(f"{response.status_code}: {response.content[:200]!r}")
            continue
        counts.append(len(response.json()["results"]))
        statements.append([q["sql"] for q in ctx.captured_queries if not auth.match(q["sql"])])
    return statements, counts, problems


def matches(db_url: str, points) -> list[int]:
    """How many published meals yet to start lie within the radius of each point (the API no
    longer counts them; this is for the figures only, untimed)."""
    with psycopg.connect(libpq_url(db_url)) as conn:
        return [
            conn.execute(
                "SELECT count(*) FROM meals_meal WHERE status = 'published' AND starts_at > now() "
                "AND ST_DWithin(location, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, "
                "%s, false)",
                [lng, lat, RADIUS_KM * 1000],
            ).fetchone()[0]
            for lat, lng in points
        ]


def handwritten_sql(points) -> list[list[str]]:
    """The nearby query as it was before issue 13, written by hand: count every match in the
    circle, then the nearest 20 of them (ST_DWithin, ordered by <-> and id)."""
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


def experiment_sql(points) -> list[list[str]]:
    """Issue 13's best raw query, verbatim (its "experiment" row, now on the migration's
    partial index): the count as before the issue, then the page taken nearest-first from the
    GiST index over published meals (`<->` walks the index and stops after 20), the radius
    applied to those 20. The target for the API is half its rate."""
    out = []
    for lat, lng in points:
        here = f"ST_SetSRID(ST_MakePoint({lng:.6f}, {lat:.6f}), 4326)::geography"
        out.append(
            [
                "SELECT count(*) FROM meals_meal m WHERE m.status = 'published' AND "
                f"m.starts_at > now() AND ST_DWithin(m.location, {here}, {RADIUS_KM * 1000})",
                *page_only_sql([(lat, lng)])[0],
            ]
        )
    return out


def page_only_sql(points) -> list[list[str]]:
    """The experiment's page alone, without its count: the least SQL a page can cost."""
    out = []
    for lat, lng in points:
        here = f"ST_SetSRID(ST_MakePoint({lng:.6f}, {lat:.6f}), 4326)::geography"
        out.append(
            [
                "SELECT m.id, m.code, m.title, m.kind, m.starts_at, m.ends_at, m.capacity, "
                f"m.seats_taken, u.display_name, v.name, ST_Distance(m.location, {here}) "
                "FROM (SELECT id FROM meals_meal WHERE status = 'published' AND starts_at > now() "
                f"ORDER BY location <-> {here} LIMIT 20) page "
                "JOIN meals_meal m ON m.id = page.id JOIN people_user u ON u.id = m.host_id "
                "LEFT JOIN venues_venue v ON v.id = m.venue_id "
                f"WHERE ST_DWithin(m.location, {here}, {RADIUS_KM * 1000}) "
                f"ORDER BY m.location <-> {here}, m.id",
            ]
        )
    return out


def _load(ctx, label: str, caller, *, fewer: int = 1) -> dict:
    return closed_loop(
        label,
        ctx.clients,
        caller,
        duration=ctx.duration,
        max_requests=ctx.max_requests // fewer,
    )


# The growth target's own measurement: the API at the smallest and at the largest size served
# at once (a second gunicorn on a copy of the smallest size's database) and loaded in turns, a
# few seconds each, so a change in the machine's speed during the run (shared cores) falls on
# both sizes alike. Measured one after the other, minutes apart, even `GET /api/me/`, which
# reads no meal, was seen to slow by a third between the sizes. Ten turns: with four to six,
# the same code's p95 ratio was seen from 1.12x to 1.28x on one machine in one morning.
SIDE_BY_SIDE = "side by side"
TURNS = 10


def measure_side_by_side(ctx, large_paths: list[str]) -> list[Load]:
    """The API at the smallest size, at the largest, and at the largest with pages as full as
    at the smallest, in `TURNS` rounds of one phase each; each side's latencies pooled."""
    sides = [
        (f"{SIDE_BY_SIDE}: API GET /api/meals/?near at the smallest size", ctx.small_paths),
        (f"{SIDE_BY_SIDE}: API GET /api/meals/?near at the largest size", large_paths),
        (
            f"{SIDE_BY_SIDE}: API GET /api/meals/?near at the largest size, pages as full as at "
            f"the smallest (page_size={ctx.small_page})",
            [f"{path}&page_size={ctx.small_page}" for path in large_paths],
        ),
    ]
    pooled = [Load(label, ctx.clients) for label, _ in sides]
    small = Server(
        {**ctx.env, "DATABASE_URL": ctx.small_db_url}, ctx.workers, ctx.threads, ctx.logdir
    )
    ports = [small.port, ctx.server.port, ctx.server.port]
    phase = max(2.0, ctx.duration / 3)
    try:
        for turn in range(TURNS):
            for (label, paths), port, total in zip(sides, ports, pooled, strict=True):
                one = closed_loop(
                    f"{label}, turn {turn + 1}/{TURNS}",
                    ctx.clients,
                    http_caller(port, ctx.token, paths),
                    duration=phase,
                    max_requests=ctx.max_requests // TURNS,
                )
                total.latencies_ms += one.latencies_ms
                total.errors += one.errors
                total.seconds += one.seconds
                for status, count in one.statuses.items():
                    total.statuses[status] = total.statuses.get(status, 0) + count
    finally:
        small.stop()
    for total in pooled:
        total.note = f"{TURNS} turns of {phase:g} s, in turn with the other sizes"
        log(
            f"{total.label}: {total.throughput:.1f}/s, p50 {total.p(0.5):.1f} ms, "
            f"p95 {total.p(0.95):.1f} ms, {total.errors} errors"
        )
    return pooled


def measure_nearby(ctx, tier: dict, largest: bool = False) -> dict:
    """At every size: the API through gunicorn, the `GET /api/me/` floor, the view's own SQL,
    the best raw query, the old count-and-page query and the naive one, side by side; at the
    largest also locust and the plans."""
    missing = endpoint_missing("list")
    points = query_points(QUERY_POINTS)
    out: dict = {"points": len(points), "radius_km": RADIUS_KM}
    counts = matches(ctx.db_url, points)
    out["mean_results"] = round(sum(counts) / len(counts), 1)
    out["max_results"] = max(counts)
    runs, statements = [], []
    if missing:
        out["skipped_api"] = missing
        log(f"nearby API skipped: {missing}")
    else:
        statements, shown, problems = capture_nearby_sql(ctx.token, points)
        if problems:
            out["skipped_api"] = f"in-process GET failed: {problems[0]}"
            log(f"nearby API skipped: {problems[0]}")
            statements = []
        else:
            out["mean_shown"] = round(sum(shown) / len(shown), 1)
            out["queries_per_request"] = len(statements[0])
            out["sql_sample"] = statements[0]
            paths = [nearby_path(lat, lng) for lat, lng in points]
            port, token = ctx.server.port, ctx.token
            runs.append(
                _load(ctx, "API GET /api/meals/?near (gunicorn)", http_caller(port, token, paths))
            )
            if not largest and not ctx.small_page:  # the first (smallest) size
                ctx.small_page = max(1, round(out["mean_shown"]))
                ctx.small_paths = paths
            # The cheapest authenticated endpoint: the floor of Django + DRF + JWT here.
            floor = http_caller(port, token, ["/api/me/"])
            runs.append(_load(ctx, "floor: API GET /api/me/ (gunicorn)", floor))
            runs.append(
                _load(ctx, "same SQL as the view, psycopg", sql_caller(ctx.db_url, statements))
            )
            if largest and ctx.small_db_url:
                runs += measure_side_by_side(ctx, paths)
    best = sql_caller(ctx.db_url, experiment_sql(points))
    label = "best raw: issue 13's experiment, COUNT + KNN page on the partial index, psycopg"
    runs.append(_load(ctx, label, best))
    page = sql_caller(ctx.db_url, page_only_sql(points))
    runs.append(_load(ctx, "the experiment's KNN page alone, no COUNT, psycopg", page))
    old = sql_caller(ctx.db_url, handwritten_sql(points))
    runs.append(_load(ctx, "hand-written count + page (the shape before issue 13), psycopg", old))
    naive = sql_caller(ctx.db_url, naive_sql(points))
    runs.append(_load(ctx, "naive SQL (ST_Distance, no spatial index), psycopg", naive, fewer=10))
    out["runs"] = [r.as_dict() for r in runs]
    if largest and statements:
        # The busiest point (most matches) shows the worst case of the view's statement.
        busiest = max(range(len(counts)), key=counts.__getitem__)
        out["view_plan"] = explain(ctx.db_url, statements[busiest][-1])
        out["view_plan_matches"] = counts[busiest]
        out["best_plan"] = explain(ctx.db_url, page_only_sql([points[busiest]])[0][0])
        try:
            out["runs"].insert(1, locust_check(ctx, [nearby_path(lat, lng) for lat, lng in points]))
        except Exception as exc:  # the cross-check must not cost the run its own figures
            log(f"locust cross-check skipped: {type(exc).__name__}: {exc}")
    return out

"""Blether's benchmarks, in one run on one machine (`make bench`; `make bench-quick` for --scale 0.01).

Sets up the dedicated benchmark database, generates data (bench/generate.py), serves the API
with gunicorn on 127.0.0.1 and measures: nearby meals (API vs the same SQL through psycopg vs
a query that ignores the spatial index) at three data sizes, a 500-person sign-up burst, the
invitation fan-out of a publish, and outbox dispatch. Writes bench/RESULTS.md (full scale) or
bench/RESULTS-scale-<s>.md, keeping the hand-written reading outside the generated block.
Every loop has a count and a time limit; all traffic goes to 127.0.0.1.

This file is the entry point; each measurement lives in its own module (bench/nearby.py,
bench/signups.py, bench/fanout.py, bench/dispatch.py, bench/profiles.py), the load driver in
bench/harness.py, gunicorn, the worker and the broker in bench/servers.py.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench import generate as gen  # noqa: E402
from bench.db import (  # noqa: E402
    bench_database_url,
    copy_database,
    db_name,
    drop_database,
    libpq_url,
    reset_database,
)
from bench.dispatch import measure_dispatch  # noqa: E402
from bench.django_side import access_tokens, django_ready  # noqa: E402
from bench.fanout import FANOUT_NEIGHBOURS, measure_fanout  # noqa: E402
from bench.harness import log  # noqa: E402
from bench.nearby import measure_nearby  # noqa: E402
from bench.profiles import profile_endpoints  # noqa: E402
from bench.report import write_results  # noqa: E402
from bench.servers import Server, bench_redis_url, configure_environment  # noqa: E402
from bench.signups import measure_burst  # noqa: E402

BENCH_DIR = ROOT / "bench"
MEASUREMENTS = "nearby,burst,fanout,dispatch,profile"


@dataclass
class Context:
    """What every measurement is handed: where to connect, how hard to push, how long."""

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
    workers: int = 2
    threads: int = 4
    # Meals a page of the nearby list shows at the smallest size (for the equal-pages run),
    # its paths, and a copy of its database (for the side-by-side growth run).
    small_page: int = 0
    small_paths: list[str] = field(default_factory=list)
    small_db_url: str = ""


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
    with psycopg.connect(libpq_url(db_url)) as conn:
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    gen.add_size_arguments(parser)
    parser.add_argument("--tiers", help="meal counts for the growth series, e.g. 10000,100000")
    parser.add_argument("--no-growth", action="store_true", help="only the full size")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--duration", type=float, help="seconds per load phase")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--only", default=MEASUREMENTS, help=f"comma list of {MEASUREMENTS}")
    parser.add_argument("--results", help="markdown file to write (default by scale)")
    parser.add_argument(
        "--carry",
        help="an earlier run's .json: the measurements not in --only are taken from it, and "
        "the results say which rows come from which run",
    )
    return parser.parse_args()


def make_context(args, db_url: str, redis_url: str, people: int) -> Context:
    return Context(
        db_url=db_url,
        redis_url=redis_url,
        env=configure_environment(db_url, redis_url),
        logdir=Path(tempfile.mkdtemp(prefix="blether-bench-")),
        clients=args.clients,
        duration=args.duration or (5.0 if args.scale < 0.5 else 15.0),
        max_requests=args.max_requests,
        people=people,
        fanout=max(500, min(FANOUT_NEIGHBOURS, round(FANOUT_NEIGHBOURS * args.scale))),
        dispatch=max(200, min(1000, round(10_000 * args.scale))),
        fanout_limit=600,
        workers=args.workers,
        threads=args.threads,
    )


def run_tier(ctx: Context, args, report: dict, meals: int, sizes, *, last: bool) -> dict:
    """Fresh database with `meals` meals; nearby at every size, the rest at the largest only."""
    from django.db import connections

    only = set(args.only.split(","))
    connections.close_all()
    tier: dict = {"meals": meals}
    tier["reset_s"] = round(reset_database(ctx.db_url, log=log), 1)
    tier["generated"] = gen.generate(
        ctx.db_url, gen.Sizes(meals=meals, venues=sizes.venues, people=sizes.people), log=log
    )
    report.setdefault("machine", machine_facts(ctx.db_url))
    ctx.token = access_tokens([1])[1]
    server = Server(ctx.env, ctx.workers, ctx.threads, ctx.logdir)
    ctx.server = server
    report["gunicorn"]["command"] = "gunicorn " + server.command
    try:
        if "nearby" in only:
            tier["nearby"] = isolated("nearby", measure_nearby, ctx, tier, last)
        if last and "burst" in only:
            report["burst"] = isolated("sign-up burst", measure_burst, ctx)
        if last and "fanout" in only:
            report["fanout"] = isolated("fan-out", measure_fanout, ctx)
    finally:
        server.stop()
    if last and "dispatch" in only:
        report["dispatch"] = isolated("dispatch", measure_dispatch, ctx)
    if last and "profile" in only:
        report["profile"] = isolated("profile", profile_endpoints, ctx)
    return tier


def results_path(args) -> Path:
    if args.results:
        return Path(args.results)
    return BENCH_DIR / ("RESULTS.md" if args.scale >= 1 else f"RESULTS-scale-{args.scale:g}.md")


def carried(report: dict, earlier_path: Path, *, parts: list[str]) -> dict:
    """The earlier run's figures with this run's `parts` in their place, and a note of both."""
    earlier = json.loads(earlier_path.read_text())
    keep = {key: report[key] for key in parts if key in report and key != "nearby"}
    merged = {**earlier, **keep}
    # Parts an even earlier partial run measured, and this one did not, still say so.
    before = [
        *earlier.get("reruns_before", []),
        *([earlier["rerun"]] if "rerun" in earlier else []),
    ]
    before = [{**r, "parts": sorted(set(r["parts"]) - set(keep))} for r in before]
    merged["reruns_before"] = [r for r in before if r["parts"]]
    merged["rerun"] = {
        "parts": sorted(keep),
        "machine": report["machine"],
        "command": report["command"],
        "total_s": report["total_s"],
    }
    return merged


def main() -> None:
    args = parse_args()
    db_url = bench_database_url(args.database_url)
    redis_url = bench_redis_url()
    sizes = gen.sizes_from(args)
    tiers = tiers_for(args)
    ctx = make_context(args, db_url, redis_url, sizes.people)
    django_ready()
    log(f"benchmark database {db_name(db_url)}, broker {redis_url}, logs in {ctx.logdir}")
    report: dict = {
        "command": "make bench"
        if args.scale == 1 and len(sys.argv) == 1
        else "bench/run.py " + shlex.join(sys.argv[1:]),
        "argv": sys.argv[1:],
        "sizes": {"venues": sizes.venues, "people": sizes.people, "tiers": tiers},
        "clients": args.clients,
        "duration_s": ctx.duration,
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "tiers": [],
    }
    run_started = time.perf_counter()
    try:
        for number, meals in enumerate(tiers):
            last = number == len(tiers) - 1
            report["tiers"].append(run_tier(ctx, args, report, meals, sizes, last=last))
            if number == 0 and not last and "nearby" in args.only.split(","):
                ctx.small_db_url = copy_database(ctx.db_url, "_smallest")
    finally:
        if ctx.small_db_url:
            drop_database(ctx.small_db_url)
    report["total_s"] = round(time.perf_counter() - run_started, 1)
    report["machine"]["load_average_at_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    if args.carry:
        report = carried(report, Path(args.carry), parts=args.only.split(","))
    results = results_path(args)
    results.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    write_results(results, report)
    log(f"wrote {results} and its .json in {report['total_s']} s")


if __name__ == "__main__":
    main()

"""The load driver: closed-loop clients over HTTP or straight SQL, and their percentiles.

The same driver runs every load phase of every measurement, so API and SQL figures come from
one client with one cost.
"""

import http.client
import json
import math
import threading
import time
from dataclasses import dataclass, field

import psycopg

from bench.db import libpq_url


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


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
        conn = psycopg.connect(libpq_url(url), autocommit=True, prepare_threshold=None)
        cur = conn.cursor()

        def call(k: int):
            for statement in statements_per_point[k % len(statements_per_point)]:
                cur.execute(statement)
                cur.fetchall()
            return True, "ok"

        return call

    return make


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


def explain(db_url: str, statement: str) -> list[str]:
    with psycopg.connect(libpq_url(db_url), autocommit=True) as conn:
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement).fetchall()
    return [row[0] for row in rows]

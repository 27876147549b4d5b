"""Profiles: the nearby list and the sign-up POST in-process through Django's test client,
timed plainly and under cProfile."""

import cProfile
import pstats
import re
import time

from bench.django_side import access_tokens, endpoint_missing, make_meal
from bench.nearby import nearby_path
from bench.places import SEED, query_points
from bench.servers import ROOT


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
        where = re.sub(r".*/lib/python3\.\d+/", "<stdlib>/", where)
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
        points = query_points(requests + 5, seed=SEED + 11)
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

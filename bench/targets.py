"""The Targets table of a run: issue 13's targets, each a ratio of two figures measured side
by side in the same run (bench/report.py writes it at the top of the results)."""


def find(runs: list[dict], prefix: str) -> dict | None:
    return next((r for r in runs if r["label"].startswith(prefix)), None)


def _verdict(ok: bool) -> str:
    return "met" if ok else "missed"


def _nearby_targets(tiers: list[dict]) -> list[tuple[str, str, str]]:
    """Issue 13, target 1: the API against the best raw query, its growth, and the floor."""
    out = []
    runs = tiers[-1]["nearby"].get("runs", []) if tiers else []
    api, best = find(runs, "API"), find(runs, "best raw")
    name = (
        "Nearby: API throughput ≥ 0.5 x the best raw query (issue 13's experiment: COUNT + "
        "KNN page on the partial index), largest size"
    )
    if api and best and best["throughput"]:
        share = api["throughput"] / best["throughput"]
        figures = (
            f"API {api['throughput']:,.1f}/s vs best raw {best['throughput']:,.1f}/s = "
            f"{share:.2f} at {tiers[-1]['meals']:,} meals"
        )
        out.append((name, _verdict(share >= 0.5), figures))
    else:
        out.append((name, "not measured", "needs the API and the best raw query"))
    out.append(_growth_target(tiers))
    small = tiers[0]["nearby"].get("runs", []) if tiers else []
    api, floor = find(small, "API"), find(small, "floor")
    name = "Nearby: API throughput ≥ 0.5 x the `GET /api/me/` floor, smallest size"
    if api and floor and floor["throughput"]:
        share = api["throughput"] / floor["throughput"]
        figures = (
            f"API {api['throughput']:,.1f}/s vs /api/me/ {floor['throughput']:,.1f}/s = "
            f"{share:.2f} at {tiers[0]['meals']:,} meals"
        )
        out.append((name, _verdict(share >= 0.5), figures))
    else:
        out.append((name, "not measured", "needs the API and the floor at the smallest size"))
    return out


SIDE = "side by side: API GET /api/meals/?near "


def _growth_target(tiers: list[dict]) -> tuple[str, str, str]:
    """The API's p95 at the largest size against the smallest: judged on the side-by-side run
    (both sizes served at once, loaded in turns), shown with the one-after-the-other figures
    and how far the `GET /api/me/` floor itself moved between those."""
    name = "Nearby: API p95 at the largest size ≤ 1.2 x its p95 at the smallest"
    apis = [find(t["nearby"].get("runs", []), "API") for t in tiers]
    if len(tiers) < 2 or not all(apis):
        return (name, "not measured", "needs the API at two or more sizes")
    runs = tiers[-1]["nearby"].get("runs", [])
    sequential = apis[-1]["p95_ms"] / apis[0]["p95_ms"]
    floors = [find(t["nearby"].get("runs", []), "floor") for t in (tiers[0], tiers[-1])]
    drift = (
        f"; the floor's p95 moved {floors[1]['p95_ms'] / floors[0]['p95_ms']:.2f}x between them"
        if all(floors)
        else ""
    )
    one_after = (
        f"{apis[-1]['p95_ms']:.1f} ms at {tiers[-1]['meals']:,} meals vs "
        f"{apis[0]['p95_ms']:.1f} ms at {tiers[0]['meals']:,} = {sequential:.2f}x"
    )
    side = {r["label"]: r for r in runs if r["label"].startswith(SIDE)}
    small, large = side.get(f"{SIDE}at the smallest size"), side.get(f"{SIDE}at the largest size")
    equal = next((r for label, r in side.items() if "pages as full" in label), None)
    if not (small and large):
        return (name, "not measured", f"no side-by-side run; one after the other: {one_after}")
    ratio = large["p95_ms"] / small["p95_ms"]
    figures = (
        f"side by side: {large['p95_ms']:.1f} ms at {tiers[-1]['meals']:,} meals vs "
        f"{small['p95_ms']:.1f} ms at {tiers[0]['meals']:,} = {ratio:.2f}x "
        f"(p50 {large['p50_ms'] / small['p50_ms']:.2f}x, "
        f"throughput {small['throughput'] / large['throughput']:.2f}x lower)"
    )
    if equal:
        figures += (
            f"; pages as full as at the smallest: {equal['p95_ms']:.1f} ms = "
            f"{equal['p95_ms'] / small['p95_ms']:.2f}x (p50 "
            f"{equal['p50_ms'] / small['p50_ms']:.2f}x)"
        )
    figures += f"; one after the other: {one_after}{drift}"
    return (name, _verdict(ratio <= 1.2), figures)


def _burst_targets(report: dict, tiers: list[dict]) -> list[tuple[str, str, str]]:
    """Issue 13, target 3: the burst exactly correct, at half the floor's rate or better."""
    burst = report.get("burst", {})
    name = "Sign-ups: burst throughput ≥ 0.5 x the `GET /api/me/` floor, exactly correct"
    tier_floor = find(tiers[-1]["nearby"].get("runs", []), "floor") if tiers else None
    if "correct" not in burst:
        return [(name, "not measured", burst.get("skipped", "not run"))]
    # The floor measured just before the burst when there is one (the tier's own was measured
    # minutes earlier); the one just after and the tier's are shown beside it.
    beside = burst.get("floor_beside")
    floor = beside["before"] if beside else (tier_floor or {}).get("throughput")
    share = burst["throughput"] / floor if floor else None
    where = "just before it" if beside else "with the tier"
    figures = (
        f"{burst['throughput']:,.1f}/s vs /api/me/ "
        + (
            f"{floor:,.1f}/s measured {where} = {share:.2f}"
            if share is not None
            else "not measured"
        )
        + (
            f" (just after it {beside['after']:,.1f}/s; with the tier "
            f"{tier_floor['throughput']:,.1f}/s)"
            if beside and tier_floor
            else ""
        )
        + f"; {burst['statuses']}; seats {burst['seats_taken']}/{burst['capacity']}, "
        f"{burst['confirmed']} confirmed, {burst['waitlisted']} waitlisted, "
        f"correct: {burst['correct']}"
    )
    ok = burst["correct"] and share is not None and share >= 0.5
    return [(name, _verdict(ok), figures)]


def _fanout_targets(fan: dict) -> list[tuple[str, str, str]]:
    """Issue 13, target 2, and the publish request that must start it."""
    out = []
    why_not = fan.get("skipped") or fan.get("publish_error", "")
    name = "Publish: the request itself starts the invitations (as in production)"
    if "started_by_publish" in fan:
        figures = fan.get("fanout_note") or (
            f"{fan.get('rows_queued', 0):,} rows from the task the publish queued "
            f"({', '.join(fan.get('worker_tasks', [])) or 'no task seen'})"
        )
        out.append((name, _verdict(fan["started_by_publish"]), figures))
    else:
        out.append((name, "not measured", why_not))
    name = "Publish with the neighbours answers as fast as with none"
    if "publish_crowded_ms" in fan and "publish_none_ms" in fan:
        limit = fan["publish_none_ms"] * 1.5 + 10
        figures = (
            f"{fan['publish_crowded_ms']:.1f} ms with {fan['neighbours']:,} vs "
            f"{fan['publish_none_ms']:.1f} ms with none (allowed: 1.5x + 10 ms)"
        )
        out.append((name, _verdict(fan["publish_crowded_ms"] <= limit), figures))
    else:
        out.append((name, "not measured", why_not))
    name = "Fan-out: 10,000 invitations written ≤ 2 x one INSERT ... SELECT"
    ratio = fan.get("ratio")
    if ratio and fan.get("ratio_vs_insert_select") is not None:
        # Judged on the medians of rounds in turn (`bench.fanout.RATIO_ROUNDS`); the publish's
        # own run in the worker, one of each, is shown beside them.
        ok = ratio["ratio_of_medians"] <= 2 and fan["rows_queued"] >= fan["expected_invitations"]
        figures = (
            f"{fan['rows_queued']:,} rows, medians of {len(ratio['rounds'])} rounds in turn: "
            f"the task's function {ratio['task_median_s']:.2f} s vs INSERT...SELECT "
            f"{ratio['insert_select_median_s']:.2f} s = {ratio['ratio_of_medians']:.2f}x; "
            f"the run the publish started, in the worker: {fan['task_s']:.2f} s vs one "
            f"INSERT...SELECT {fan['baseline']['insert_select_s']:.2f} s = "
            f"{fan['ratio_vs_insert_select']}x (bulk_create {fan['baseline']['bulk_create_s']:.2f} s; "
            f"publish → last row {fan['queue_all_s']:.2f} s)"
        )
        out.append((name, _verdict(ok), figures))
    else:
        out.append((name, "not measured", why_not))
    return out


def _dispatch_targets(disp: dict) -> list[tuple[str, str, str]]:
    name = "Dispatch: ≥ 2,000 rows/s per worker with the console gateway"
    if "rows_per_s" not in disp:
        return [(name, "not measured", disp.get("skipped", "not run"))]
    figures = f"{disp['rows_per_s']:,.0f} rows/s (gateway alone {disp['gateway_per_s']:,.0f}/s"
    if "invitations" in disp and "batched" in disp:
        figures = (
            f"invitations {disp['invitations']['per_s']:,.0f} rows/s, marked begun "
            f"{disp['invitations']['mark_batch']} at a time; other texts, marked one by one, "
            f"{disp['batched']['per_s']:,.0f} rows/s (gateway alone "
            f"{disp['gateway_per_s']:,.0f}/s"
        )
    if disp.get("commit_bound_per_s"):
        figures += (
            f"; one durable commit per text allows {disp['commit_bound_per_s']:,.0f}/s here, "
            f"and with commits not waiting for the disk it ran at "
            f"{disp.get('no_flush', {}).get('per_s', 0):,.0f}/s"
        )
    figures += ")"
    return [(name, _verdict(disp["rows_per_s"] >= 2000), figures)]


def targets(report: dict) -> list[tuple[str, str, str]]:
    """(target, met / missed / not measured, the figures behind it): issue 13's, each a ratio
    of two figures measured side by side in this run."""
    tiers = [t for t in report.get("tiers", []) if "nearby" in t]
    return [
        *_nearby_targets(tiers),
        *_burst_targets(report, tiers),
        *_fanout_targets(report.get("fanout", {})),
        *_dispatch_targets(report.get("dispatch", {})),
    ]

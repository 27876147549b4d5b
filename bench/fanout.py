"""The fan-out of a publish: 10,000 opted-in neighbours around Lerwick, a real Celery worker
writing the invitations, timed against a bulk_create and one INSERT ... SELECT."""

import datetime as dt
import random
import re
import statistics
import time

import psycopg

from bench.db import copy_lines, filler_columns, libpq_url, reset_sequence
from bench.django_side import access_tokens, endpoint_missing, make_meal
from bench.generate import PEOPLE_COLUMNS
from bench.harness import log, post_json
from bench.places import FAIR_ISLE, LERWICK, SEED, ewkt, jitter
from bench.servers import Worker, broker_queue_length, clear_broker_queue

FANOUT_NEIGHBOURS = 10_000
PUBLISH_WARMUP = 8
PUBLISH_SAMPLES = 5
# The ratio is of two short writes (0.1-0.4 s each) on shared cores: one of each swung it from
# 1.0x to 3.0x between runs of the same code. So it is taken as the ratio of the medians of
# this many rounds, the task's function and the bare INSERT ... SELECT in turn.
RATIO_ROUNDS = 5


def copy_neighbours(ctx, first_id: int, n: int, lat: float, lng: float) -> None:
    """n opted-in people living within about 3 km of the point, each with a 5 km radius."""
    from people.models import User

    rng = random.Random(SEED + 5)
    now = dt.datetime.now(dt.UTC).isoformat()

    def lines():
        for i in range(first_id, first_id + n):
            home = ewkt(*jitter(rng, lat, lng, 0.8), decimals=3)
            yield f"{i}\t!bench\t+4475{i:08d}\tNeighbour {i}\t{home}\tt\t5.0\tf\t{now}"

    with psycopg.connect(libpq_url(ctx.db_url)) as conn:
        copy_lines(conn, User, PEOPLE_COLUMNS, lines())
        reset_sequence(conn, User._meta.db_table)
        conn.commit()
        conn.execute("ANALYZE people_user")
        conn.commit()


def answer_safety(meal, host) -> None:
    from meals.safety import prompts_for
    from meals.services import safety_answers_save

    answers = [{"key": p.key, "answer": "yes", "note": ""} for p in prompts_for(meal)]
    safety_answers_save(meal=meal, by=host, answers=answers)


def bare_inserts(ctx, first_id: int, n: int, *, orm: bool = True) -> dict:
    """Baselines: 10,000 outbox rows by one INSERT ... SELECT, and (`orm`) by Django
    bulk_create."""
    from django.db import transaction
    from django.utils import timezone

    from notifications.models import Message
    from people.models import User

    body = "Blether: Street tea on the green, Sat 12:00, 3 min away. Reply YES to come. Code ABC234"
    out = {}
    with psycopg.connect(libpq_url(ctx.db_url)) as conn:
        given = [
            "recipient_id", "to_phone", "template", "category", "body", "dedupe_key", "status",
            "not_before", "attempts", "created_at",
        ]  # fmt: skip
        # Columns added to the outbox later get their model defaults, as bulk_create would.
        extra_cols, extra_text = filler_columns(Message, [*given, "id"])
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
    if not orm:
        return out
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


def wait_for_rows(ctx, first_id: int, n: int, worker, t0: float, done_before: int):
    """Poll the outbox until `n` neighbours have a row, or the worker has finished one more
    invitations task than `done_before` (the crowded meal's: one worker runs them in turn),
    or `ctx.fanout_limit` seconds. Returns the rows found and when the last of them came."""
    last_count, last_change = 0, time.perf_counter()
    with psycopg.connect(libpq_url(ctx.db_url), autocommit=True) as conn:
        while time.perf_counter() - t0 < ctx.fanout_limit:
            finished = len(invitation_runs(worker.log_path.read_text(errors="replace")))
            count = conn.execute(
                "SELECT count(*) FROM notifications_message WHERE recipient_id >= %s "
                "AND recipient_id < %s",
                [first_id, first_id + n],
            ).fetchone()[0]
            if count != last_count:
                last_count, last_change = count, time.perf_counter()
            if count >= n or finished > done_before:
                break
            time.sleep(0.02)
    return last_count, last_change - t0


def runs_done(worker, at_least: int, wait_s: float = 120) -> list[tuple[str, float, str]]:
    """The invitations tasks the worker finished, once there are `at_least` (or `wait_s`)."""
    deadline = time.perf_counter() + wait_s
    while True:
        runs = invitation_runs(worker.log_path.read_text(errors="replace"))
        if len(runs) >= at_least or time.perf_counter() > deadline:
            return runs
        time.sleep(0.1)


TASK_DONE = re.compile(r"Task (\S+)\[[^\]]+\] succeeded in ([\d.]+)s: (\S+)")


def invitation_runs(worker_log: str) -> list[tuple[str, float, str]]:
    """(task name, seconds, result) of each invitations task the worker finished, from its
    log, whatever module the task lives in."""
    return [
        (name, float(seconds), result)
        for name, seconds, result in TASK_DONE.findall(worker_log)
        if "invitation" in name
    ]


def expected_invitations(meal, *, otherwise: int) -> int:
    """Whom the app's own query would invite; `otherwise` if that query has moved."""
    try:
        from meals.nudges import neighbours_to_invite
    except ImportError:
        return otherwise
    return neighbours_to_invite(meal=meal).count()


def direct_call(meal_id: int, first_id: int, n: int) -> dict:
    """The task's function again, called in-process, for where its own time goes."""
    from notifications.models import Message

    try:
        from meals.nudges import invitations_send
    except ImportError as exc:
        return {"direct_task_note": f"not called: {exc}"}
    Message.objects.filter(recipient_id__gte=first_id, recipient_id__lt=first_id + n).delete()
    t0 = time.perf_counter()
    rows = invitations_send(meal_id=meal_id)
    return {"direct_task_s": round(time.perf_counter() - t0, 3), "direct_task_rows": rows}


def ratio_rounds(ctx, meal_id: int, first_id: int, n: int) -> dict:
    """The task's function and the bare INSERT ... SELECT in turn, `RATIO_ROUNDS` times each
    (each round writes its rows afresh); the ratio of their medians."""
    rounds = []
    for _ in range(RATIO_ROUNDS):
        sql_s = bare_inserts(ctx, first_id, n, orm=False)["insert_select_s"]
        rounds.append((direct_call(meal_id, first_id, n)["direct_task_s"], sql_s))
    task = statistics.median(t for t, _ in rounds)
    sql = statistics.median(b for _, b in rounds)
    return {
        "rounds": rounds,
        "task_median_s": round(task, 3),
        "insert_select_median_s": round(sql, 3),
        "ratio_of_medians": round(task / sql, 2),
    }


def measure_fanout(ctx) -> dict:
    """Publish with 10,000 opted-in neighbours vs with none; time until every invitation is
    an outbox row (a real Celery worker runs the fan-out task); bare inserts as baselines."""
    missing = endpoint_missing("publish")
    if missing:
        return {"skipped": missing}
    from people.models import User

    n = ctx.fanout
    first_id = ctx.people + 10_001
    copy_neighbours(ctx, first_id, n, *LERWICK)
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
                lat=FAIR_ISLE[0],
                lng=FAIR_ISLE[1],
                capacity=20,
                status="draft",
                title=f"Street tea {i}, Fair Isle",
            )
            for i in range(PUBLISH_WARMUP + PUBLISH_SAMPLES)
        ]
        crowded = make_meal(
            host_id=host.pk,
            lat=LERWICK[0],
            lng=LERWICK[1],
            capacity=20,
            status="draft",
            title="Street tea, Lerwick",
        )
        out["expected_invitations"] = expected_invitations(crowded, otherwise=n)
        out["expected_invitations_lonely"] = expected_invitations(lonely[0], otherwise=0)
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
        # The lonely meals' tasks first, so that the next one the worker finishes is the crowd's.
        done_before = len(runs_done(worker, len(lonely)))
        t0 = time.perf_counter()
        status, payload = post_json(ctx.server.port, f"/api/meals/{crowded.pk}/publish/", token)
        out["publish_crowded_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        out["publish_crowded_status"] = status
        if status != 200:
            out["publish_error"] = f"{status}: {payload[:300].decode(errors='replace')}"
            return out
        # The publish request queues the invitations itself (after its commit), as in
        # production; the task writes every row in one transaction, so none shows until it ends.
        expected = out["expected_invitations"]
        queued, seconds = wait_for_rows(ctx, first_id, expected, worker, t0, done_before)
        out["rows_queued"] = queued
        out["queue_all_s"] = round(seconds, 3)
        runs = runs_done(worker, done_before + 1, wait_s=30 if queued else 0)
        out["worker_tasks"] = sorted({name for name, _s, _r in runs})
        crowded_run = runs[done_before] if len(runs) > done_before else None
        out["started_by_publish"] = queued > 0 and crowded_run is not None
        if not out["started_by_publish"]:
            out["fanout_note"] = (
                f"no invitation rows within {ctx.fanout_limit:.0f} s of the publish, and the "
                f"worker finished no invitations task (log: {worker.log_path})"
            )
            log(out["fanout_note"])
            return out
        # The task's own time in the worker: the writing the target is about.
        out["task_s"] = crowded_run[1]
        out["task_result"] = crowded_run[2]
        base = out["baseline"]["bulk_create_s"]
        out["ratio_vs_bulk_create"] = round(out["task_s"] / base, 2) if base else None
        sql_base = out["baseline"]["insert_select_s"]
        out["ratio_vs_insert_select"] = round(out["task_s"] / sql_base, 2) if sql_base else None
        out.update(direct_call(crowded.pk, first_id, n))
        out["ratio"] = ratio_rounds(ctx, crowded.pk, first_id, n)
        log(
            f"fan-out: publish {out['publish_none_ms']} ms (none) vs {out['publish_crowded_ms']} "
            f"ms ({n:,}); {queued} rows queued in {seconds:.2f} s after the publish (the task "
            f"{out['task_s']:.2f} s in the worker), {out.get('direct_task_s')} s called "
            f"directly; bulk_create {base} s, INSERT..SELECT {sql_base} s; in turn, medians "
            f"of {RATIO_ROUNDS}: the task's function {out['ratio']['task_median_s']} s vs "
            f"INSERT..SELECT {out['ratio']['insert_select_median_s']} s = "
            f"{out['ratio']['ratio_of_medians']}x"
        )
    finally:
        # Let the worker drain the send tasks before it stops, within a bound.
        deadline = time.time() + 5
        while time.time() < deadline and broker_queue_length(ctx.redis_url) > 0:
            time.sleep(0.2)
        worker.stop()
        clear_broker_queue(ctx.redis_url)
    return out

"""Outbox dispatch: due rows sent by one worker's own functions (no broker) with the console
gateway, per row and batched, against the gateway's send() alone."""

import contextlib
import datetime as dt
import time

from bench.harness import log


def queue_dispatch_rows(ids: list[int], tag: str, category: str = "transactional") -> list[int]:
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
                category=category,
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


def commit_ms(db_url: str, rounds: int = 200) -> float:
    """What one committed single-row INSERT takes here, in ms (as in the run's header)."""
    import psycopg

    from bench.db import libpq_url

    with psycopg.connect(libpq_url(db_url)) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id serial, at timestamptz)")
        conn.commit()
        t0 = time.perf_counter()
        for _ in range(rounds):
            conn.execute("INSERT INTO bench_commit_probe (at) VALUES (now())")
            conn.commit()
        took = time.perf_counter() - t0
        conn.execute("DROP TABLE bench_commit_probe")
        conn.commit()
    return round(took / rounds * 1000, 2)


def dispatch_all(dispatch, n: int, limit: float) -> dict:
    """`dispatch_due` called until `n` rows are sent (or `limit` seconds)."""
    from notifications.models import Message

    sent, t0 = 0, time.perf_counter()
    while sent < n and time.perf_counter() - t0 < limit:
        counts = dispatch.dispatch_due(limit=200)
        if not counts:
            break
        sent += counts.get(Message.Status.SENT, 0)
    took = time.perf_counter() - t0
    size = getattr(dispatch, "CLAIM_SIZE", 20)
    return {
        "sent": sent,
        "seconds": round(took, 3),
        "per_s": round(sent / took, 1),
        "call": f"dispatch_due(limit=200) (claims {size} at a time)",
    }


@contextlib.contextmanager
def no_flush():
    """This process's commits stop waiting for the WAL flush (synchronous_commit=off)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def measure_dispatch(ctx) -> dict:
    """Outbox rows sent per second by one worker's code (in-process, no broker), per row
    (`dispatch_message`, the send_message task) and batched (`dispatch_due`, when present),
    with the console gateway, against the gateway's send() alone."""
    import io

    from django.conf import settings

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
            out["batched"] = dispatch_all(dispatch, n, limit)
            # Invitations (category nudge), the texts a publish sends by the thousand, are
            # marked begun in groups of SMS_NUDGE_MARK_BATCH; every other text alone.
            queue_dispatch_rows(ids, "invitations", category="nudge")
            out["invitations"] = dispatch_all(dispatch, n, limit)
            out["invitations"]["mark_batch"] = getattr(settings, "SMS_NUDGE_MARK_BATCH", 1)
            # The same again with commits that do not wait for the disk: the dispatcher's own
            # work, and what one durable commit per text costs here. Not for production: a
            # `sending` mark must be on disk before its provider call.
            queue_dispatch_rows(ids, "no-flush")
            with no_flush():
                out["no_flush"] = dispatch_all(dispatch, n, limit)
        callback = dispatch.status_callback_url()
        t0 = time.perf_counter()
        for pk in ids:
            gateway.send(to=f"+4474{pk:08d}", body="Blether: bench", status_callback=callback)
        send_s = time.perf_counter() - t0
    if hasattr(gateway, "clear"):
        gateway.clear()
    for tag, key in (
        ("per-row", "per_row"),
        ("batched", "batched"),
        ("invitations", "invitations"),
        ("no-flush", "no_flush"),
    ):
        if key in out:
            out[key]["sent_in_db"] = Message.objects.filter(
                dedupe_key__startswith=f"bench-{tag}:", status=Message.Status.SENT
            ).count()
    out["sent_in_db"] = sum(
        out[k]["sent_in_db"] for k in ("per_row", "batched", "invitations") if k in out
    )
    # One durable commit per text (issue 16: only the row in flight may end `unknown`) bounds a
    # worker at one text per commit: measured now, beside the runs above.
    out["commit_ms"] = commit_ms(ctx.db_url)
    out["commit_bound_per_s"] = round(1000 / out["commit_ms"], 1)
    out["gateway_per_s"] = round(n / send_s, 1) if send_s else 0
    # The target's figure: the bulk path, invitations claimed and marked in batches.
    best = max(
        out["per_row"]["per_s"],
        out.get("batched", {}).get("per_s", 0),
        out.get("invitations", {}).get("per_s", 0),
    )
    out["rows_per_s"] = best
    out["ratio"] = round(out["gateway_per_s"] / best, 1) if best else 0
    log(
        f"dispatch: {out['per_row']['per_s']} rows/s per row, "
        f"{out.get('batched', {}).get('per_s', '-')} rows/s batched, "
        f"{out.get('invitations', {}).get('per_s', '-')} rows/s invitations "
        f"({out.get('no_flush', {}).get('per_s', '-')} with commits not waiting for the disk), vs "
        f"{out['gateway_per_s']} sends/s for the {gateway.name} gateway alone"
    )
    return out

"""Outbox rows sent per second by one worker's code, with the console gateway.

    DATABASE_URL=... DEBUG=1 .venv/bin/python bench/dispatch_rate.py [--rows 5000] [--runs 3]

Needs a migrated database it may write to (it adds people `+4479900xxxxx` and
`bench-rate:` rows, and removes the rows afterwards). Prints, for `dispatch_due(limit=200)`
(the batch task) on texts marked begun one by one and on invitations (marked in groups of
SMS_NUDGE_MARK_BATCH), and for `dispatch_message` (one task per row): rows/s, and the SQL
statements and commits per row, which do not depend on how busy the machine is.
"""

import argparse
import contextlib
import datetime as dt
import io
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
os.environ.setdefault("SMS_BACKEND", "console")

import django
import psycopg

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from notifications import dispatch  # noqa: E402
from notifications.gateways import get_gateway  # noqa: E402
from notifications.models import Message  # noqa: E402
from people.models import User  # noqa: E402

PREFIX = "+4479900"


class Counted:
    """Statements this process sends and commits in this database while it is open.

    Statements are counted at psycopg's cursor, under Django's: the dispatcher sends its
    per-text statement on the psycopg connection itself (notifications.durability)."""

    def __init__(self) -> None:
        self.statements = 0

    def _counting(self, execute):
        def counted(cursor, *args, **kwargs):
            self.statements += 1
            return execute(cursor, *args, **kwargs)

        return counted

    @staticmethod
    def commits() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    def __enter__(self) -> "Counted":
        self.before = self.commits()
        self._execute = psycopg.Cursor.execute
        psycopg.Cursor.execute = self._counting(self._execute)
        return self

    def __exit__(self, *exc) -> None:
        psycopg.Cursor.execute = self._execute
        # The two statements of commits() are one commit each.
        self.committed = self.commits() - self.before - 2


def people(n: int) -> list[int]:
    User.objects.bulk_create(
        [
            User(phone=f"{PREFIX}{i:05d}", quiet_start=dt.time(0), quiet_end=dt.time(0))
            for i in range(n)
        ],
        ignore_conflicts=True,
    )
    return list(
        User.objects.filter(phone__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)
    )[:n]


def queue(ids: list[int], tag: str, category: str = "transactional") -> list[int]:
    now = timezone.now()
    Message.objects.bulk_create(
        [
            Message(
                recipient_id=pk,
                to_phone=f"{PREFIX}{n:05d}",
                template="bench_dispatch",
                category=category,
                body="Blether: a place came free at Street tea on Dockhead Street (Sat 12:00).",
                dedupe_key=f"bench-rate:{tag}:{pk}",
                not_before=now,
                created_at=now,
            )
            for n, pk in enumerate(ids)
        ],
        batch_size=1000,
    )
    return list(
        Message.objects.filter(dedupe_key__startswith=f"bench-rate:{tag}:").values_list(
            "pk", flat=True
        )
    )


def batched(ids: list[int], tag: str, category: str = "transactional") -> tuple[float, Counted]:
    queue(ids, tag, category)
    sent = 0
    with Counted() as counted:
        t0 = time.perf_counter()
        while counts := dispatch.dispatch_due(limit=200):
            sent += counts.get("sent", 0)
        took = time.perf_counter() - t0
    assert sent == len(ids), (sent, len(ids))
    return sent / took, counted


def per_row(ids: list[int], tag: str) -> tuple[float, Counted]:
    message_ids = queue(ids, tag)
    with Counted() as counted:
        t0 = time.perf_counter()
        sent = sum(dispatch.dispatch_message(mid) == "sent" for mid in message_ids)
        took = time.perf_counter() - t0
    assert sent == len(ids), (sent, len(ids))
    return sent / took, counted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    Message.objects.filter(dedupe_key__startswith="bench-rate:").delete()
    # Anything else due would be sent too: this database must hold only bench rows.
    assert not Message.objects.filter(status="queued").exists(), "other rows are queued here"
    ids = people(args.rows)
    results: dict[str, list[float]] = {
        "dispatch_due": [],
        "dispatch_due, invitations": [],
        "dispatch_message": [],
    }
    per: dict[str, tuple[float, float]] = {}
    try:
        for run in range(args.runs):
            for name, measure, rows in (
                ("dispatch_due", batched, ids),
                ("dispatch_due, invitations", partial(batched, category="nudge"), ids),
                ("dispatch_message", per_row, ids[: max(args.rows // 5, 1)]),
            ):
                with contextlib.redirect_stdout(io.StringIO()):
                    rate, counted = measure(rows, f"{name.replace(', ', '-')}-{run}")
                results[name].append(rate)
                per[name] = (counted.statements / len(rows), counted.committed / len(rows))
            get_gateway().clear()
    finally:
        Message.objects.filter(dedupe_key__startswith="bench-rate:").delete()
    for name, values in results.items():
        statements, commits = per[name]
        print(
            f"{name}: median {statistics.median(values):.0f} rows/s "
            f"(runs: {', '.join(f'{v:.0f}' for v in values)}); "
            f"{statements:.2f} statements and {commits:.2f} commits per row"
        )


if __name__ == "__main__":
    main()

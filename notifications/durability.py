"""Which commits of the dispatcher wait for the disk, and how a crash of PostgreSQL is noticed.

A worker marks each text begun, committed, just before its provider call. Waiting for that
commit to reach the disk (an fsync) for every text would bound a worker at one text per
fsync, so the per-text statements commit without waiting (`synchronous_commit = off`):
they are visible to every other session at once and survive the worker's death, which is
what at-most-once needs from them. Only a crash of PostgreSQL itself can lose the last
fraction of a second of them, and then it also empties the *epoch* table, which is UNLOGGED
(PostgreSQL empties such tables in crash recovery, and keeps them across a clean restart).

Each claim, a commit that does wait for the disk, stamps its rows with the epoch current at
the time. A claimed row whose epoch is no longer current was claimed before a crash that may
have lost its mark: it becomes `unknown` (it may have been sent), never queued again.
"""

import contextlib
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import psycopg
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from notifications.models import Message

EPOCH_TABLE = "notifications_outbox_epoch"

# The table's name is written out: these are constants, never built from input.
_MADE = (
    "WITH made AS (INSERT INTO notifications_outbox_epoch (id, epoch) "
    "VALUES (1, gen_random_uuid()) ON CONFLICT (id) DO NOTHING RETURNING epoch) "
)
_EPOCH = (
    "(SELECT epoch FROM made UNION ALL "
    "SELECT epoch FROM notifications_outbox_epoch WHERE id = 1 LIMIT 1)"
)
_READ = "SELECT epoch FROM notifications_outbox_epoch WHERE id = 1"


def _connection() -> BaseDatabaseWrapper:
    return connections[router.db_for_write(Message)]


def current_epoch(*, also_set: Mapping[str, str] | None = None) -> uuid.UUID:
    """This life of the database: a new one after every crash (made when first asked).

    `also_set` sets settings for the rest of the transaction in the same round trip
    (a claim: its commit waits for the disk, `synchronous_commit` on)."""
    settings = list((also_set or {}).items())
    sql = _MADE + "SELECT " + ", ".join([_EPOCH, *["set_config(%s, %s, true)"] * len(settings)])
    with _connection().cursor() as cursor:
        cursor.execute(sql, [value for pair in settings for value in pair])
        epoch = cursor.fetchone()[0]
        if epoch is None:  # another session made it meanwhile: this statement could not see it
            cursor.execute(_READ)
            epoch = cursor.fetchone()[0]
    made: uuid.UUID = epoch
    return made


def run_prepared(
    sql: str,
    params: Mapping[str, Any] | Sequence[Any],
    *,
    connection: BaseDatabaseWrapper | None = None,
) -> list[tuple[Any, ...]]:
    """Run a hot statement as a server-side prepared statement (the dispatcher's per-text mark;
    the nearby list, on the database it reads).

    Straight on the psycopg connection under Django's (in its transaction, if one is open):
    parsed, and planned until PostgreSQL settles on a generic plan, once per connection; its
    parameters sent apart from the text, none of the per-statement work of Django's cursor.
    Errors come out as Django's database errors. While Django logs queries (DEBUG, tests'
    CaptureQueriesContext) it is logged as Django's debug cursor would, values inlined.
    """
    connection = connection or _connection()
    connection.ensure_connection()
    started = time.monotonic()
    # Django's cursors bind parameters on the client (psycopg's ClientCursor), which cannot
    # prepare: this one binds them on the server.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    if connection.queries_logged:
        with psycopg.ClientCursor(connection.connection) as client:
            shown = client.mogrify(sql, params)
        connection.queries_log.append({"sql": shown, "time": f"{time.monotonic() - started:.3f}"})
    return rows


@contextlib.contextmanager
def marks_not_waiting_for_disk() -> Iterator[None]:
    """While a worker sends a batch, its per-text commits do not wait for the disk."""
    connection = _connection()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        # A connection lost meanwhile is closed: the next one starts with the default.
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")

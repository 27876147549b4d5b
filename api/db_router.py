"""Searches may read from a streaming replica; everything else reads and writes the primary.

Switched on by `DATABASE_REPLICA_URL` (api/settings.py then adds the `replica` alias and this
router); without it there is one database and this module is never consulted.

A replica replays the primary's log a moment behind it, so only reads that may be that moment
stale go there: those made inside `replica_reads()`, which wraps the public searches (the
nearby meals list, the venue search). Even there a read inside a transaction stays on the
primary. The token's user, sign-in, sessions, every read after a write in the same request,
Celery tasks and the admin all read the primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads():
    """Reads inside this block (or the function it decorates) may go to the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads inside `replica_reads()` and outside any transaction go to the replica."""

    def db_for_read(self, model, **hints) -> str:
        if _replica_reads.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the primary's very rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS

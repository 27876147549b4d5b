"""Web sessions, kept in the database as Django's own `db` engine keeps them, read with one
plain statement: every signed-in page reads its session, and compiling the ORM's query for it
cost more than PostgreSQL's answer."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connections, router
from django.utils import timezone

# The session's row, if it has not expired; as `db.SessionStore._get_session_from_db` asks.
LIVE_SESSION = (
    "SELECT session_data, expire_date FROM {table} WHERE session_key = %s AND expire_date > %s"
)
# The keys Django makes: 32 of lower-case letters and digits (`base.VALID_KEY_CHARS`).
KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        """A cookie that is not a key Django could have made is no session, rather than a
        look-up (a NUL in it would fail in PostgreSQL, as a 500)."""
        return key is not None and 8 <= len(key) <= 40 and set(key) <= KEY_CHARS

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        model = self.model
        if self.session_key is None:
            return None
        connection = connections[router.db_for_read(model)]
        live = LIVE_SESSION.format(table=connection.ops.quote_name(model._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(live, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        data, expires = row
        return model(session_key=self.session_key, session_data=data, expire_date=expires)

"""web.sessions: the database's sessions, read with one statement, as Django's `db` engine
reads them (expired and unknown keys give an empty session)."""

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from web.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved(**values) -> str:
    store = SessionStore()
    store.update(values)
    store.save()
    return store.session_key


def test_a_live_session_is_read_with_one_statement():
    key = saved(_auth_user_id="7", step="when")

    store = SessionStore(key)
    with CaptureQueriesContext(connection) as queries:
        assert store["_auth_user_id"] == "7"
        assert store["step"] == "when"

    assert len(queries) == 1
    assert store.session_key == key
    # What Django's own engine reads from the same row.
    assert DjangoStore(key).load() == {"_auth_user_id": "7", "step": "when"}


def test_an_expired_session_is_empty_and_its_key_dropped():
    key = saved(_auth_user_id="7")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    store = SessionStore(key)

    assert store.load() == {}
    assert store.session_key is None


def test_an_unknown_or_missing_key_is_an_empty_session():
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore(None).load() == {}


def test_a_session_saved_after_reading_keeps_its_key_and_values():
    key = saved(step="when")

    store = SessionStore(key)
    store["step"] = "place"
    store.save()

    assert SessionStore(key).load() == {"step": "place"}
    assert Session.objects.filter(session_key=key).count() == 1


@pytest.mark.parametrize(
    "cookie", ["abc\x00defghijklmnop", "'; DROP TABLE django_session; --", "A" * 32, "x" * 5000]
)
def test_a_forged_session_cookie_is_no_session_and_no_error(client, cookie):
    """Not a key Django could have made: signed out, and not looked up (a NUL in the key
    would fail in PostgreSQL, a 500 with Django's own engine)."""
    client.cookies["sessionid"] = cookie

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"
    assert not [q for q in queries if "django_session" in q["sql"]]
    assert SessionStore(cookie).session_key is None

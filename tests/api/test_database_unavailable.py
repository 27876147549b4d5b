"""A lost database connection answers 503 + Retry-After in JSON, logged in one line.

The connections here are really killed (pg_terminate_backend) or really refused; the whole
restart under load is tests/faults/test_db_restart.py.
"""

import logging
import socket

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from api.middleware import DATABASE_UNAVAILABLE_DETAIL, database_unavailable
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def kill_django_connection() -> None:
    """Terminate this thread's database session from another one, as a restart would."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    admin = connection.get_new_connection(connection.get_connection_params())
    try:
        admin.autocommit = True
        # The second argument waits (ms) until the session has really ended.
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone() == (True,)
    finally:
        admin.close()


@pytest.fixture
def lost_connection():
    yield kill_django_connection
    connection.close()  # the next test connects afresh


def problems(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_api_request_whose_connection_is_gone_gets_503_and_one_log_line(
    resident_client, lost_connection, caplog
):
    lost_connection()

    with caplog.at_level(logging.INFO):
        response = resident_client.get("/api/me/?near=55.63361,-4.78421")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": DATABASE_UNAVAILABLE_DETAIL}
    [line] = problems(caplog)
    assert (line.name, line.levelname, line.exc_info) == ("api.middleware", "WARNING", None)
    assert line.getMessage().startswith("database unavailable, answered 503: GET /api/me/ (")
    assert "55.63" not in line.getMessage()


def test_a_page_outside_drf_whose_connection_is_gone_gets_503_too(client, lost_connection, caplog):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    lost_connection()

    with caplog.at_level(logging.INFO):
        response = client.get("/admin/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": DATABASE_UNAVAILABLE_DETAIL}
    [line] = problems(caplog)
    assert (line.name, line.exc_info) == ("api.middleware", None)
    assert line.getMessage().startswith("database unavailable, answered 503: GET /admin/ (")


def test_the_request_after_a_lost_connection_reconnects(resident_client, lost_connection):
    lost_connection()
    assert resident_client.get("/api/me/").status_code == 503

    # What the server does between requests (request_finished): drop the broken connection.
    connection.close_if_unusable_or_obsolete()

    assert resident_client.get("/api/me/").status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_refused_connection_counts_as_unavailable():
    refused = type(connections["default"])(
        {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(_free_port())}, "refused"
    )

    with pytest.raises(OperationalError) as caught:
        refused.ensure_connection()

    assert database_unavailable(caught.value) is True


def test_errors_of_a_working_connection_are_not_unavailability():
    UserFactory(phone="+447700900555")
    with pytest.raises(IntegrityError) as duplicate, transaction.atomic():
        User.objects.create(phone="+447700900555")
    with (
        pytest.raises(OperationalError) as timeout,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = 10")
        cursor.execute("SELECT pg_sleep(1)")

    assert database_unavailable(duplicate.value) is False
    assert (timeout.value.__cause__.sqlstate, database_unavailable(timeout.value)) == (
        "57014",
        False,
    )

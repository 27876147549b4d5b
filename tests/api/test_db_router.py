"""The read replica: DATABASE_REPLICA_URL adds a `replica` alias and api.db_router, which sends
the searches' reads there and everything else to the primary.

The settings are read in a fresh interpreter (they are fixed once Django starts). The routing is
checked over two real connections to the same test database: `default`, and a `replica`
connection added for the test, with the router switched on; CaptureQueriesContext on each
says which one every query went to.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext

from api.db_router import REPLICA, replica_reads
from meals.models import Meal, Signup
from tests.conftest import client_for
from tests.factories import MealFactory, UserFactory, VenueFactory

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_PROBE = """
import json
import django
from django.conf import settings

django.setup()
keys = ("ENGINE", "NAME", "USER", "HOST", "PORT", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "TEST")
print(json.dumps({
    "databases": {a: {k: d.get(k) for k in keys} for a, d in settings.DATABASES.items()},
    "routers": settings.DATABASE_ROUTERS,
}))
"""


def settings_in_fresh_process(**env) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    environ |= {"DJANGO_SETTINGS_MODULE": "api.settings", **env}
    done = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_a_replica_url_there_is_one_database_and_no_router():
    found = settings_in_fresh_process()
    assert list(found["databases"]) == ["default"]
    assert found["routers"] == []


def test_a_replica_url_adds_the_replica_alias_and_the_router():
    found = settings_in_fresh_process(
        DATABASE_REPLICA_URL="postgis://reader:secret@replica.example:5433/blether"
    )
    primary, replica = found["databases"]["default"], found["databases"]["replica"]
    test_settings = replica.pop("TEST")
    assert list(found["databases"]) == ["default", "replica"]
    assert found["routers"] == ["api.db_router.ReplicaRouter"]
    assert replica == {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": "blether",
        "USER": "reader",
        "HOST": "replica.example",
        "PORT": 5433,
        # Connection handling as the primary's, whatever it is set to.
        "CONN_MAX_AGE": primary["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": primary["CONN_HEALTH_CHECKS"],
    }
    # The test runner uses the primary's test database for it instead of creating one.
    assert test_settings["MIRROR"] == "default"
    assert primary["TEST"]["MIRROR"] is None


# What DATABASE_REPLICA_URL gives, on the same server: a second alias whose test database is the
# primary's (TEST MIRROR). Added at import, before pytest-django sets the databases up.
connections.settings.setdefault(
    REPLICA,
    {
        **connections.settings[DEFAULT_DB_ALIAS],
        "TEST": {**connections.settings[DEFAULT_DB_ALIAS]["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
    },
)
on_both_databases = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture
def replica(settings):
    """The replica's connection, with the router switched on."""
    settings.DATABASE_ROUTERS = ["api.db_router.ReplicaRouter"]
    return connections[REPLICA]


def _sql(captured) -> list[str]:
    # GeoDjango looks a SRID up once per connection alias and process: not the view's work.
    return [q["sql"] for q in captured if '"spatial_ref_sys"' not in q["sql"]]


def _get_on_both(client, path):
    primary = connections[DEFAULT_DB_ALIAS]
    with (
        CaptureQueriesContext(primary) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        response = client.get(path)
    return response, _sql(on_primary), _sql(on_replica)


SEARCHES = ["/api/meals/?near=55.6336,-4.7842&radius_km=5", "/api/venues/?near=55.6336,-4.7842"]


@on_both_databases
@pytest.mark.parametrize("path", SEARCHES)
def test_a_search_reads_the_replica_and_only_the_token_user_comes_from_the_primary(
    replica, settings, path
):
    meal = MealFactory()
    venue = VenueFactory()
    client = client_for(UserFactory())
    # The same search with the router off: every query on the primary, the user lookup first.
    settings.DATABASE_ROUTERS = []
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as alone:
        expected = client.get(path)
    settings.DATABASE_ROUTERS = ["api.db_router.ReplicaRouter"]
    response, on_primary, on_replica = _get_on_both(client, path)

    assert response.status_code == 200
    assert response.json() == expected.json()
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([meal.pk] if "meals" in path else [venue.pk])
    assert len(on_primary) == 1
    assert '"people_user"' in on_primary[0]
    assert len(on_replica) == len(_sql(alone)) - 1
    assert all(sql.startswith("SELECT") for sql in on_replica)


@on_both_databases
def test_a_sign_up_and_everything_it_reads_stay_on_the_primary(replica):
    meal = MealFactory(capacity=4)
    person = UserFactory()
    primary = connections[DEFAULT_DB_ALIAS]
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        response = client_for(person).post(
            f"/api/meals/{meal.pk}/signups/", {"party_size": 2}, format="json"
        )

    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    assert on_replica.captured_queries == []
    assert any(q["sql"].startswith('INSERT INTO "meals_signup"') for q in on_primary)
    assert Signup.objects.get(meal=meal, person=person).party_size == 2
    assert Meal.objects.get(pk=meal.pk).seats_taken == 2


@on_both_databases
def test_in_replica_scope_a_read_inside_a_transaction_stays_on_the_primary(replica):
    meal = MealFactory()
    primary = connections[DEFAULT_DB_ALIAS]

    assert router.db_for_read(Meal) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_read(Meal) == REPLICA
        assert router.db_for_write(Meal) == DEFAULT_DB_ALIAS
        with (
            CaptureQueriesContext(primary) as on_primary,
            CaptureQueriesContext(replica) as on_replica,
        ):
            assert Meal.objects.filter(pk=meal.pk).exists()
            with transaction.atomic():
                assert router.db_for_read(Meal) == DEFAULT_DB_ALIAS
                Meal.objects.filter(pk=meal.pk).update(capacity=30)
                assert Meal.objects.get(pk=meal.pk).capacity == 30
    assert router.db_for_read(Meal) == DEFAULT_DB_ALIAS

    assert len(on_replica.captured_queries) == 1
    assert on_replica.captured_queries[0]["sql"].startswith("SELECT")
    assert [q["sql"].split()[0] for q in on_primary.captured_queries] == [
        "BEGIN",
        "UPDATE",
        "SELECT",
        "COMMIT",
    ]


def test_migrations_run_on_the_primary_only():
    from api.db_router import ReplicaRouter

    assert ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "meals") is True
    assert ReplicaRouter().allow_migrate(REPLICA, "meals") is False

"""PostgreSQL restarts while 40 people keep signing up: only 201 or 503, nothing half-written.

Everything is real and private to the test: a PostgreSQL cluster (tests/faults/pg_server.py),
a redis-server, and gunicorn serving api.wsgi with the project's gunicorn.conf.py, as
`make run` and the image do. 40 clients, one person each, sign up for one meal after another
(10 seats, 40 people: most end up waitlisted); a 503 is retried after a short pause, as its
Retry-After asks. Meanwhile the database is stopped for 2 s and started again.
"""

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from tests.faults.conftest import ON_TEST_CLOCK
from tests.faults.pg_server import PostgresServer, free_port

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 40
MEALS = 200
CAPACITY = 10
DOWN_FOR = 2.0

SEED = """
import datetime as dt, json, random, sys
from tests.clock import follow_session_clock
follow_session_clock()  # the meals' times and the tokens on the run's clock, as the server's
import django
django.setup()
from django.contrib.gis.geos import Point
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken
from meals.models import Meal
from people.models import User

people_n, meals_n, capacity = map(int, sys.argv[1:4])
host = User.objects.create(phone="+447700900999", display_name="Agnes Boyd", has_app=True)
people = [
    User.objects.create(phone=f"+4477009{n:05d}", display_name=f"Guest {n}", has_app=True)
    for n in range(1, people_n + 1)
]
starts = (timezone.now() + dt.timedelta(days=3)).replace(hour=12, minute=0, second=0)
meals = [
    Meal.objects.create(
        code=f"R{n:03d}X", kind="street_tea", title=f"Tea {n}", host=host,
        starts_at=starts, ends_at=starts + dt.timedelta(hours=2), setting="street",
        location=Point(-4.7842, 55.6336, srid=4326), capacity=capacity,
        status="published", published_at=timezone.now(),
    )
    for n in range(meals_n)
]
rng = random.Random(16)
print(json.dumps({
    "meals": [m.pk for m in meals],
    "people": [
        {"id": p.pk, "token": str(AccessToken.for_user(p)), "party": rng.choice((1, 1, 2))}
        for p in people
    ],
}))
"""


def wait_until(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def postgres():
    pg = PostgresServer().start()
    yield pg
    pg.destroy()


@pytest.fixture
def redis_url():
    port = free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def server_env(postgres, redis_url):
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "api.settings",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": "faults-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SMS_BACKEND": "console",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def world(server_env):
    """The schema and 40 people with tokens, 200 meals of 10 seats."""
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env,
        check=True,
        timeout=600,
    )
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, str(PEOPLE), str(MEALS), str(CAPACITY)],
        cwd=ROOT,
        env=server_env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )
    return json.loads(seeded.stdout.strip().splitlines()[-1])


@pytest.fixture
def gunicorn(server_env, world, tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", ON_TEST_CLOCK, "gunicorn"),
                "api.wsgi:application",
                "--config",
                "gunicorn.conf.py",
            ],
            cwd=ROOT,
            env={**server_env, "BIND": f"127.0.0.1:{port}", "GUNICORN_LOG_LEVEL": "warning"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def healthy() -> bool:
        try:
            return request("GET", port, "/healthz")[0] == 200
        except OSError:
            return False

    try:
        wait_until(healthy, timeout=90, what="gunicorn")
        yield port, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def request(method: str, port: int, path: str, token: str = "", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(
            method, path, body=json.dumps(body) if body is not None else None, headers=headers
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_a_database_restart_under_40_concurrent_signups_gives_only_201_or_503(
    postgres, world, gunicorn
):
    port, log = gunicorn
    answers: list[tuple] = []  # (person, meal, status, headers, body)
    broken: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    done_one = threading.Barrier(PEOPLE + 1)

    def client(person: dict) -> None:
        first = True
        for meal in world["meals"]:
            if stop.is_set():
                break
            for _attempt in range(200):
                try:
                    status, headers, body = request(
                        "POST",
                        port,
                        f"/api/meals/{meal}/signups/",
                        person["token"],
                        {"party_size": person["party"]},
                    )
                except OSError as exc:  # a reset or refusal from gunicorn itself
                    with lock:
                        broken.append(type(exc).__name__)
                    return
                with lock:
                    answers.append((person["id"], meal, status, headers, body))
                if status != 503:
                    break
                time.sleep(0.2)  # Retry-After says 5 s; the test keeps it short
            if first:
                first = False
                done_one.wait(timeout=120)

    threads = [threading.Thread(target=client, args=(p,), daemon=True) for p in world["people"]]
    for t in threads:
        t.start()
    done_one.wait(timeout=120)  # everyone is signed up once: the load is flowing
    time.sleep(0.5)
    outage = postgres.restart(down_for=DOWN_FOR)
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    statuses = Counter(a[2] for a in answers)
    unavailable = [a for a in answers if a[2] == 503]
    print(f"outage {outage:.1f} s, answers {dict(statuses)}")  # shown with -s
    assert broken == []
    assert {201, 503} <= set(statuses) <= {201, 409, 503}
    assert len(unavailable) >= 1  # the restart was felt
    assert {a[3].get("Retry-After") for a in unavailable} == {"5"}
    assert {json.loads(a[4])["detail"] for a in unavailable} == {
        "Blether is briefly unavailable. Please try again in a few seconds."
    }
    # Every 503 was retried until it got its answer: each (person, meal) tried ends in one 201,
    # or in a 409 when the restart cut the connection after the sign-up's commit and before
    # its answer (the 503 before it); nothing else follows a 503.
    tried = {(a[0], a[1]) for a in answers}
    for pair in tried:
        said = [a[2] for a in answers if (a[0], a[1]) == pair]
        assert set(said[:-1]) <= {503} and said[-1] in (201, 409), (pair, said)
        assert said[-1] == 201 or said[0] == 503, (pair, said)

    with psycopg.connect(postgres.conninfo) as db:
        rows = db.execute("SELECT person_id, meal_id FROM meals_signup").fetchall()
        seats = db.execute(
            """SELECT m.id, m.seats_taken, m.capacity,
                      COALESCE(SUM(s.party_size) FILTER (WHERE s.status = 'confirmed'), 0)
               FROM meals_meal m LEFT JOIN meals_signup s ON s.meal_id = m.id
               GROUP BY m.id"""
        ).fetchall()
    # Each sign-up tried is written exactly once: a 503 wrote nothing, or (its answer lost to
    # the restart) the very row its retry then found.
    assert Counter(map(tuple, rows)) == Counter(tried)
    for meal, taken, capacity, confirmed in seats:
        assert taken == confirmed <= capacity, f"meal {meal}"

    # One line per 503 in the server's log, and no traceback.
    text = log.read_text()
    assert text.count("database unavailable, answered 503") == len(unavailable)
    assert "Traceback" not in text
    assert request("GET", port, "/healthz")[0] == 200

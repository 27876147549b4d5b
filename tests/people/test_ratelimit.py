"""people.ratelimit: sliding windows, all or nothing, in Redis and, with Redis gone, in PostgreSQL.

The behaviour tests run twice: against the real Redis of the suite, and with the cache pointed
at a port where nothing listens, so that every count is taken in the database.
"""

import datetime as dt
import logging
import threading
import time

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from people import ratelimit
from people.models import RateLimitHit
from people.ratelimit import Limit, hit, parse_rate
from tests.faults.redis_server import RedisServer, free_port

PHONE = "+447700900123"
START = dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC)
RATES = {
    "three_a_minute": "3/min",
    "five_an_hour": "5/hour",
    "unlimited": None,
    "never": "0/hour",
}


def cache_at(url: str) -> dict:
    return {
        "default": {
            **django_settings.CACHES["default"],
            "LOCATION": url,
            "KEY_PREFIX": "blether-ratelimit-test",
        }
    }


@pytest.fixture
def rates(settings):
    settings.RATE_LIMITS = RATES


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(params=["redis", "database"])
def store(request, rates, settings, db):
    """Where the counts go: the suite's Redis, or the database because Redis is not there."""
    if request.param == "database":
        settings.CACHES = cache_at(f"redis://127.0.0.1:{free_port()}/0")
    return request.param


def rows() -> int:
    return RateLimitHit.objects.count()


# --- rates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("1/min", (1, 60)),
        ("5/hour", (5, 3600)),
        ("20/h", (20, 3600)),
        ("60/hour", (60, 3600)),
        ("100/day", (100, 86400)),
        ("10/s", (10, 1)),
        ("5/15min", (5, 900)),
        ("5 / 15 min", (5, 900)),
        ("3/2hours", (3, 7200)),
    ],
)
def test_rates_are_read_as_drf_writes_them_and_with_a_multiple(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["5", "five/hour", "5/fortnight", "5/0min", "-1/hour", ""])
def test_a_malformed_rate_is_a_configuration_error(rate):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(rate)


def test_every_configured_rate_is_readable():
    assert {scope: parse_rate(rate) for scope, rate in django_settings.RATE_LIMITS.items()} == {
        "login_code_phone_minute": (1, 60),
        "login_code_phone_hour": (5, 3600),
        "login_code_ip": (20, 3600),
        "login_token_ip": (60, 3600),
        "host_messages": (5, 3600),
        "guest_invites": (20, 3600),
        "admin_login_ip": (5, 900),
        "admin_login_username": (5, 900),
        "postcode_lookups": (20, 3600),
        "sms_relays": (5, 86400),
        "meal_page_ip": (30, 60),
    }
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] is django_settings.RATE_LIMITS


def test_a_scope_without_a_rate_is_a_configuration_error(rates):
    with pytest.raises(ImproperlyConfigured, match="No rate for 'typo'"):
        hit(Limit("typo", PHONE))


# --- counting, in either store -----------------------------------------------------------------


def test_a_limit_lets_its_rate_through_then_waits_for_the_oldest_hit_to_age_out(store, clock):
    limit = Limit("three_a_minute", PHONE)
    results = []
    for _ in range(3):
        results.append(hit(limit))
        clock.shift(10)

    refused = hit(limit)  # at 30 s: the first hit leaves the window at 60 s
    clock.shift(29)
    still = hit(limit)
    clock.shift(1)
    again = hit(limit)

    assert results == [None, None, None]
    assert refused == 30.0
    assert still == 1.0
    assert again is None
    assert hit(limit) == 10.0  # the hit at 10 s is now the oldest in the window
    assert rows() == (4 if store == "database" else 0)


def test_refusals_are_not_counted(store, clock):
    limit = Limit("three_a_minute", PHONE)
    for _ in range(3):
        hit(limit)
    for _ in range(10):
        assert hit(limit) == 60.0

    clock.shift(60)

    assert [hit(limit) for _ in range(4)] == [None, None, None, 60.0]


def test_all_or_nothing_a_full_limit_records_nothing_in_the_others(store, clock):
    minute = Limit("three_a_minute", PHONE)
    hour = Limit("five_an_hour", PHONE)
    for _ in range(3):
        assert hit(minute, hour) is None

    refused = [hit(minute, hour) for _ in range(5)]

    assert refused == [60.0] * 5
    # The hour limit still has exactly its two free places.
    assert [hit(hour) for _ in range(3)] == [None, None, 3600.0]


def test_the_longest_wait_of_the_full_limits_is_returned(store, clock):
    minute = Limit("three_a_minute", PHONE)
    hour = Limit("five_an_hour", PHONE)
    for _ in range(5):
        hit(hour)
    for _ in range(3):
        hit(minute)
    clock.shift(20)

    assert hit(minute, hour) == 3580.0
    assert hit(minute) == 40.0


def test_people_and_scopes_are_counted_apart(store, clock):
    for _ in range(3):
        hit(Limit("three_a_minute", PHONE))

    assert hit(Limit("three_a_minute", PHONE)) == 60.0
    assert hit(Limit("three_a_minute", "+447700900124")) is None
    assert hit(Limit("five_an_hour", PHONE)) is None


def test_no_rate_is_no_limit_and_a_zero_rate_refuses_everything(store, clock):
    assert [hit(Limit("unlimited", PHONE)) for _ in range(50)] == [None] * 50
    assert hit() is None
    assert hit(Limit("never", PHONE)) == 3600.0
    assert hit(Limit("never", PHONE), Limit("three_a_minute", PHONE)) == 3600.0
    assert hit(Limit("three_a_minute", PHONE)) is None  # the refusal above recorded nothing


def test_the_counters_never_hold_the_number_in_the_clear(store, clock):
    hit(Limit("five_an_hour", PHONE))

    if store == "database":
        (key,) = RateLimitHit.objects.values_list("key", flat=True)
        assert key.startswith("five_an_hour:")
        assert "7700900123" not in key
    else:
        client = cache._cache.get_client(write=True)
        keys = [k.decode() for k in client.keys("*ratelimit*")]
        assert len(keys) == 1
        assert "five_an_hour:" in keys[0]
        assert "7700900123" not in keys[0]


def test_database_rows_older_than_the_longest_window_are_deleted(rates, settings, db, clock):
    settings.CACHES = cache_at(f"redis://127.0.0.1:{free_port()}/0")
    hit(Limit("five_an_hour", PHONE))
    hit(Limit("three_a_minute", PHONE))
    clock.shift(3600)

    hit(Limit("three_a_minute", "+447700900124"))

    assert list(RateLimitHit.objects.values_list("at", flat=True)) == [
        START + dt.timedelta(hours=1)
    ]


def test_with_a_cache_that_is_not_redis_the_database_counts(rates, settings, db, clock):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert [hit(Limit("three_a_minute", PHONE)) for _ in range(4)] == [None, None, None, 60.0]
    assert rows() == 3


# --- concurrency: real threads -----------------------------------------------------------------


def _race(limit: Limit, threads: int) -> list:
    barrier = threading.Barrier(threads)
    results: list = []
    lock = threading.Lock()

    def one() -> None:
        try:
            barrier.wait(timeout=30)
            answer = hit(limit)
            with lock:
                results.append(answer)
        finally:
            connection.close()

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["redis", "database"])
def test_racing_requests_get_exactly_the_rate_and_no_more(rates, settings, where, clock):
    if where == "database":
        settings.CACHES = cache_at(f"redis://127.0.0.1:{free_port()}/0")

    results = _race(Limit("five_an_hour", PHONE), threads=16)

    assert sorted(results, key=lambda wait: wait or 0) == [None] * 5 + [3600.0] * 11
    assert RateLimitHit.objects.count() == (5 if where == "database" else 0)


# --- Redis going and coming back -----------------------------------------------------------------


@pytest.fixture
def own_redis(settings, rates, db):
    with RedisServer() as server:
        settings.CACHES = cache_at(server.url(0))
        yield server


def test_redis_going_is_logged_once_and_the_counts_carry_on_in_the_database(
    own_redis, caplog, clock
):
    limit = Limit("three_a_minute", PHONE)
    assert hit(limit) is None
    own_redis.stop()

    with caplog.at_level(logging.WARNING, logger="people.ratelimit"):
        during = [hit(limit) for _ in range(4)]

    assert during == [None, None, None, 60.0]  # the database does not know the Redis hit
    assert rows() == 3
    assert [r.getMessage() for r in caplog.records] == [
        "Redis unreachable (ConnectionError): rate limits are counted in the database "
        "until it answers"
    ]


def test_when_redis_answers_again_the_counts_go_back_there(own_redis, caplog, monkeypatch):
    monkeypatch.setattr(ratelimit, "REDIS_RETRY_SECONDS", 0.3)
    limit = Limit("three_a_minute", PHONE)
    own_redis.stop()
    hit(limit)
    own_redis.start()

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="people.ratelimit"):
        soon = hit(limit)  # within REDIS_RETRY_SECONDS of the failure: still the database
        time.sleep(0.4)
        later = [hit(limit) for _ in range(4)]

    assert soon is None
    assert rows() == 2
    assert later[:3] == [None, None, None]
    assert 59 < later[3] <= 60
    assert [r.getMessage() for r in caplog.records] == [
        "Redis answers again: rate limits are counted there"
    ]


def test_a_hanging_redis_costs_one_timeout_then_is_left_alone_for_a_while(own_redis, clock):
    limit = Limit("five_an_hour", PHONE)
    own_redis.freeze()
    try:
        first = hit(limit)  # waits for the cache's socket timeout, then counts in the database
    finally:
        own_redis.thaw()

    # Redis answers again at once, but is not asked until REDIS_RETRY_SECONDS have passed.
    assert [first, hit(limit), hit(limit)] == [None, None, None]
    assert rows() == 3

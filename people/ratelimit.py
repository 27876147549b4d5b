"""Rate limits, counted in one place for every way in: the API, the web pages and the admin.

    wait = hit(Limit("login_code_ip", ip), Limit("login_code_phone_hour", phone))
    if wait is not None: ...refuse, and say "try again in `wait` seconds"

Each scope's rate is `settings.RATE_LIMITS[scope]`: "N/period" with period s, min, hour or day,
optionally multiplied ("5/15min"); None means no limit. A limit is a sliding window: a hit
counts for exactly one period after it was made.

Counts live in Redis (one sorted set of hit times per limit, changed by one Lua script, so
several limits are checked and recorded atomically, all or nothing). When Redis cannot be
reached they are counted in PostgreSQL instead (`RateLimitHit` rows, under an advisory lock
per limit): the limits hold, a little slower, rather than fail open or fail the request.
Every scope takes the database when Redis is down, for these reasons:

- login_code_phone_minute, login_code_phone_hour, login_code_ip: each code is a paid text;
  failing open during an outage would invite SMS pumping exactly when nobody is watching.
- login_token_ip: code guessing is bounded per code anyway, but one address spraying guesses
  over many numbers is only stopped here.
- admin_login_ip, admin_login_username: password guessing must never get a free window.
- host_messages, guest_invites: each is a text to many people, or a sweep through phone
  numbers; the request writes rows anyway, so one more insert costs little.
- sms_relays: each is a text to a host or a guest, and the inbound text is written anyway.
- meal_page_ip: the public meal page answers without sign-in; an outage must not open a
  window for walking through share codes.

Counts taken in the database during an outage are not carried into Redis when it comes back,
so across the switch a limit may let through up to twice its rate for one period.
"""

import hashlib
import hmac
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connection, transaction
from redis import Redis
from redis.exceptions import RedisError

from people.models import RateLimitHit

logger = logging.getLogger(__name__)

# After Redis fails, count in the database for this long before asking Redis again, so a
# hanging Redis costs one timeout per process every few seconds, not one per request.
REDIS_RETRY_SECONDS = 5.0

_RATE = re.compile(r"(\d+)/([1-9]\d*)?([smhd])[a-z]*")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Limit:
    scope: str  # a key of settings.RATE_LIMITS
    ident: str  # whom it counts: a phone, an address, a person's id...


@lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int]:
    """ "5/hour" -> (5, 3600); "5/15min" -> (5, 900). DRF's forms are a subset of these."""
    match = _RATE.fullmatch(rate.strip().replace(" ", ""))
    if match is None:
        raise ImproperlyConfigured(f"Rate {rate!r} is not like '5/hour' or '5/15min'.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


def _rate(scope: str) -> tuple[int, int] | None:
    try:
        rate = settings.RATE_LIMITS[scope]
    except KeyError:
        raise ImproperlyConfigured(f"No rate for {scope!r} in settings.RATE_LIMITS.") from None
    return None if rate is None else parse_rate(rate)


def _key(limit: Limit) -> str:
    # Keyed hash: the counters never hold a phone number or an address in the clear.
    digest = hmac.new(settings.SECRET_KEY.encode(), limit.ident.encode(), hashlib.sha256)
    return f"{limit.scope}:{digest.hexdigest()[:32]}"


def hit(*limits: Limit) -> float | None:
    """All or nothing: if every limit has room, record one hit in each and return None;
    otherwise record nothing and return the seconds to wait (the longest)."""
    rules: dict[str, tuple[int, int]] = {}
    for limit in limits:
        rate = _rate(limit.scope)
        if rate is not None:
            rules[_key(limit)] = rate
    if not rules:
        return None
    now = time.time()
    client = _redis_client()
    if client is not None and _redis.usable():
        try:
            wait = _hit_redis(client, rules, now)
        except (RedisError, OSError) as exc:
            _redis.failed(exc)
        else:
            _redis.answered()
            return wait
    return _hit_database(rules, now)


def unhit(*limits: Limit) -> None:
    """Take back the newest hit of each limit, for a request that was counted and then
    refused without doing anything (a sign-in code not sent to a number that stopped texts)."""
    keys = [_key(limit) for limit in limits if _rate(limit.scope) is not None]
    if not keys:
        return
    client = _redis_client()
    if client is not None and _redis.usable():
        cache = caches["default"]
        try:
            for key in keys:
                client.zpopmax(cache.make_key(f"ratelimit:{key}"))
        except (RedisError, OSError) as exc:
            _redis.failed(exc)
        else:
            _redis.answered()
            return
    for key in keys:
        newest = RateLimitHit.objects.filter(key=key).order_by("-at").values("pk")[:1]
        RateLimitHit.objects.filter(pk__in=newest).delete()


# --- Redis --------------------------------------------------------------------------------------

# KEYS: one sorted set per limit. ARGV: now, a unique member, then (count, seconds) per key.
# Returns nil when the hit was recorded everywhere, else the longest wait as a string.
_SCRIPT = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(ARGV[1 + 2 * i])
  local seconds = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - seconds)
  if count <= 0 then
    wait = math.max(wait, seconds)
  elseif redis.call('ZCARD', key) >= count then
    local oldest = redis.call('ZRANGE', key, -count, -count, 'WITHSCORES')
    -- At most `seconds`: a racing request may have stamped its hit a moment after our `now`.
    wait = math.max(wait, math.min(seconds, tonumber(oldest[2]) + seconds - now))
  end
end
if wait > 0 then
  return tostring(wait)
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2 + 2 * i]) * 1000))
end
return false
"""


def _redis_client() -> Redis | None:
    """The cache backend's own client (same server, pool and timeouts as settings.CACHES);
    None when the cache is not Redis, and the database counts instead."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    # The stubs leave out RedisCache._cache, the client Django's own cache methods use.
    client: Redis = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    return client


def _hit_redis(client: Redis, rules: dict[str, tuple[int, int]], now: float) -> float | None:
    cache = caches["default"]
    keys = [cache.make_key(f"ratelimit:{key}") for key in rules]
    args: list[str | int] = [repr(now), f"{now!r}:{uuid.uuid4().hex}"]
    for count, seconds in rules.values():
        args += [count, seconds]
    answer = client.eval(_SCRIPT, len(keys), *keys, *args)
    return None if answer is None else float(answer)


class _RedisHealth:
    """Whether to ask Redis; one warning when it goes, one line when it is back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.down = False
        self.retry_at = 0.0

    def usable(self) -> bool:
        return not self.down or time.monotonic() >= self.retry_at

    def failed(self, exc: Exception) -> None:
        with self._lock:
            first = not self.down
            self.down = True
            self.retry_at = time.monotonic() + REDIS_RETRY_SECONDS
        if first:
            logger.warning(
                "Redis unreachable (%s): rate limits are counted in the database until it answers",
                type(exc).__name__,
            )

    def answered(self) -> None:
        if not self.down:
            return
        with self._lock:
            was_down, self.down = self.down, False
        if was_down:
            logger.warning("Redis answers again: rate limits are counted there")


_redis = _RedisHealth()


def _forget_redis_health(*, setting: str, **kwargs: Any) -> None:
    if setting == "CACHES":
        _redis.reset()


setting_changed.connect(_forget_redis_health, dispatch_uid="people.ratelimit.caches")


# --- PostgreSQL, while Redis is away ------------------------------------------------------------


@transaction.atomic
def _hit_database(rules: dict[str, tuple[int, int]], now: float) -> float | None:
    """The same sliding windows over `RateLimitHit` rows.

    Each limit's advisory lock is held to the end of the transaction (the caller's, if it
    runs inside one), taken in key order so that two requests never wait on each other.
    """
    at = datetime.fromtimestamp(now, tz=UTC)
    with connection.cursor() as cursor:
        for key in sorted(rules):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    wait = 0.0
    for key, (count, seconds) in rules.items():
        since = at - timedelta(seconds=seconds)
        if count <= 0:
            wait = max(wait, float(seconds))
            continue
        recent = RateLimitHit.objects.filter(key=key, at__gt=since).order_by("-at")
        # The count-th newest hit leaves the window last of those that fill it.
        filling = recent.values_list("at", flat=True)[count - 1 : count]
        if filling:
            wait = max(wait, min(float(seconds), (filling[0] - since).total_seconds()))
    if wait > 0:
        return wait
    RateLimitHit.objects.bulk_create([RateLimitHit(key=key, at=at) for key in rules])
    RateLimitHit.objects.filter(at__lte=at - timedelta(seconds=_longest_window())).delete()
    return None


def _longest_window() -> int:
    rates = [parse_rate(rate) for rate in settings.RATE_LIMITS.values() if rate is not None]
    return max((seconds for _count, seconds in rates), default=86400)

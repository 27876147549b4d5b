"""Where a postcode is: a postcodes.io-compatible service, its answers cached, and the
built-in table of districts when no service is configured or the service does not answer.

`GET {POSTCODES_API_URL}/postcodes/{postcode}` answers 200 with
`{"status": 200, "result": {"latitude": ..., "longitude": ..., "admin_district": ...}}`, or
404 for a postcode that does not exist. Anything else (another status, an answer that is not
that shape, one over MAX_ANSWER_BYTES or still arriving after the timeout) is a service down. Nothing here keeps or logs the postcode itself: cache
keys are keyed hashes of it, and the log says only that the service failed and how.
"""

import contextlib
import hashlib
import hmac
import json
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as TooSlow
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import urllib3
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from people.places.errors import PostcodeServiceDown, UnknownPostcode
from people.places.outward import OUTWARD
from people.places.postcodes import Postcode

logger = logging.getLogger(__name__)

FOUND_TTL = 30 * 24 * 3600  # postcodes move rarely; a month keeps the service's load tiny
UNKNOWN_TTL = 24 * 3600  # a new postcode may be added to the service tomorrow
MAX_ANSWER_BYTES = 64 * 1024  # postcodes.io answers in about 1 kB
_http = urllib3.PoolManager(num_pools=2, maxsize=4, retries=False)
# Lookups run here so the caller waits no longer than the deadline even for a service that
# trickles its headers (urllib3's timeouts are per read); a stuck lookup holds only its thread.
_lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="postcode-lookup")

Source = Literal["service", "table", "fallback"]


@dataclass(frozen=True)
class Place:
    """Where a postcode is, as coarse as a home area is kept, and what a person calls it.

    `source` is "service" (the postcode itself), "table" (no service configured: the middle
    of its district) or "fallback" (the service did not answer: the middle of its district).
    """

    area: str
    lat: float
    lng: float
    source: Source = "service"

    @property
    def approximate(self) -> bool:
        return self.source != "service"


def place_for_postcode(postcode: Postcode) -> Place:
    """Where `postcode` is; UnknownPostcode, or PostcodeServiceDown with no table answer."""
    if not settings.POSTCODES_API_URL:
        return _from_table(postcode, "table")
    try:
        return _cached_lookup(postcode)
    except PostcodeServiceDown:
        if postcode.outward not in OUTWARD:
            raise
        return _from_table(postcode, "fallback")


def _from_table(postcode: Postcode, source: Source) -> Place:
    district = OUTWARD.get(postcode.outward)
    if district is None:
        raise UnknownPostcode(
            "We can't place that postcode yet. Use your location, or try again later."
        )
    return Place(district.area, district.lat, district.lng, source)


def _cache_key(postcode: Postcode) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), postcode.compact.encode(), hashlib.sha256)
    return f"postcode:{digest.hexdigest()[:32]}"


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except (RedisError, OSError):
        return None  # no cache is only slower


def _cache_set(key: str, value: dict[str, Any], ttl: int) -> None:
    with contextlib.suppress(RedisError, OSError):
        cache.set(key, value, ttl)


def _cached_lookup(postcode: Postcode) -> Place:
    key = _cache_key(postcode)
    known = _cache_get(key)
    if isinstance(known, dict):
        if known.get("unknown"):
            raise UnknownPostcode()
        return Place(str(known["area"]), float(known["lat"]), float(known["lng"]))
    try:
        place = _ask_service(postcode)
    except UnknownPostcode:
        _cache_set(key, {"unknown": True}, UNKNOWN_TTL)
        raise
    _cache_set(key, {"area": place.area, "lat": place.lat, "lng": place.lng}, FOUND_TTL)
    return place


def _ask_service(postcode: Postcode) -> Place:
    url = f"{settings.POSTCODES_API_URL}/postcodes/{quote(postcode.compact)}"
    wait = settings.POSTCODES_TIMEOUT_SECONDS
    try:
        status, body = _lookups.submit(_fetch, url, wait=wait).result(timeout=2 * wait)
    except (urllib3.exceptions.HTTPError, OSError, TooSlow) as exc:
        logger.warning("postcode service did not answer: %s", type(exc).__name__)
        raise PostcodeServiceDown() from exc
    if status == 404:
        raise UnknownPostcode()
    if status != 200:
        logger.warning("postcode service answered HTTP %s", status)
        raise PostcodeServiceDown()
    return _read_answer(body, postcode)


def _fetch(url: str, *, wait: float) -> tuple[int, bytes]:
    """The status and body of `url`: connecting and then the whole body each within `wait`
    (a service trickling bytes is not waited on for ever), the body at most MAX_ANSWER_BYTES.
    """
    response = _http.request(
        "GET",
        url,
        headers={"Accept": "application/json"},
        timeout=urllib3.Timeout(connect=wait, read=wait),
        redirect=False,
        preload_content=False,
    )
    try:
        if response.status != 200:
            return response.status, b""
        deadline = time.monotonic() + wait
        body = bytearray()
        while chunk := response.read1(8192):
            body += chunk
            if len(body) > MAX_ANSWER_BYTES or time.monotonic() > deadline:
                raise urllib3.exceptions.ResponseError("answer too long or too slow")
        return 200, bytes(body)
    finally:
        response.close()  # never handed back half-read
        response.release_conn()


def _coordinate(value: object, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        return None
    return number if math.isfinite(number) and abs(number) <= limit else None


def _read_answer(body: bytes, postcode: Postcode) -> Place:
    try:
        result = json.loads(body)["result"]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        logger.warning("postcode service answered something that is not a postcode")
        raise PostcodeServiceDown() from exc
    if not isinstance(result, dict):
        logger.warning("postcode service answered something that is not a postcode")
        raise PostcodeServiceDown()
    if result.get("latitude") is None or result.get("longitude") is None:
        # A real postcode with no grid reference (some new or non-geographic ones).
        raise UnknownPostcode("We can't place that postcode on a map. Use your location instead.")
    lat = _coordinate(result["latitude"], 90)
    lng = _coordinate(result["longitude"], 180)
    if lat is None or lng is None:
        logger.warning("postcode service answered a place that is not on the map")
        raise PostcodeServiceDown()
    return Place(_area_name(postcode, result), lat, lng)


def _area_name(postcode: Postcode, result: dict[str, Any]) -> str:
    """The town a neighbour would say: the table's name for the district, else the council's."""
    district = OUTWARD.get(postcode.outward)
    if district is not None:
        return district.area
    for field in ("admin_district", "parish", "region"):
        value = result.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()[:60]
    return postcode.outward

"""A postcode service that answers garbage, too much, or a byte at a time is a service that is
down: the table's district stands in where it has one, a 503 where not, nothing is cached,
and nothing is ever a 500. Over a real socket (tests/fake_postcodes.py)."""

import contextlib
import json
import socket
import threading
import time

import pytest

from people.places import Postcode, PostcodeServiceDown, UnknownPostcode, place_for_postcode

KA21 = Postcode("KA21", "5AB")  # in the built-in table: Saltcoats
G1 = Postcode("G1", "1AA")  # not in it


def answer(latitude: object, longitude: object = -4.78263) -> bytes:
    result = {"latitude": latitude, "longitude": longitude, "admin_district": "North Ayrshire"}
    return json.dumps({"status": 200, "result": result}).encode()


GARBAGE = {
    "not json": b"<html>Gateway Timeout</html>",
    "not utf-8": b"\xff\xfe\x00{",
    "json null": b"null",
    "a json list": b"[1, 2]",
    "a json string": b'"KA21 5AB"',
    "result null": b'{"status": 200, "result": null}',
    "result a list": b'{"status": 200, "result": [55.6, -4.7]}',
    "nested too deep": b"[" * 20_000 + b"]" * 20_000,  # under the size cap
    "latitude a string": answer("55.63412"),
    "latitude true": answer(True),
    "latitude out of range": answer(91.5),
    "longitude out of range": answer(55.63412, -181),
    "latitude NaN": answer(55.6).replace(b"55.6", b"NaN"),
    "latitude beyond a float": answer(55.6).replace(b"55.6", b"1" + b"0" * 400),
}


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_is_a_service_down_and_is_not_cached(postcodes_service, body):
    postcodes_service.raw = body

    assert place_for_postcode(KA21).source == "fallback"
    with pytest.raises(PostcodeServiceDown):
        place_for_postcode(G1)

    postcodes_service.raw = None
    assert place_for_postcode(KA21).source == "service"
    assert len(postcodes_service.paths) == 3


def test_an_answer_far_bigger_than_a_postcode_is_refused(postcodes_service):
    postcodes_service.raw = answer(55.63412) + b" " * 2_000_000

    assert place_for_postcode(KA21).source == "fallback"


def test_a_service_sending_a_byte_at_a_time_is_given_up_on(postcodes_service):
    postcodes_service.drip = 0.05  # each byte well inside the read timeout; ~5 s in all

    started = time.monotonic()
    place = place_for_postcode(KA21)
    waited = time.monotonic() - started

    assert place.source == "fallback"
    assert waited < 1.5


def test_a_service_trickling_its_headers_is_given_up_on(settings):
    """Even the status line and headers a byte at a time: the caller waits twice the timeout
    at most (to connect, then for the answer), not as long as the service likes."""
    listener = socket.create_server(("127.0.0.1", 0))
    answer_bytes = b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 100 + b"\r\n\r\n"

    def trickle() -> None:
        peer, _ = listener.accept()
        with peer, contextlib.suppress(OSError):
            peer.recv(4096)
            for byte in answer_bytes:
                peer.send(bytes([byte]))
                time.sleep(0.05)

    threading.Thread(target=trickle, daemon=True).start()
    settings.POSTCODES_API_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.POSTCODES_TIMEOUT_SECONDS = 0.5

    started = time.monotonic()
    with listener, pytest.raises(PostcodeServiceDown):
        place_for_postcode(G1)

    assert time.monotonic() - started < 1.5


def test_a_redirect_is_not_followed(postcodes_service):
    postcodes_service.status = 302

    with pytest.raises(PostcodeServiceDown):
        place_for_postcode(G1)
    assert len(postcodes_service.paths) == 1


def test_a_postcode_with_no_coordinates_is_still_unknown(postcodes_service):
    postcodes_service.raw = answer(None, None)

    with pytest.raises(UnknownPostcode):
        place_for_postcode(G1)

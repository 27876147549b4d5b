"""A postcodes.io-compatible server on 127.0.0.1, for tests that look postcodes up over a
real socket: `GET /postcodes/{postcode}` answers 200 with the postcode's place, 404 for one
it does not know, or `status` for every request; `delay` holds each answer back (a slow
service); `paths` lists every path asked for, so a test can see what the cache saved it.
`raw` is a body sent as it is with a 200 for every request (garbage answers), and `drip`
sends a body a byte at a time with that many seconds between bytes (a service that trickles).
`on_request`, if set, is called in the server's thread as each request arrives.
"""

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

# Made-up places near the demo towns; the shape is postcodes.io's, trimmed.
KNOWN = {
    "KA215AB": {"latitude": 55.63412, "longitude": -4.78263, "admin_district": "North Ayrshire"},
    "KA129AA": {"latitude": 55.61049, "longitude": -4.67391, "admin_district": "North Ayrshire"},
    "G11AA": {"latitude": 55.86074, "longitude": -4.25129, "admin_district": "Glasgow City"},
    "EH11AA": {"latitude": None, "longitude": None, "admin_district": "City of Edinburgh"},
}


class FakePostcodes:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.status: int | None = None
        self.delay = 0.0
        self.raw: bytes | None = None
        self.drip = 0.0
        self.on_request: Callable[[], None] | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.paths.append(self.path)
                if fake.on_request is not None:
                    fake.on_request()
                if fake.delay:
                    time.sleep(fake.delay)
                code, body = fake.answer(self.path)
                payload = json.dumps(body).encode() if fake.raw is None else fake.raw
                with contextlib.suppress(OSError):  # the client may have given up waiting
                    self.send_response(200 if fake.raw is not None else code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    fake.send(self.wfile, payload)

            def log_message(self, format, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def send(self, out, payload: bytes) -> None:
        if not self.drip:
            out.write(payload)
            return
        for byte in payload:
            out.write(bytes([byte]))
            out.flush()
            time.sleep(self.drip)

    def answer(self, path: str) -> tuple[int, dict]:
        if self.status is not None:
            return self.status, {"status": self.status, "error": "Service unavailable"}
        postcode = unquote(path.removeprefix("/postcodes/")).replace(" ", "").upper()
        result = KNOWN.get(postcode)
        if not path.startswith("/postcodes/") or result is None:
            return 404, {"status": 404, "error": "Postcode not found"}
        return 200, {"status": 200, "result": {"postcode": postcode, **result}}

    def __enter__(self) -> "FakePostcodes":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"

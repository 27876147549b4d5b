"""A Twilio-compatible Messages API on 127.0.0.1, for tests that go over a real socket.

It checks Basic auth and the form fields Twilio requires, answers 201 with a message
SID like Twilio, and can be told to fail: `fail_next` (a queue of answers for the
next requests), `fail_first` (the first attempt of chosen bodies), `refuse_to`
(a Twilio error code for a number, every time) and `delay` (seconds before answering).
"""

import base64
import contextlib
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-f]{32})/Messages\.json$")

ERRORS = {
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
    21610: (21610, "Attempt to send to unsubscribed recipient"),
    21211: (21211, "The 'To' number is not a valid phone number."),
    21614: (21614, "'To' number is not a valid mobile number"),
}


def error(code: int) -> tuple[int, dict]:
    twilio_code, message = ERRORS[code]
    status = code if code < 1000 else 400
    return status, {"code": twilio_code, "message": message, "status": status}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A worker killed mid-request drops its connection; that is the point of the test.
        return


class FakeTwilio:
    def __init__(self, *, account_sid: str, auth_token: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.accepted: list[dict] = []  # every message answered 201, in order
        self.requests = 0
        self.refused: list[tuple[int, dict]] = []
        self.fail_next: list[int] = []
        self.fail_first: dict[str, int] = {}
        self.refuse_to: dict[str, int] = {}
        self.delay = 0.0
        # Accept one request from this Messaging Service after `hang_after` of its requests,
        # then never answer it: its sender is mid-call when `hanging` is set.
        self.hang_service: str | None = None
        self.hang_after = 0
        self.hanging = threading.Event()
        self.hung: dict | None = None
        self._release = threading.Event()
        self._per_service: dict[str, int] = {}
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeTwilio":
        self._thread.start()
        return self

    def received(self) -> list[dict]:
        """The messages answered 201 so far (a copy), in the order they came."""
        with self._lock:
            return list(self.accepted)

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def _decide(self, form: dict) -> tuple[int, dict]:
        with self._lock:
            self.requests += 1
            body = form["Body"]
            attempt = self._attempts.get(body, 0) + 1
            self._attempts[body] = attempt
            if self.fail_next:
                return error(self.fail_next.pop(0))
            if form["To"] in self.refuse_to:
                return error(self.refuse_to[form["To"]])
            if attempt == 1 and body in self.fail_first:
                return error(self.fail_first[body])
            sid = "SM" + uuid.uuid4().hex
            self.accepted.append({**form, "sid": sid})
            service = form.get("MessagingServiceSid", "")
            self._per_service[service] = self._per_service.get(service, 0) + 1
            hang = (
                service == self.hang_service
                and self.hung is None
                and self._per_service[service] > self.hang_after
            )
            if hang:
                self.hung = {**form, "sid": sid}
        if hang:
            self.hanging.set()
            self._release.wait(timeout=120)
        return 201, {
            "sid": sid,
            "status": "queued",
            "account_sid": self.account_sid,
            "to": form["To"],
            "body": form["Body"],
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_segments": "1",
        }

    def _check(self, handler) -> tuple[int, dict] | dict:
        match = PATH.match(handler.path)
        if handler.command != "POST" or not match:
            return 404, {"code": 20404, "message": "Not found", "status": 404}
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if (
            handler.headers.get("Authorization") != f"Basic {expected}"
            or match["account"] != self.account_sid
        ):
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode()
        if handler.headers.get("Content-Type", "").split(";")[0] != (
            "application/x-www-form-urlencoded"
        ):
            return 400, {"code": 20001, "message": "Expected a form post", "status": 400}
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        if not form.get("To"):
            return 400, {
                "code": 21604,
                "message": "A 'To' phone number is required.",
                "status": 400,
            }
        if not form.get("Body"):
            return 400, {"code": 21602, "message": "Message body is required.", "status": 400}
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return 400, {
                "code": 21603,
                "message": "A 'From' phone number is required.",
                "status": 400,
            }
        return form

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in one write, so delayed ACKs do not stall keep-alive.
            disable_nagle_algorithm = True
            wbufsize = -1

            def do_POST(self):
                checked = fake._check(self)
                if isinstance(checked, dict):
                    status, payload = fake._decide(checked)
                    if fake.delay:
                        time.sleep(fake.delay)
                else:
                    status, payload = checked
                    with fake._lock:
                        fake.refused.append(checked)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, format, *args):
                return

        return Handler

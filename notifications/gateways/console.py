import itertools
import sys
import threading

from notifications.gateways.base import Gateway, SendResult


class ConsoleGateway(Gateway):
    """Prints each text to stdout and keeps it in memory: for development and tests."""

    name = "console"

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        with self._lock:
            sid = f"CONSOLE{next(self._ids):08d}"
            self.sent.append({"to": to, "body": body, "sid": sid})
        sys.stdout.write(f"[sms to {to}] {body}\n")
        sys.stdout.flush()
        return SendResult(provider_sid=sid)

    def clear(self) -> None:
        with self._lock:
            self.sent.clear()

import itertools
import sys
import threading

from django.conf import settings

from notifications.gateways.base import Gateway, SendResult
from people.phones import mask_phone

KEEP_SENT = 1000
HIDDEN = "(text hidden: DEBUG is off)"


class RecentTexts(list[dict[str, str]]):
    """A list of the last `maxlen` texts: a long-running worker must not grow without end."""

    def __init__(self, maxlen: int) -> None:
        super().__init__()
        self.maxlen = maxlen

    def append(self, item: dict[str, str]) -> None:
        super().append(item)
        if len(self) > self.maxlen:
            del self[: len(self) - self.maxlen]


class ConsoleGateway(Gateway):
    """Prints each text to stdout and keeps the last ones in memory: for development and tests.

    With DEBUG off the number is masked and the words (perhaps a sign-in code) are not printed.
    """

    name = "console"

    def __init__(self, keep: int = KEEP_SENT) -> None:
        self.sent: RecentTexts = RecentTexts(keep)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        with self._lock:
            sid = f"CONSOLE{next(self._ids):08d}"
            self.sent.append({"to": to, "body": body, "sid": sid})
        if settings.DEBUG:
            line = f"[sms to {to}] {body}\n"
        else:
            line = f"[sms to {mask_phone(to)}] {HIDDEN}\n"
        try:
            sys.stdout.write(line)
        except UnicodeEncodeError:  # an ASCII-only terminal cannot show the mask's dots
            sys.stdout.write(line.encode("ascii", "replace").decode("ascii"))
        sys.stdout.flush()
        return SendResult(provider_sid=sid)

    def clear(self) -> None:
        with self._lock:
            self.sent.clear()

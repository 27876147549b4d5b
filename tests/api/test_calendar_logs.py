"""A calendar feed's token is its credential: served by gunicorn with the project's own
gunicorn.conf.py, as `make run` and the image serve it, no log line carries it."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults.net import free_port

ROOT = Path(__file__).resolve().parents[2]
# Well made in length and alphabet, but no key's: the answer is a 404, and the database is
# never asked (the HMAC is checked first), so this needs no migrated database.
TOKEN = "Kq3vX9mZ2pL8rT5wY7nB4c" + "Hd6fJ1gS0aQeUiOoPxRzWy"


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def answered(port: int, deadline: float) -> None:
    while True:
        try:
            get(port, "/api/schema/")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_gunicorn_logs_the_feeds_path_but_never_its_token(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "api.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        answered(port, time.monotonic() + 60)
        status = get(port, f"/api/calendar/feed.ics?token={TOKEN}")
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert status == 404
    text = log.read_text()
    assert '"GET /api/calendar/feed.ics HTTP/1.1" 404' in text
    assert TOKEN not in text
    assert TOKEN[:22] not in text

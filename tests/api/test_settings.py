"""Production refuses to start on unsafe settings; checked in a fresh interpreter with a clean env."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "api.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start_django(DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_debug_off_is_the_default():
    result = start_django()

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


@pytest.mark.parametrize("debug", ["0", "1"])
def test_a_wildcard_allowed_hosts_is_refused(debug):
    result = start_django(DEBUG=debug, SECRET_KEY="k" * 50, ALLOWED_HOSTS="*")

    assert result.returncode != 0
    assert "ALLOWED_HOSTS=* is refused" in result.stderr


def test_twilio_backend_needs_credentials():
    result = start_django(DEBUG="0", SECRET_KEY="k" * 50, SMS_BACKEND="twilio")

    assert result.returncode != 0
    assert "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID" in result.stderr


def test_production_starts_with_a_secret_key_and_named_hosts():
    result = start_django(DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="api,localhost")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_development_starts_without_a_secret_key():
    result = start_django(DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"

"""The SMS knobs are settings read from the environment, with documented defaults; bad values
stop the start. Checked in a fresh interpreter with a clean environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from notifications.gateways.twilio import TwilioGateway

ROOT = Path(__file__).resolve().parents[2]
KNOBS = [
    "SMS_SENDS_PER_SECOND",
    "SMS_MAX_ATTEMPTS",
    "SMS_BACKOFF_BASE_SECONDS",
    "SMS_BACKOFF_CAP_SECONDS",
    "SMS_LOGIN_BACKOFF_SECONDS",
    "SMS_SENDING_TIMEOUT_SECONDS",
    "SMS_CLAIM_LEASE_SECONDS",
    "SMS_NUDGE_MARK_BATCH",
    "TWILIO_TIMEOUT_SECONDS",
]
PRINT = (
    "import django, json; django.setup(); from django.conf import settings; "
    f"print(json.dumps({{k: getattr(settings, k) for k in {KNOBS!r}}}))"
)


def start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "api.settings", "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_defaults():
    result = start_django()

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SMS_SENDS_PER_SECOND": 0,
        "SMS_MAX_ATTEMPTS": 6,
        "SMS_BACKOFF_BASE_SECONDS": 30,
        "SMS_BACKOFF_CAP_SECONDS": 3600,
        "SMS_LOGIN_BACKOFF_SECONDS": [2, 4, 8],
        "SMS_SENDING_TIMEOUT_SECONDS": 300,
        "SMS_CLAIM_LEASE_SECONDS": 30,
        "SMS_NUDGE_MARK_BATCH": 10,
        "TWILIO_TIMEOUT_SECONDS": 10.0,
    }


def test_each_is_read_from_the_environment():
    result = start_django(
        SMS_SENDS_PER_SECOND="10",
        SMS_MAX_ATTEMPTS="4",
        SMS_BACKOFF_BASE_SECONDS="15",
        SMS_BACKOFF_CAP_SECONDS="900",
        SMS_LOGIN_BACKOFF_SECONDS="1,3",
        SMS_SENDING_TIMEOUT_SECONDS="120",
        SMS_CLAIM_LEASE_SECONDS="20",
        SMS_NUDGE_MARK_BATCH="4",
        TWILIO_TIMEOUT_SECONDS="7.5",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SMS_SENDS_PER_SECOND": 10,
        "SMS_MAX_ATTEMPTS": 4,
        "SMS_BACKOFF_BASE_SECONDS": 15,
        "SMS_BACKOFF_CAP_SECONDS": 900,
        "SMS_LOGIN_BACKOFF_SECONDS": [1, 3],
        "SMS_SENDING_TIMEOUT_SECONDS": 120,
        "SMS_CLAIM_LEASE_SECONDS": 20,
        "SMS_NUDGE_MARK_BATCH": 4,
        "TWILIO_TIMEOUT_SECONDS": 7.5,
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMS_MAX_ATTEMPTS": "0"}, "SMS_NUDGE_MARK_BATCH must be 1 or more"),
        ({"SMS_CLAIM_LEASE_SECONDS": "0"}, "SMS_NUDGE_MARK_BATCH must be 1 or more"),
        ({"SMS_NUDGE_MARK_BATCH": "0"}, "SMS_NUDGE_MARK_BATCH must be 1 or more"),
        ({"SMS_LOGIN_BACKOFF_SECONDS": ""}, "SMS_LOGIN_BACKOFF_SECONDS needs at least one wait"),
        ({"SMS_SENDS_PER_SECOND": "-1"}, "SMS waits and rates cannot be negative"),
        (
            {"SMS_SENDING_TIMEOUT_SECONDS": "10"},
            "SMS_SENDING_TIMEOUT_SECONDS must be longer than TWILIO_TIMEOUT_SECONDS times",
        ),
        # A group of 10 invitations through a provider taking 10 s each needs over 100 s.
        (
            {"SMS_SENDING_TIMEOUT_SECONDS": "100"},
            "SMS_SENDING_TIMEOUT_SECONDS must be longer than TWILIO_TIMEOUT_SECONDS times",
        ),
    ],
)
def test_values_that_cannot_work_stop_the_start(env, message):
    result = start_django(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_the_twilio_gateway_waits_as_long_as_the_setting_says(settings):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "0" * 32, "token"
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    settings.TWILIO_TIMEOUT_SECONDS = 3.5

    assert TwilioGateway.from_settings().http_client.timeout == 3.5

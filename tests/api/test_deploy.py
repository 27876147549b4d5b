"""Production settings pass Django's deploy check; the demo (a staff login with a known
password) never loads there by accident."""

import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from people.models import User

ROOT = Path(__file__).resolve().parents[2]


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` in a fresh interpreter with only these settings."""
    production = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "ALLOWED_HOSTS": "blether.example.org",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = deploy_check()

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("System check identified no issues")


def test_ssl_redirect_and_hsts_come_from_the_environment():
    result = deploy_check(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")

    assert result.returncode == 1
    assert sorted(re.findall(r"\(security\.(W\d+)\)", result.stderr)) == ["W004", "W008"]


@pytest.mark.django_db
def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="staff login with a known password"):
        call_command("load_demo")

    assert User.objects.count() == 0


@pytest.mark.django_db
def test_load_demo_loads_without_debug_only_when_asked_with_demo(settings):
    settings.DEBUG = False

    call_command("load_demo", "--demo", stdout=io.StringIO())

    assert User.objects.filter(phone="+447700900101", is_staff=True).count() == 1

"""Production refuses to start on unsafe settings; checked in a fresh interpreter with a clean env."""

import ast
import os
import re
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


def read_settings(*names: str, **env: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(*(getattr(settings, name) for name in {names!r}))"
    )
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "api.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_sign_in_and_twilio_knobs_come_from_the_environment():
    names = ("LOGIN_CODE_TTL_SECONDS", "LOGIN_CODE_MAX_ATTEMPTS", "TWILIO_TIMEOUT_SECONDS")

    defaults = read_settings(*names, DEBUG="1")
    chosen = read_settings(
        *names,
        DEBUG="1",
        LOGIN_CODE_TTL_SECONDS="900",
        LOGIN_CODE_MAX_ATTEMPTS="3",
        TWILIO_TIMEOUT_SECONDS="2.5",
    )

    assert (defaults.returncode, defaults.stdout.strip()) == (0, "600 5 10.0"), defaults.stderr
    assert (chosen.returncode, chosen.stdout.strip()) == (0, "900 3 2.5"), chosen.stderr


@pytest.mark.parametrize(
    "env",
    [{"LOGIN_CODE_TTL_SECONDS": "30"}, {"LOGIN_CODE_MAX_ATTEMPTS": "0"}],
    ids=["code-lasts-30s", "no-tries"],
)
def test_sign_in_codes_that_could_not_work_stop_the_start(env):
    result = start_django(DEBUG="1", **env)

    assert result.returncode != 0
    assert (
        "LOGIN_CODE_TTL_SECONDS must be 60 or more and LOGIN_CODE_MAX_ATTEMPTS 1 or more."
        in result.stderr
    )


def environment_variables_read(source: str) -> set[str]:
    """Every NAME in `env.int("NAME", ...)`, `env("NAME")`, `env.db_url("NAME")`, ..."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def readme_configuration_rows(text: str) -> set[str]:
    """Every `NAME` in the first column of the README's configuration table."""
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split(" | ")[0]))
    return names


def test_every_environment_variable_the_settings_read_has_a_row_in_the_readme():
    read = environment_variables_read((ROOT / "api" / "settings.py").read_text(encoding="utf-8"))
    listed = readme_configuration_rows((ROOT / "README.md").read_text(encoding="utf-8"))

    assert "DATABASE_URL" in read
    assert "THROTTLE_ADMIN_LOGIN_USERNAME" in listed
    assert sorted(read - listed) == []


def test_the_readme_check_sees_a_missing_row():
    source = 'X = env.int("NEW_KNOB", default=1)\nY = env("OTHER")\nZ = os.environ["NOT_ENV"]\n'
    readme = (
        "## Configuration\n\n| variable |\n|---|\n| `OTHER` | x |\n\n## Tests\n| `NEW_KNOB` |\n"
    )

    assert environment_variables_read(source) == {"NEW_KNOB", "OTHER"}
    assert readme_configuration_rows(readme) == {"OTHER"}


def test_the_test_settings_fill_in_only_what_the_environment_leaves_out():
    result = read_settings(
        "DEBUG",
        "CELERY_TASK_ALWAYS_EAGER",
        "SMS_BACKEND",
        "PUBLIC_BASE_URL",
        "SECRET_KEY",
        DJANGO_SETTINGS_MODULE="tests.settings",
        PUBLIC_BASE_URL="https://mine.test",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "console",
        "https://mine.test",
        "test-only-secret-key-of-forty-characters-xx",
    ]

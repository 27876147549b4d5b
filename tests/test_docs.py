"""The documents in docs/ are the project's own, and API.md names every operation served.

API.md writes each operation as a code span, e.g. `GET /api/meals/{id}/`, with the path as
the OpenAPI schema spells it. The schema is the one /api/schema/ serves, so a new endpoint
fails here until it is documented, and a documented one that is gone fails too.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.api.test_settings import environment_variables_read, readme_configuration_rows

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DOCUMENTS = ("ARCHITECTURE.md", "API.md", "SAFETY_PROMPTS.md", "STYLE.md")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A query string may follow the path (`GET /api/venues/{id}/availability/?from=&to=`).
OPERATION = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s?]*)(?:\?[^`\s]*)?`")
# Served, documented, but not part of the API the schema describes.
OUTSIDE_SCHEMA = {("GET", "/api/schema/"), ("GET", "/api/docs/")}

# Spelled in pieces so that this file does not itself match what it looks for.
OLD_PLACES = ("/".join(["..", "shared"]), "/".join(["shared", "docs"]))
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "staticfiles",
    "var",
}


def served_operations(client) -> set[tuple[str, str]]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() in METHODS
    }


def documented_operations(text: str) -> set[tuple[str, str]]:
    return set(OPERATION.findall(text))


def repository_files() -> list[Path]:
    """Files git tracks or would track (ignored ones left out); every file without git."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
        candidates = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.SubprocessError):
        candidates = list(ROOT.rglob("*"))
    return sorted(
        path
        for path in candidates
        if path.is_file() and not any(part in SKIPPED_DIRS for part in path.relative_to(ROOT).parts)
    )


def mentions_of_old_places(text: str) -> list[str]:
    return [place for place in OLD_PLACES if place in text]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_design_document_is_in_the_repository(name):
    text = (DOCS / name).read_text(encoding="utf-8")

    assert text.startswith("# ")


def test_api_md_names_every_operation_the_server_describes(api_client):
    documented = documented_operations((DOCS / "API.md").read_text(encoding="utf-8"))

    missing = sorted(served_operations(api_client) - documented)

    assert missing == []


def test_api_md_names_no_operation_the_server_lacks(api_client):
    documented = documented_operations((DOCS / "API.md").read_text(encoding="utf-8"))

    extra = sorted(documented - served_operations(api_client) - OUTSIDE_SCHEMA)

    assert extra == []


def test_nothing_in_the_repository_points_outside_it_for_the_design():
    offenders = []
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files say nothing about where the docs are
        offenders += [f"{path.relative_to(ROOT)}: {m}" for m in mentions_of_old_places(text)]

    assert offenders == []


def test_architecture_md_has_a_row_for_every_variable_the_settings_read():
    read = environment_variables_read((ROOT / "api" / "settings.py").read_text(encoding="utf-8"))
    listed = readme_configuration_rows((DOCS / "ARCHITECTURE.md").read_text(encoding="utf-8"))

    assert "SMS_ALLOWED_REGIONS" in read
    assert sorted(read - listed) == []


# --- the checks themselves ----------------------------------------------------------------


def test_operations_are_read_from_code_spans_only():
    text = (
        "| `GET /api/meals/` · `PATCH /api/meals/{id}/` | x |\n"
        "GET /api/venues/ in plain words does not count, nor `GET` alone.\n"
        "`DELETE /api/meals/{id}/signups/{sid}/` → 204\n"
        "`GET /api/organisations/{id}/report/?from=&to=` with its query\n"
    )

    assert documented_operations(text) == {
        ("GET", "/api/meals/"),
        ("PATCH", "/api/meals/{id}/"),
        ("DELETE", "/api/meals/{id}/signups/{sid}/"),
        ("GET", "/api/organisations/{id}/report/"),
    }


def test_the_old_places_are_recognised():
    assert mentions_of_old_places("see " + OLD_PLACES[0] + "/API.md") == [OLD_PLACES[0]]
    assert mentions_of_old_places("in /work/" + OLD_PLACES[1] + "/") == [OLD_PLACES[1]]
    assert mentions_of_old_places("see docs/API.md") == []

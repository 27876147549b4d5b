"""Size rules a newcomer can rely on: no app file over 400 lines, no function over 50.

Complexity (at most 12) is ruff's C901, set in pyproject.toml and checked by `ruff check`; the
last test here keeps that setting from being loosened.

A function's length is counted from the first line of its body (the docstring counts) to its
last line: a signature of keyword-only typed parameters, one per line, is not what makes a
function hard to read.

The allowlists below name what is over a limit and is being split on another branch (none
today); they only shrink: an entry that is no longer over its limit fails here until it is
removed.
"""

import ast
import tomllib
from pathlib import Path

import pytest

from tests.test_docs import repository_files

ROOT = Path(__file__).resolve().parent.parent
APPS = ("api", "people", "notifications", "venues", "meals", "web")
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 50
MAX_COMPLEXITY = 12
NOT_HELD_TO_FUNCTION_LENGTH = ("bench", "tests")

# Nothing is over a limit today; a change that must leave something over names it here.
FILES_OVER_THE_LIMIT: set[str] = set()
FUNCTIONS_OVER_THE_LIMIT: set[tuple[str, str]] = set()
# Files ruff's C901 skips (pyproject.toml per-file-ignores): the benchmarks.
COMPLEXITY_SKIPPED = {"bench/**"}


def project_files() -> list[Path]:
    """The project's Python files (what git tracks or would track), migrations left out."""
    return [
        path
        for path in repository_files()
        if path.suffix == ".py" and "migrations" not in path.relative_to(ROOT).parts
    ]


def app_files() -> list[Path]:
    return [path for path in project_files() if path.relative_to(ROOT).parts[0] in APPS]


def held_to_function_length() -> list[Path]:
    return [
        path
        for path in project_files()
        if path.relative_to(ROOT).parts[0] not in NOT_HELD_TO_FUNCTION_LENGTH
    ]


def line_count(source: str) -> int:
    return len(source.splitlines())


def long_functions(source: str, *, limit: int = MAX_FUNCTION_LINES) -> dict[str, int]:
    """Each function (or method) in `source` whose body is over `limit` lines: name -> lines."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.body[0].lineno + 1
            if length > limit:
                found[node.name] = length
    return found


def files_over_the_limit() -> dict[str, int]:
    counts = {
        path.relative_to(ROOT).as_posix(): line_count(path.read_text(encoding="utf-8"))
        for path in app_files()
    }
    return {name: count for name, count in counts.items() if count > MAX_FILE_LINES}


def functions_over_the_limit() -> dict[tuple[str, str], int]:
    found = {}
    for path in held_to_function_length():
        name = path.relative_to(ROOT).as_posix()
        for function, length in long_functions(path.read_text(encoding="utf-8")).items():
            found[(name, function)] = length
    return found


def test_the_scan_reaches_every_app_and_the_files_outside_them():
    names = {path.relative_to(ROOT).as_posix() for path in held_to_function_length()}

    assert {"manage.py", "gunicorn.conf.py", "api/settings.py", "people/models.py"} <= names
    assert {app for app in APPS if (ROOT / app).is_dir()} <= {name.split("/")[0] for name in names}
    assert not [name for name in names if "/migrations/" in name or name.startswith("tests/")]


def test_no_app_file_is_over_400_lines():
    over = files_over_the_limit()

    assert {name: n for name, n in over.items() if name not in FILES_OVER_THE_LIMIT} == {}


def test_no_function_is_over_50_lines():
    over = functions_over_the_limit()

    assert {key: n for key, n in over.items() if key not in FUNCTIONS_OVER_THE_LIMIT} == {}


def test_the_allowlists_name_only_what_is_still_over():
    assert FILES_OVER_THE_LIMIT - set(files_over_the_limit()) == set()
    assert FUNCTIONS_OVER_THE_LIMIT - set(functions_over_the_limit()) == set()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # 3 lines of signature, then a body of exactly 50 lines: at the limit.
        ("def f(\n    *,\n    a: int,\n):\n" + "    a += 1\n" * 49 + "    return a\n", {}),
        ('def f():\n    """Doc."""\n' + "    pass\n" * 50, {"f": 51}),
        ("class C:\n    async def m(self):\n" + "        await x\n" * 51, {"m": 51}),
        ("def outer():\n    def inner():\n" + "        pass\n" * 51, {"outer": 52, "inner": 51}),
    ],
)
def test_function_length_counts_the_body_from_its_first_line(source, expected):
    assert long_functions(source) == expected


def test_complexity_is_checked_by_ruff_at_12_outside_the_benchmarks():
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    skipped = {
        pattern for pattern, codes in ruff["lint"]["per-file-ignores"].items() if "C901" in codes
    }

    assert "C901" in ruff["lint"]["select"]
    assert ruff["lint"]["mccabe"]["max-complexity"] == MAX_COMPLEXITY
    assert skipped == COMPLEXITY_SKIPPED
    assert "C901" not in ruff["lint"].get("ignore", [])

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from tests.reports.world import build_world

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_csv_output_has_the_same_rows_as_the_api():
    world = build_world()

    text = _run(
        "--organisation",
        str(world.org.pk),
        "--from",
        "2026-08-01",
        "--to",
        "2026-10-31",
        "--format",
        "csv",
    )

    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 9
    assert (rows[5]["venue_name"], rows[5]["month"], rows[5]["mean_felt_welcome"]) == (
        "Bute Room",
        "2026-10",
        "4.4",
    )


def test_table_output_marks_withheld_cells():
    world = build_world()

    text = _run("--organisation", str(world.org.pk), "--from", "2026-10-01", "--to", "2026-10-31")

    lines = text.splitlines()
    assert lines[0] == "Cunninghame Housing: 2026-10-01 to 2026-10-31"
    assert lines[1].split() == [
        "id",
        "venue",
        "month",
        "meals",
        "seats",
        "signups",
        "people",
        "new",
        "sms%",
        "filled",
        "filled%",
        "noshow",
        "fb",
        "fb_app",
        "fb_sms",
        "welcome",
        "kind",
    ]
    ardeer = lines[2].split("  ")
    assert [cell.strip() for cell in ardeer if cell.strip()] == [
        str(world.ardeer.pk),
        "Ardeer Hall",
        "2026-10",
        "1",
        "12",
        *["*"] * 12,
    ]
    bute = [cell.strip() for cell in lines[3].split("  ") if cell.strip()]
    assert bute == [
        str(world.bute.pk),
        "Bute Room",
        "2026-10",
        "1",
        "6",
        "6",
        "6",
        "5",
        "17",
        "6",
        "100",
        "0",
        "5",
        "4",
        "1",
        "4.4",
        "4.0",
    ]
    assert len(lines) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--organisation", "999999", "--from", "2026-10-01", "--to", "2026-10-31"],
            "No organisation",
        ),
        (["--from", "2026-10-31", "--to", "2026-10-01"], "must not be before"),
        (["--from", "31/10/2026", "--to", "2026-10-01"], "is not a date"),
    ],
)
def test_bad_arguments_are_refused(args, message):
    world = build_world()
    if "--organisation" not in args:
        args = ["--organisation", str(world.org.pk), *args]

    with pytest.raises(CommandError, match=message):
        _run(*args)

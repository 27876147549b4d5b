import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.reports.world import FINAL, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_feedback_is_final():
    with time_machine.travel(FINAL, tick=False):
        yield


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
        "lifts",
        "fb",
        "fb_app",
        "fb_sms",
        "welcome",
        "kind",
        "fb_final",
    ]
    ardeer = lines[2].split("  ")
    assert [cell.strip() for cell in ardeer if cell.strip()] == [
        str(world.ardeer.pk),
        "Ardeer Hall",
        "2026-10",
        "1",
        "12",
        *["*"] * 13,
        "2026-11-16",
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
        "*",
        "*",
        "6",
        "100",
        "0",
        "0",
        "5",
        "*",
        "*",
        "4.4",
        "4.0",
        "2026-11-16",
    ]
    assert len(lines) == 7


def test_pending_feedback_is_marked_and_explained():
    world = build_world()

    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        text = _run(
            "--organisation", str(world.org.pk), "--from", "2026-10-01", "--to", "2026-10-31"
        )
        as_csv = _run(
            "--organisation",
            str(world.org.pk),
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--format",
            "csv",
        )

    lines = text.splitlines()
    bute = [cell.strip() for cell in lines[3].split("  ") if cell.strip()]
    assert bute[-6:] == ["~", "~", "~", "~", "~", "2026-11-16"]
    assert lines[-1] == (
        "~ feedback pending: a month's feedback is shown from fb_final, once every meal's "
        "14-day feedback window has closed, and is final from then"
    )
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert {(r["feedback_count"], r["mean_felt_welcome"], r["pending"]) for r in rows} == {
        ("", "", "feedback_count;feedback_app;feedback_sms;mean_felt_welcome;mean_people_were_kind")
    }
    assert rows[2]["note"] == (
        "Feedback for October 2026 is withheld until 16 November 2026, when every meal's "
        "14-day feedback window has closed; from then it is final."
    )


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

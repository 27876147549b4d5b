"""The sponsor report as CSV, for the API, the admin page and the `report` command."""

import csv
import datetime as dt
import io

from meals.reports.report import COLUMNS, Report

# A text cell starting with one of these is run as a formula by Excel and its kin (CSV
# injection): a venue's name is typed by staff and the CSV opened by other members.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value, *, month: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m") if month else value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def write_csv(rows: list[dict], stream) -> None:
    """One header row of COLUMNS, then a line per row; months as YYYY-MM, withheld cells empty,
    and each row with pending feedback says so in `note`."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell_text(row.get(name), month=name == "month") for name in COLUMNS])


def report_csv(report: Report) -> str:
    out = io.StringIO()
    write_csv([row.as_dict() for row in report.rows], out)
    return out.getvalue()

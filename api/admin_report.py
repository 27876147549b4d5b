"""The sponsor report as an officer reads it: plain labels for every column, cells as words
and percentages, and the tables and headline figures the admin's pages show.

The figures and what is withheld are `meals.reports`' alone; this module only words them.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from meals.reports import FEEDBACK_CELLS, PEOPLE_CELLS, Report, ReportRow

SUPPRESSED = "suppressed"
PENDING = "pending"
NO_SCORES = "\u2013"

# Every column of the report, as the page names it.
LABELS = {
    "venue_id": "Venue number",
    "venue_name": "Venue",
    "month": "Month",
    "meals_held": "Meals held",
    "capacity": "Seats offered",
    "signups": "Sign-ups",
    "distinct_people": "People reached",
    "first_timers": "At their first meal",
    "sms_only_share": "Came by text",
    "seats_filled": "Seats filled",
    "seats_filled_share": "Share of seats filled",
    "no_shows": "Did not come",
    "lifts_given": "Lifts given",
    "feedback_count": "Said how it went",
    "feedback_app": "Said so in the app",
    "feedback_sms": "Said so by text",
    "mean_felt_welcome": "Felt welcome, 1\u20135",
    "mean_people_were_kind": "Found people kind, 1\u20135",
    "feedback_final_from": "Feedback final from",
    "suppressed": "Withheld",
    "pending": "Not final yet",
    "note": "Note",
}

SHARES = ("sms_only_share", "seats_filled_share")

# The page's two tables, each narrow enough for a laptop screen.
TABLES = (
    ("Meals and people", ("venue_name", "month", "meals_held", "capacity", *PEOPLE_CELLS[:7])),
    ("What people said", ("venue_name", "month", *FEEDBACK_CELLS, "feedback_final_from")),
    ("Lifts to meals", ("venue_name", "month", "lifts_given")),
)

# The dashboard's "last month at a glance".
HEADLINES = (
    "venue_name",
    "meals_held",
    "distinct_people",
    "sms_only_share",
    "mean_felt_welcome",
    "mean_people_were_kind",
)


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]  # labels
    rows: list[list[str]]


def month_text(month: dt.date) -> str:
    return f"{month:%b %Y}"


def period_text(report: Report) -> str:
    first, last = month_text(report.start), month_text(report.end)
    return first if first == last else f"{first} to {last}"


def cell_text(row: ReportRow, name: str) -> str:
    """A cell as a person reads it: "suppressed", "pending", a dash for no scores, shares as
    whole percentages, months and days in words."""
    if name in row.pending:
        return PENDING
    if name in row.suppressed:
        return SUPPRESSED
    value = getattr(row, name)
    if value is None:
        return NO_SCORES
    if name == "month":
        return month_text(value)
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    if name in SHARES:
        return f"{round(value * 100)}%"
    return str(value)


def report_tables(report: Report | None) -> list[Table]:
    rows = report.rows if report else []
    return [
        Table(
            caption=caption,
            columns=[LABELS[name] for name in names],
            rows=[[cell_text(row, name) for name in names] for row in rows],
        )
        for caption, names in TABLES
    ]


def headline_table(report: Report) -> Table:
    return Table(
        caption=f"{report.organisation.name}, {month_text(report.start)}",
        columns=[LABELS[name] for name in HEADLINES],
        rows=[[cell_text(row, name) for name in HEADLINES] for row in report.rows],
    )


def last_complete_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month before `today`'s (London) month."""
    first_of_this_month = (today or timezone.localdate()).replace(day=1)
    return (first_of_this_month - dt.timedelta(days=1)).replace(day=1)

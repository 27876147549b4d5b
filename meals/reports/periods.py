"""The periods of a sponsor report: whole months, and the day each month's feedback is final."""

import datetime as dt

from meals.services.feedback import FEEDBACK_WINDOW
from meals.services.meals import MAX_MEAL_LENGTH
from people.errors import DomainError

# Longest period one report may cover, and the years a report may look at.
MAX_REPORT_DAYS = 3 * 366
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class ReportRangeInvalid(DomainError):
    code = "report_range_invalid"
    default_detail = "Give a start date on or before the end date, at most 3 years apart."


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from start's month to end's month, inclusive."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def snap_to_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of start's month and the last day of end's month."""
    next_month = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return start.replace(day=1), next_month - dt.timedelta(days=1)


def feedback_final_from(month: dt.date) -> dt.date:
    """The first day on which `month`'s feedback is final: each meal that started in the month
    has ended (within 12 hours of its start) and its 14-day feedback window has closed."""
    next_month = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    closed = dt.datetime.combine(next_month, dt.time.min) + MAX_MEAL_LENGTH + FEEDBACK_WINDOW
    return closed.date() + dt.timedelta(days=1 if closed.time() != dt.time.min else 0)


def pending_note(month: dt.date, final_from: dt.date) -> str:
    return (
        f"Feedback for {month:%B %Y} is withheld until {final_from.day} {final_from:%B %Y}, "
        "when every meal's 14-day feedback window has closed; from then it is final."
    )


def check_range(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ReportRangeInvalid({"to": ["The end date must not be before the start date."]})
    if (end - start).days > MAX_REPORT_DAYS:
        raise ReportRangeInvalid({"to": ["A report can cover at most 3 years."]})
    if start.year < EARLIEST_YEAR or end.year > LATEST_YEAR:
        raise ReportRangeInvalid(
            {"from": [f"Reports cover the years {EARLIEST_YEAR} to {LATEST_YEAR}."]}
        )

"""Sponsor reports: per venue and month, aggregates only, computed in the database.

Every figure counts only meals *held* in the period: completed, or published and already
ended. A meal's month is the month of its start in Europe/London.

People who *took part* are those whose sign-up is `attended`, or still `confirmed` when the host
never marked attendance.

Small numbers are withheld (None, named in `suppressed`), so nobody can be picked out of a small
group; a cell built from nobody is shown as zero, so gaps stay visible:
- a venue-month with 1 to 4 people behind it (who took part, or with a sign-up they did not
  cancel, no-shows included) shows none of its people cells;
- any other cell that counts 1 to 4 people is withheld, and so is a cell that gives away such a
  group by difference or as a share: `first_timers` when 1 to 4 had been before, and
  `sms_only_share` when 1 to 4 came with or without the app;
- where a total is the sum of shown cells (`feedback_count` = `feedback_app` + `feedback_sms`),
  one withheld part takes the other with it, so it cannot be recovered by subtraction.
The report has no totals across rows.

Feedback arrives over the 14 days after each meal, and a mean read before and after one new
answer gives that answer away (6 x 4.0 - 5 x 4.6 = 1.0). So a month's feedback cells are
reported only from `feedback_final_from`, the first day after every one of its meals' feedback
windows has closed; until then they are None and named in `pending`. From that day they are
final: only feedback given within its meal's window is ever counted.

Periods are whole months: `start` snaps down to the first of its month and `end` up to the last
day of its month, so two reports a day apart cannot be differenced to single someone out.

The report runs six queries whatever the number of venues, meals or people.
"""

from meals.reports.cells import TOOK_PART
from meals.reports.csv_file import report_csv, write_csv
from meals.reports.periods import (
    MAX_REPORT_DAYS,
    ReportRangeInvalid,
    check_range,
    feedback_final_from,
    months_between,
    pending_note,
    snap_to_months,
)
from meals.reports.report import (
    COLUMNS,
    FEEDBACK_CELLS,
    MEANS,
    MIN_CELL_PEOPLE,
    PEOPLE_CELLS,
    Report,
    ReportRow,
    organisation_report,
    street_label,
)

__all__ = [
    "COLUMNS",
    "FEEDBACK_CELLS",
    "MAX_REPORT_DAYS",
    "MEANS",
    "MIN_CELL_PEOPLE",
    "PEOPLE_CELLS",
    "TOOK_PART",
    "Report",
    "ReportRangeInvalid",
    "ReportRow",
    "check_range",
    "feedback_final_from",
    "months_between",
    "organisation_report",
    "pending_note",
    "report_csv",
    "snap_to_months",
    "street_label",
    "write_csv",
]

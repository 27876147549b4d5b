"""The sponsor report's rows: what each cell shows, and what it withholds (see meals.reports)."""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from meals.reports.cells import ReportCells, report_cells, tz
from meals.reports.periods import (
    check_range,
    feedback_final_from,
    months_between,
    pending_note,
    snap_to_months,
)
from venues.models import Organisation, Venue

# Fewer people than this in a cell and the cell is withheld.
MIN_CELL_PEOPLE = 5

# Cells withheld when the venue-month has fewer than MIN_CELL_PEOPLE people taking part.
PEOPLE_CELLS = (
    "signups",
    "distinct_people",
    "first_timers",
    "sms_only_share",
    "seats_filled",
    "seats_filled_share",
    "no_shows",
    "lifts_given",
    "feedback_count",
    "feedback_app",
    "feedback_sms",
)
# Cells reported only once the month's feedback is final.
FEEDBACK_CELLS = (
    "feedback_count",
    "feedback_app",
    "feedback_sms",
    "mean_felt_welcome",
    "mean_people_were_kind",
)
# Each mean, and the count in the database query of the people who scored it.
MEANS = {"mean_felt_welcome": "welcome_people", "mean_people_were_kind": "kind_people"}
# Column order of the report, shared by the API, the CSV, the admin page and the command.
COLUMNS = (
    "venue_id",
    "venue_name",
    "month",
    "meals_held",
    "capacity",
    *PEOPLE_CELLS,
    "mean_felt_welcome",
    "mean_people_were_kind",
    "feedback_final_from",
    "suppressed",
    "pending",
    "note",
)


@dataclass
class ReportRow:
    venue_id: int | None  # None for street meals in the organisation's area
    venue_name: str
    month: dt.date  # the first day of the month
    meals_held: int = 0
    capacity: int = 0  # seats offered at the meals held
    signups: int | None = 0  # parties that did not cancel (any other status)
    distinct_people: int | None = 0  # people who took part, each counted once
    first_timers: int | None = 0  # people whose first meal ever was here this month
    sms_only_share: float | None = 0.0  # share of distinct_people without the app
    seats_filled: int | None = 0  # sum of party sizes of those who took part
    seats_filled_share: float | None = 0.0  # seats_filled / capacity
    no_shows: int | None = 0  # parties marked no_show
    lifts_given: int | None = 0  # lifts volunteer drivers gave to people who took part
    feedback_count: int | None = 0
    feedback_app: int | None = 0
    feedback_sms: int | None = 0
    mean_felt_welcome: float | None = None  # 1-5; None without 5 people scoring
    mean_people_were_kind: float | None = None
    feedback_final_from: dt.date | None = None  # feedback cells are shown from this day
    suppressed: list[str] = field(default_factory=list)  # withheld: 1-4 people
    pending: list[str] = field(default_factory=list)  # withheld: feedback not final yet
    note: str = ""  # says why feedback cells are pending, for people reading the CSV

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    organisation: Organisation
    start: dt.date
    end: dt.date
    rows: list[ReportRow]


def street_label(organisation: Organisation) -> str:
    return f"Street meals in {organisation.name} area"


def _buckets(organisation: Organisation) -> list[tuple[int | None, str]]:
    """(venue id, name) of each of the organisation's venues, then its area's street meals."""
    buckets: list[tuple[int | None, str]] = list(
        Venue.objects.filter(organisation=organisation)
        .order_by("name", "id")
        .values_list("id", "name")
    )
    if organisation.area is not None:
        buckets.append((None, street_label(organisation)))
    return buckets


def organisation_report(*, organisation: Organisation, start: dt.date, end: dt.date) -> Report:
    """Per venue of the organisation (plus its area's street meals) and month, over whole
    months: the report's `start` and `end` are the dates given snapped out to month ends.

    Raises ReportRangeInvalid when start > end or the range is longer than 3 years.
    """
    check_range(start, end)
    start, end = snap_to_months(start, end)
    now = timezone.now()
    cells = report_cells(organisation=organisation, start=start, end=end, now=now)
    today = timezone.localdate(now, tz())
    rows = [
        _row(venue_id=venue_id, venue_name=name, month=month, cells=cells, today=today)
        for venue_id, name in _buckets(organisation)
        for month in months_between(start, end)
    ]
    return Report(organisation=organisation, start=start, end=end, rows=rows)


def _small(count: int | None) -> bool:
    return count is not None and 0 < count < MIN_CELL_PEOPLE


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _row(
    *, venue_id: int | None, venue_name: str, month: dt.date, cells: ReportCells, today: dt.date
) -> ReportRow:
    key = (venue_id, month)
    meal, signup = cells.meals.get(key, {}), cells.signups.get(key, {})
    first_timers, feedback = cells.first_timers.get(key, 0), cells.feedback.get(key, {})
    people = signup.get("distinct_people", 0)
    sms_only = signup.get("sms_only_people", 0)
    capacity = meal.get("capacity") or 0
    seats = signup.get("seats_filled") or 0
    final_from = feedback_final_from(month)
    row = ReportRow(
        venue_id=venue_id,
        venue_name=venue_name,
        month=month,
        meals_held=meal.get("meals_held", 0),
        capacity=capacity,
        signups=signup.get("signups", 0),
        distinct_people=people,
        first_timers=first_timers,
        sms_only_share=_ratio(sms_only, people),
        seats_filled=seats,
        seats_filled_share=_ratio(seats, capacity),
        no_shows=signup.get("no_shows", 0),
        lifts_given=cells.lifts.get(key, 0),
        feedback_count=feedback.get("feedback_count", 0),
        feedback_app=feedback.get("feedback_app", 0),
        feedback_sms=feedback.get("feedback_sms", 0),
        feedback_final_from=final_from,
    )
    withheld = _small_cells(row, signup=signup, sms_only=sms_only, feedback=feedback)
    if today < final_from:
        row.pending = list(FEEDBACK_CELLS)
        row.note = pending_note(month, final_from)
    for name, givers in MEANS.items():
        if feedback.get(givers) and name not in withheld and not row.pending:
            setattr(row, name, round(float(feedback[name]), 2))
    for name in (*withheld, *row.pending):
        setattr(row, name, None)
    row.suppressed = [name for name in COLUMNS if name in withheld and name not in row.pending]
    return row


def _small_cells(row: ReportRow, *, signup: dict, sms_only: int, feedback: dict) -> set[str]:
    """The cells of `row` to withhold so that no group of 1 to 4 people can be read from it,
    directly, by difference or as a share."""
    # Nothing is withheld yet, so every count is there.
    people, first_timers = row.distinct_people or 0, row.first_timers or 0
    withheld: set[str] = set()
    # A month where everyone was a no-show still has people behind signups and no_shows.
    if _small(people) or _small(signup.get("involved_people", 0)):
        withheld.update(PEOPLE_CELLS)
    counts = {
        "signups": row.signups,
        "distinct_people": people,
        "first_timers": row.first_timers,
        "seats_filled": row.seats_filled,
        "no_shows": row.no_shows,
        "lifts_given": row.lifts_given,
        "feedback_count": row.feedback_count,
        "feedback_app": row.feedback_app,
        "feedback_sms": row.feedback_sms,
        **{name: feedback.get(givers, 0) for name, givers in MEANS.items()},
    }
    withheld.update(name for name, count in counts.items() if _small(count))
    # Those who had been before are distinct_people - first_timers.
    if _small(people - first_timers):
        withheld.add("first_timers")
    # The share gives both those without the app and those with it.
    if _small(sms_only) or _small(people - sms_only):
        withheld.add("sms_only_share")
    if "seats_filled" in withheld:
        withheld.add("seats_filled_share")
    # feedback_count = feedback_app + feedback_sms: one part withheld takes the other with it.
    if len(withheld & {"feedback_app", "feedback_sms"}) == 1:
        withheld |= {"feedback_app", "feedback_sms"}
    return withheld

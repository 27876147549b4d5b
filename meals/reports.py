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

The report runs five queries whatever the number of venues, meals or people.
"""

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from meals.models import Feedback, Meal, Signup
from meals.services import FEEDBACK_WINDOW, MAX_MEAL_LENGTH
from people.errors import DomainError
from venues.models import Organisation, Venue

# Fewer people than this in a cell and the cell is withheld.
MIN_CELL_PEOPLE = 5
# Longest period one report may cover, and the years a report may look at.
MAX_REPORT_DAYS = 3 * 366
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
TOOK_PART = (Signup.Status.ATTENDED, Signup.Status.CONFIRMED)

# Cells withheld when the venue-month has fewer than MIN_CELL_PEOPLE people taking part.
PEOPLE_CELLS = (
    "signups",
    "distinct_people",
    "first_timers",
    "sms_only_share",
    "seats_filled",
    "seats_filled_share",
    "no_shows",
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


class ReportRangeInvalid(DomainError):
    code = "report_range_invalid"
    default_detail = "Give a start date on or before the end date, at most 3 years apart."


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


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


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


def _held_meals(*, organisation: Organisation, start: dt.date, end: dt.date, now: dt.datetime):
    tz = _tz()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    place = Q(setting=Meal.Setting.VENUE, venue__organisation=organisation)
    if organisation.area is not None:
        place |= Q(setting=Meal.Setting.STREET, location__coveredby=organisation.area)
    return Meal.objects.filter(place, _held_q(now=now), starts_at__gte=since, starts_at__lt=until)


def _held_q(*, now: dt.datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Meal.Status.COMPLETED}) | Q(
        **{f"{prefix}status": Meal.Status.PUBLISHED, f"{prefix}ends_at__lte": now}
    )


def _cell_key(row: dict) -> tuple:
    return row["bucket"], row["month"].date()


def organisation_report(*, organisation: Organisation, start: dt.date, end: dt.date) -> Report:
    """Per venue of the organisation (plus its area's street meals) and month, over whole
    months: the report's `start` and `end` are the dates given snapped out to month ends.

    Raises ReportRangeInvalid when start > end or the range is longer than 3 years.
    """
    check_range(start, end)
    start, end = snap_to_months(start, end)
    now = timezone.now()
    tz = _tz()
    meals = _held_meals(organisation=organisation, start=start, end=end, now=now)
    # Street meals have no venue, so NULL is their bucket.
    meal_cells = {
        _cell_key(row): row
        for row in meals.annotate(bucket=F("venue_id"), month=TruncMonth("starts_at", tzinfo=tz))
        .values("bucket", "month")
        .annotate(meals_held=Count("id"), capacity=Sum("capacity"))
    }

    took_part = Q(status__in=TOOK_PART)
    earlier_meal = Signup.objects.filter(
        _held_q(now=now, prefix="meal__"),
        person=OuterRef("person"),
        status__in=TOOK_PART,
    ).filter(
        Q(meal__starts_at__lt=OuterRef("meal__starts_at"))
        | Q(meal__starts_at=OuterRef("meal__starts_at"), meal_id__lt=OuterRef("meal_id"))
    )
    signup_cells = {
        _cell_key(row): row
        for row in Signup.objects.filter(meal__in=meals)
        .annotate(bucket=F("meal__venue_id"), month=TruncMonth("meal__starts_at", tzinfo=tz))
        .values("bucket", "month")
        .annotate(
            signups=Count("id", filter=~Q(status=Signup.Status.CANCELLED)),
            distinct_people=Count("person", distinct=True, filter=took_part),
            sms_only_people=Count(
                "person", distinct=True, filter=took_part & Q(person__has_app=False)
            ),
            seats_filled=Sum("party_size", filter=took_part),
            no_shows=Count("id", filter=Q(status=Signup.Status.NO_SHOW)),
            involved_people=Count(
                "person", distinct=True, filter=~Q(status=Signup.Status.CANCELLED)
            ),
        )
    }

    # In WHERE, not in an aggregate FILTER, so PostgreSQL can plan NOT EXISTS as an anti-join.
    first_timer_cells = {
        _cell_key(row): row["first_timers"]
        for row in Signup.objects.filter(took_part, meal__in=meals)
        .filter(~Exists(earlier_meal))
        .annotate(bucket=F("meal__venue_id"), month=TruncMonth("meal__starts_at", tzinfo=tz))
        .values("bucket", "month")
        .annotate(first_timers=Count("person", distinct=True))
    }

    # Only feedback given within its meal's window counts, so a final month never changes.
    feedback_cells = {
        _cell_key(row): row
        for row in Feedback.objects.filter(
            meal__in=meals, created_at__lte=F("meal__ends_at") + FEEDBACK_WINDOW
        )
        .annotate(bucket=F("meal__venue_id"), month=TruncMonth("meal__starts_at", tzinfo=tz))
        .values("bucket", "month")
        .annotate(
            feedback_count=Count("id"),
            feedback_app=Count("id", filter=Q(channel=Feedback.Channel.APP)),
            feedback_sms=Count("id", filter=Q(channel=Feedback.Channel.SMS)),
            welcome_people=Count("person", distinct=True, filter=Q(felt_welcome__isnull=False)),
            kind_people=Count("person", distinct=True, filter=Q(people_were_kind__isnull=False)),
            mean_felt_welcome=Avg("felt_welcome"),
            mean_people_were_kind=Avg("people_were_kind"),
        )
    }

    buckets = [
        (venue_id, name)
        for venue_id, name in Venue.objects.filter(organisation=organisation)
        .order_by("name", "id")
        .values_list("id", "name")
    ]
    if organisation.area is not None:
        buckets.append((None, street_label(organisation)))
    today = timezone.localdate(now, tz)
    rows = [
        _row(
            venue_id=venue_id,
            venue_name=name,
            month=month,
            meal=meal_cells.get((venue_id, month), {}),
            signup=signup_cells.get((venue_id, month), {}),
            first_timers=first_timer_cells.get((venue_id, month), 0),
            feedback=feedback_cells.get((venue_id, month), {}),
            today=today,
        )
        for venue_id, name in buckets
        for month in months_between(start, end)
    ]
    return Report(organisation=organisation, start=start, end=end, rows=rows)


def _small(count: int) -> bool:
    return 0 < count < MIN_CELL_PEOPLE


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _row(
    *,
    venue_id,
    venue_name,
    month,
    meal: dict,
    signup: dict,
    first_timers: int,
    feedback: dict,
    today: dt.date,
) -> ReportRow:
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
    people = row.distinct_people
    withheld = set()
    # A month where everyone was a no-show still has people behind signups and no_shows.
    if _small(people) or _small(signup.get("involved_people", 0)):
        withheld.update(PEOPLE_CELLS)
    counts = {
        "signups": row.signups,
        "distinct_people": people,
        "first_timers": row.first_timers,
        "seats_filled": row.seats_filled,
        "no_shows": row.no_shows,
        "feedback_count": row.feedback_count,
        "feedback_app": row.feedback_app,
        "feedback_sms": row.feedback_sms,
        **{name: feedback.get(givers, 0) for name, givers in MEANS.items()},
    }
    withheld.update(name for name, count in counts.items() if _small(count))
    # Those who had been before are distinct_people - first_timers.
    if _small(people - row.first_timers):
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


def _cell_text(value, *, month: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m") if month else value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(value)
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

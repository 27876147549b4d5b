"""The report's figures, counted in the database: one query per kind of cell, each grouped by
venue (NULL for street meals) and month of the meal's start, London time."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from meals.models import Feedback, Lift, Meal, Signup
from meals.services.feedback import FEEDBACK_WINDOW
from venues.models import Organisation

TOOK_PART = (Signup.Status.ATTENDED, Signup.Status.CONFIRMED)

# (venue id or None, first day of the month) -> that cell's figures
Cells = dict[tuple[int | None, dt.date], dict]


@dataclass
class ReportCells:
    meals: Cells  # meals_held, capacity
    signups: Cells  # signups, distinct_people, sms_only_people, seats_filled, no_shows, ...
    first_timers: dict[tuple[int | None, dt.date], int]
    feedback: Cells  # feedback_count, _app, _sms, the means and how many people scored each
    lifts: dict[tuple[int | None, dt.date], int]  # lifts given to people who took part


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def held_q(*, now: dt.datetime, prefix: str = "") -> Q:
    """Meals held: completed, or published and already ended."""
    return Q(**{f"{prefix}status": Meal.Status.COMPLETED}) | Q(
        **{f"{prefix}status": Meal.Status.PUBLISHED, f"{prefix}ends_at__lte": now}
    )


def held_meals(
    *, organisation: Organisation, start: dt.date, end: dt.date, now: dt.datetime
) -> QuerySet[Meal]:
    """Meals held at the organisation's venues, or in its area's streets, that started from
    `start` to `end` (whole days, London time)."""
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz())
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz())
    place = Q(setting=Meal.Setting.VENUE, venue__organisation=organisation)
    if organisation.area is not None:
        place |= Q(setting=Meal.Setting.STREET, location__coveredby=organisation.area)
    return Meal.objects.filter(place, held_q(now=now), starts_at__gte=since, starts_at__lt=until)


def _by_cell(rows: QuerySet, *, meal: str = "meal__") -> QuerySet:
    # Street meals have no venue, so NULL is their bucket.
    return rows.annotate(
        bucket=F(f"{meal}venue_id"), month=TruncMonth(f"{meal}starts_at", tzinfo=tz())
    ).values("bucket", "month")


def _cell_key(row: dict) -> tuple:
    return row["bucket"], row["month"].date()


def _meal_cells(meals: QuerySet[Meal]) -> Cells:
    rows = _by_cell(meals, meal="").annotate(meals_held=Count("id"), capacity=Sum("capacity"))
    return {_cell_key(row): row for row in rows}


def _signup_cells(meals: QuerySet[Meal]) -> Cells:
    took_part = Q(status__in=TOOK_PART)
    rows = _by_cell(Signup.objects.filter(meal__in=meals)).annotate(
        signups=Count("id", filter=~Q(status=Signup.Status.CANCELLED)),
        distinct_people=Count("person", distinct=True, filter=took_part),
        sms_only_people=Count("person", distinct=True, filter=took_part & Q(person__has_app=False)),
        seats_filled=Sum("party_size", filter=took_part),
        no_shows=Count("id", filter=Q(status=Signup.Status.NO_SHOW)),
        involved_people=Count("person", distinct=True, filter=~Q(status=Signup.Status.CANCELLED)),
    )
    return {_cell_key(row): row for row in rows}


def _first_timer_cells(meals: QuerySet[Meal], *, now: dt.datetime) -> dict:
    """People whose first meal ever (taking part, of those held) was in the cell."""
    earlier_meal = Signup.objects.filter(
        held_q(now=now, prefix="meal__"),
        person=OuterRef("person"),
        status__in=TOOK_PART,
    ).filter(
        Q(meal__starts_at__lt=OuterRef("meal__starts_at"))
        | Q(meal__starts_at=OuterRef("meal__starts_at"), meal_id__lt=OuterRef("meal_id"))
    )
    # In WHERE, not in an aggregate FILTER, so PostgreSQL can plan NOT EXISTS as an anti-join.
    firsts = Signup.objects.filter(meal__in=meals, status__in=TOOK_PART).filter(
        ~Exists(earlier_meal)
    )
    rows = _by_cell(firsts).annotate(first_timers=Count("person", distinct=True))
    return {_cell_key(row): row["first_timers"] for row in rows}


def _feedback_cells(meals: QuerySet[Meal]) -> Cells:
    # Only feedback given within its meal's window counts, so a final month never changes.
    given = Feedback.objects.filter(
        meal__in=meals, created_at__lte=F("meal__ends_at") + FEEDBACK_WINDOW
    )
    rows = _by_cell(given).annotate(
        feedback_count=Count("id"),
        feedback_app=Count("id", filter=Q(channel=Feedback.Channel.APP)),
        feedback_sms=Count("id", filter=Q(channel=Feedback.Channel.SMS)),
        welcome_people=Count("person", distinct=True, filter=Q(felt_welcome__isnull=False)),
        kind_people=Count("person", distinct=True, filter=Q(people_were_kind__isnull=False)),
        mean_felt_welcome=Avg("felt_welcome"),
        mean_people_were_kind=Avg("people_were_kind"),
    )
    return {_cell_key(row): row for row in rows}


def _lift_cells(meals: QuerySet[Meal]) -> dict:
    """Lifts a driver took to a meal held, for a guest who took part."""
    given = Lift.objects.filter(
        meal__in=meals, status=Lift.Status.TAKEN, signup__status__in=TOOK_PART
    )
    rows = _by_cell(given).annotate(lifts_given=Count("id"))
    return {_cell_key(row): row["lifts_given"] for row in rows}


def report_cells(
    *, organisation: Organisation, start: dt.date, end: dt.date, now: dt.datetime
) -> ReportCells:
    """Every cell's figures for the meals held in the period: five queries."""
    meals = held_meals(organisation=organisation, start=start, end=end, now=now)
    return ReportCells(
        meals=_meal_cells(meals),
        signups=_signup_cells(meals),
        first_timers=_first_timer_cells(meals, now=now),
        feedback=_feedback_cells(meals),
        lifts=_lift_cells(meals),
    )

"""Regulars: people who come every time. They are signed up to each new occurrence of the
series in the order they joined (confirmed while seats allow, then waitlisted), through the
ordinary sign-up service and its meal row lock."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, Meal, MealSeries, Regular, Signup
from meals.services.errors import AlreadyRegular, AlreadySignedUp, MealNotOpen, SignupInvalid
from meals.services.seats import check_party, constraint_name
from meals.services.series_rows import locked_series
from meals.services.signups import signup_cancel, signup_create
from people.models import User

ONE_REGULAR = "meals_one_regular"


def _seat(meal: Meal, regular: Regular) -> Signup | None:
    try:
        return signup_create(
            meal=meal,
            person=regular.person,
            party_size=regular.party_size,
            channel=regular.channel,
        )
    except (AlreadySignedUp, MealNotOpen, SignupInvalid):
        return None


def regulars_seat(*, meal: Meal) -> list[Signup]:
    """Sign the series' regulars up to a new published occurrence, in the order they joined:
    confirmed while seats allow, then waitlisted in that order."""
    if meal.series_id is None:
        return []
    regulars = Regular.objects.filter(series_id=meal.series_id).select_related("person")
    seated = (_seat(meal, r) for r in regulars.order_by("joined_at", "pk"))
    return [s for s in seated if s is not None]


def _upcoming(series: MealSeries):
    return series.occurrences.filter(
        status=Meal.Status.PUBLISHED, starts_at__gt=timezone.now()
    ).order_by("starts_at")


@transaction.atomic
def regular_join(
    *, series: MealSeries, person: User, party_size: int = 1, channel: str = Regular.Channel.APP
) -> tuple[Regular, list[Signup]]:
    """Come every time: a Regular row, and a sign-up to each published occurrence yet to come
    (those already signed up keep theirs). Raises AlreadyRegular (409). Takes the series row
    lock, so a date the beat is writing, or an end the host is making, is seen first."""
    check_party(party_size)
    series = locked_series(series)
    if series.status != MealSeries.Status.PUBLISHED:
        raise SignupInvalid("This series is not taking regulars.")
    if series.host_id == person.pk:
        raise SignupInvalid("You are hosting this series, so you already have a seat.")
    try:
        with transaction.atomic():
            regular = Regular.objects.create(
                series=series, person=person, party_size=party_size, channel=channel
            )
    except IntegrityError as exc:
        if constraint_name(exc) == ONE_REGULAR:
            raise AlreadyRegular() from exc
        raise
    regular.person = person
    seated = (_seat(meal, regular) for meal in _upcoming(series))
    return regular, [s for s in seated if s is not None]


@transaction.atomic
def regular_leave(*, series: MealSeries, person: User) -> int:
    """Stop coming every time: the Regular row goes, and so do their places at occurrences
    yet to come (the waitlists move up). Returns how many places were given up. Takes the
    series row lock, so the beat cannot seat them at a date it is writing meanwhile."""
    series = locked_series(series)
    Regular.objects.filter(series=series, person=person).delete()
    live = Signup.objects.filter(
        person=person,
        status__in=LIVE_SIGNUP_STATUSES,
        meal__in=_upcoming(series),
    ).select_related("meal")
    given_up = 0
    for signup in live:
        signup_cancel(signup=signup, by=person)
        given_up += 1
    return given_up


@transaction.atomic
def regulars_stop_all(*, person: User) -> int:
    """No more places made for them at any series (after STOP, or on leaving); the places
    they hold stay theirs. Returns how many series they were a regular of. Takes those
    series' row locks first (in order), as the beat takes one before seating regulars."""
    of_theirs = MealSeries.objects.filter(regulars__person=person).order_by("pk")
    list(of_theirs.select_for_update(of=("self",)).values_list("pk", flat=True))
    deleted, _ = Regular.objects.filter(person=person).delete()
    return deleted


def is_regular(*, series_id: int, person: User) -> bool:
    return Regular.objects.filter(series_id=series_id, person=person).exists()

"""The series side of the SMS conversation: YES ALWAYS makes someone a regular, and a NO from
a regular skips one date without ending it."""

from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, Meal, Signup
from meals.recurrence import rule_short
from meals.services.errors import AlreadyRegular
from meals.services.regulars import is_regular, regular_join
from meals.services.seats import MAX_PARTY
from meals.sms import sms_thread_remember
from meals.texts import meal_text_context
from notifications.templates import render
from people.errors import DomainError
from people.models import User


def _series_reply(name: str, meal: Meal) -> str:
    every = rule_short(meal.series) if meal.series is not None else ""
    return render(name, {**meal_text_context(meal), "every": every})


def always_join(person: User, meal: Meal, party: int | None) -> str | None:
    """Make the person a regular of `meal`'s series and answer; None when `meal` is a one-off
    (the caller then takes a place at it as for YES)."""
    if meal.series is None:
        return None
    if party is not None and not 1 <= party <= MAX_PARTY:
        return render("sms_party_too_big", {**meal_text_context(meal), "max_party": MAX_PARTY})
    sms_thread_remember(person=person, meal=meal)
    try:
        _regular, signups = regular_join(
            series=meal.series, person=person, party_size=party or 1, channel="sms"
        )
    except AlreadyRegular:
        return _series_reply("sms_already_regular", _next(person, meal))
    except DomainError:
        return render("sms_cannot", meal_text_context(meal))
    return _series_reply("sms_regular", signups[0].meal if signups else meal)


def _next(person: User, meal: Meal) -> Meal:
    signup = (
        Signup.objects.filter(
            person=person,
            status__in=LIVE_SIGNUP_STATUSES,
            meal__series=meal.series_id,
            meal__status=Meal.Status.PUBLISHED,
            meal__starts_at__gt=timezone.now(),
        )
        .select_related("meal", "meal__series", "meal__host", "meal__venue")
        .order_by("meal__starts_at")
        .first()
    )
    return signup.meal if signup is not None else meal


def next_of_one_series(signups: list[Signup]) -> Signup | None:
    """When every place someone holds is at one series (a regular's), a bare NO means the
    soonest of them."""
    series = {s.meal.series_id for s in signups}
    if not signups or len(series) != 1 or None in series:
        return None
    return signups[0]


def cancelled_reply(person: User, meal: Meal) -> str | None:
    """For a regular who skipped one date: they stay a regular. None for anyone else."""
    if meal.series_id is None or not is_regular(series_id=meal.series_id, person=person):
        return None
    return render("sms_skipped", meal_text_context(meal))

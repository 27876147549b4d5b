"""Signing up for a meal, changing the party, cancelling, and the host marking who came."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, Meal, Signup
from meals.services.errors import NotEnoughSeats, SignupInvalid
from meals.services.lift_steps import lift_party_change
from meals.services.seats import (
    check_open,
    check_party,
    drop_signup,
    locked_signup,
    promote_waitlist,
    seat_or_wait,
    take_seats,
)
from meals.texts import meal_subject, meal_text_context, party_words
from notifications.services import notify
from people.errors import NotAllowed
from people.models import User

# Attendance is marked on these, once the meal has begun.
ATTENDANCE = (Signup.Status.ATTENDED, Signup.Status.NO_SHOW)
MARKABLE = (Signup.Status.CONFIRMED, *ATTENDANCE)


def signup_create(*, meal: Meal, person: User, **fields: Any) -> Signup:
    """Confirm the party if seats allow, otherwise put it on the waitlist; `fields` (the
    party, channel and needs) as `signup_create_unread`'s.

    The checks need no query; then one statement (`seat_or_wait`) takes the meal row lock,
    checks the meal is open, decides and writes, so the lock is held for that statement and its
    commit alone, and arrival order is the order in which callers get it. A caller already in a
    transaction keeps the lock until its own commit. Raises MealNotOpen (400), SignupInvalid
    (400) and AlreadySignedUp (409).
    """
    if meal.host_id == person.pk:
        raise SignupInvalid("You are hosting this meal, so you already have a seat.")
    signup = signup_create_unread(meal_id=meal.pk, person=person, **fields)
    signup.meal = meal
    return signup


def signup_create_unread(
    *,
    meal_id: int,
    person: User,
    party_size: int = 1,
    channel: str = Signup.Channel.APP,
    dietary_needs: str = "",
    access_needs: str = "",
) -> Signup:
    """`signup_create` for a meal known only by its id, with no read before the one statement:
    the busiest write (a popular meal's sign-ups) is that statement and its commit alone.

    It signs up only where the meal is open to the person: published (so shown to everyone),
    not begun, not theirs. Anything else (no such meal, a draft, a meal begun or cancelled,
    their own) raises MealNotOpen without saying which: the caller reads the meal to answer
    (`signup_create` says why). Raises SignupInvalid for a party out of range, and
    AlreadySignedUp: a second live sign-up is refused by `meals_one_live_signup` inside
    seat_or_wait's statement, which undoes its seats too, so nothing is read ahead of it.
    """
    check_party(party_size)
    return seat_or_wait(
        meal_id=meal_id,
        person=person,
        party_size=party_size,
        channel=channel,
        dietary_needs=dietary_needs,
        access_needs=access_needs,
    )


@transaction.atomic
def signup_cancel(*, signup: Signup, by: User) -> Signup:
    """The person or the host cancels a sign-up; freed seats go to the waitlist in order.

    Cancelling one already cancelled changes nothing.
    """
    meal, signup = locked_signup(signup)
    if by.pk not in (signup.person_id, meal.host_id):
        raise NotAllowed("Only the person signed up or the host can cancel this.")
    if signup.status == Signup.Status.CANCELLED:
        return signup
    if signup.status not in LIVE_SIGNUP_STATUSES:
        raise SignupInvalid(f"This sign-up is already marked {signup.status}.")
    if meal.status != Meal.Status.PUBLISHED or meal.ends_at <= timezone.now():
        raise SignupInvalid(f"This meal is {meal.status}; sign-ups can no longer change.")
    drop_signup(meal, signup)
    if by.pk == meal.host_id:
        notify(
            recipient=signup.person,
            template="signup_removed_by_host",
            context={**meal_text_context(meal), "party": party_words(signup.party_size)},
            dedupe_key=f"signup-removed:{signup.pk}",
            subject=meal_subject(meal),
        )
    promote_waitlist(meal)
    return signup


def _change_party(meal: Meal, signup: Signup, *, by: User, party_size: int) -> None:
    """The person changes their party; a confirmed one needs the extra seats free."""
    if by.pk != signup.person_id:
        raise NotAllowed("Only the person signed up can change their party.")
    check_party(party_size)
    check_open(meal)
    if signup.status not in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED):
        raise SignupInvalid(f"This sign-up is {signup.status}.")
    extra = party_size - signup.party_size
    confirmed = signup.status == Signup.Status.CONFIRMED
    if confirmed and extra > meal.capacity - meal.seats_taken:
        raise NotEnoughSeats(
            f"Only {meal.capacity - meal.seats_taken} more seats are free at {meal.title}."
        )
    lift_party_change(signup=signup, party_size=party_size)
    signup.party_size = party_size
    signup.save(update_fields=["party_size"])
    if confirmed and extra:
        take_seats(meal, extra)
    promote_waitlist(meal)


def _mark_attendance(meal: Meal, signup: Signup, *, by: User, attendance: str) -> None:
    """The host marks who came, once the meal has begun."""
    if by.pk != meal.host_id:
        raise NotAllowed("Only the host marks who came.")
    if attendance not in ATTENDANCE:
        raise SignupInvalid({"attendance": ["Choose attended or no_show."]})
    begun = meal.starts_at <= timezone.now()
    if not begun or meal.status not in (Meal.Status.PUBLISHED, Meal.Status.COMPLETED):
        raise SignupInvalid("Attendance can be marked once the meal has begun.")
    if signup.status not in MARKABLE:
        raise SignupInvalid(f"This sign-up is {signup.status}.")
    signup.status = attendance
    signup.save(update_fields=["status"])


@transaction.atomic
def signup_update(
    *,
    signup: Signup,
    by: User,
    party_size: int | None = None,
    attendance: str | None = None,
) -> Signup:
    """The person changes their party size; the host marks attendance once the meal begins."""
    meal, signup = locked_signup(signup)
    if party_size is not None:
        _change_party(meal, signup, by=by, party_size=party_size)
    if attendance is not None:
        _mark_attendance(meal, signup, by=by, attendance=attendance)
    return signup

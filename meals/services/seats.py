"""Seats and the waitlist, under the meal row lock: the steps every change to who is coming
shares.

Lock order, everywhere: the meal row first (`select_for_update`), then its sign-ups. Seats are
counted on the meal (`seats_taken`) under that lock; the `meals_no_overselling` check
constraint is the last word if anything ever tries to take more.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from meals.models import Meal, Signup
from meals.services.errors import AlreadySignedUp, MealNotOpen, SignupInvalid
from meals.texts import meal_subject, meal_text_context, party_words
from notifications.services import messages_withdraw, notify

MAX_PARTY = 6
ONE_LIVE_CONSTRAINT = "meals_one_live_signup"
# Seats count for these: an invited SMS guest's seats are held until they answer.
SEAT_HOLDING = (Signup.Status.CONFIRMED, Signup.Status.INVITED)


def constraint_name(exc: IntegrityError) -> str | None:
    """The database constraint an insert or update broke, if one did."""
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)


def locked_meal(meal: Meal) -> Meal:
    """The meal again, its row locked (with its venue and host) until the transaction ends."""
    return (
        Meal.objects.select_for_update(of=("self",)).select_related("venue", "host").get(pk=meal.pk)
    )


def locked_signup(signup: Signup) -> tuple[Meal, Signup]:
    """The sign-up's meal and then the sign-up, both rows locked, in the lock order."""
    meal = locked_meal(signup.meal)
    signup = (
        Signup.objects.select_for_update(of=("self",)).select_related("person").get(pk=signup.pk)
    )
    return meal, signup


def check_open(meal: Meal) -> None:
    if meal.status != Meal.Status.PUBLISHED or meal.starts_at <= timezone.now():
        raise MealNotOpen()


def check_party(party_size: int) -> None:
    if not isinstance(party_size, int) or not 1 <= party_size <= MAX_PARTY:
        raise SignupInvalid({"party_size": [f"A party is 1 to {MAX_PARTY} people."]})


def insert_signup(**fields) -> Signup:
    """A new sign-up row; a second live one for the same person and meal is AlreadySignedUp."""
    try:
        with transaction.atomic():
            return Signup.objects.create(**fields)
    except IntegrityError as exc:
        if constraint_name(exc) == ONE_LIVE_CONSTRAINT:
            raise AlreadySignedUp() from exc
        raise


def free_seats(meal: Meal, seats: int) -> None:
    Meal.objects.filter(pk=meal.pk).update(seats_taken=F("seats_taken") - seats)
    meal.seats_taken -= seats


def take_seats(meal: Meal, seats: int) -> None:
    Meal.objects.filter(pk=meal.pk).update(seats_taken=F("seats_taken") + seats)
    meal.seats_taken += seats


def promote_waitlist(meal: Meal) -> list[Signup]:
    """Confirm waiting parties in arrival order while seats allow. Call while holding the
    meal row lock. A party too big for the seats left is passed over and keeps its place."""
    if meal.status != Meal.Status.PUBLISHED or meal.starts_at <= timezone.now():
        return []
    promoted = []
    free = meal.capacity - meal.seats_taken
    waiting = Signup.objects.filter(meal=meal, status=Signup.Status.WAITLISTED).select_related(
        "person"
    )
    for signup in waiting.order_by("queued_at", "pk"):
        if free <= 0:
            break
        if signup.party_size > free:
            continue
        signup.status = Signup.Status.CONFIRMED
        signup.save(update_fields=["status"])
        take_seats(meal, signup.party_size)
        free -= signup.party_size
        promoted.append(signup)
        notify(
            recipient=signup.person,
            template="signup_promoted",
            context={**meal_text_context(meal), "party": party_words(signup.party_size)},
            dedupe_key=f"signup-promoted:{signup.pk}",
            subject=meal_subject(meal),
            expires_at=meal.starts_at,
        )
    return promoted


def drop_signup(meal: Meal, signup: Signup) -> None:
    """Cancel a live sign-up and free what it held. Call while holding the meal row lock."""
    held = signup.status in SEAT_HOLDING
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.hold_expires_at = None
    signup.save(update_fields=["status", "cancelled_at", "hold_expires_at"])
    if held:
        free_seats(meal, signup.party_size)
    # Reminders and the like about a meal they no longer go to; callers write any notice after.
    messages_withdraw(
        subject=meal_subject(meal), recipient=signup.person, reason="sign-up cancelled"
    )

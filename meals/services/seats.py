"""Seats and the waitlist, under the meal row lock: the steps every change to who is coming
shares.

Lock order, everywhere: the meal row first (`select_for_update`), then its sign-ups. Seats are
counted on the meal (`seats_taken`) under that lock; the `meals_no_overselling` check
constraint is the last word if anything ever tries to take more.
"""

import contextlib
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from meals.models import Meal, Signup
from meals.services.errors import AlreadySignedUp, MealNotOpen, SignupInvalid
from meals.services.lift_steps import lifts_release
from meals.texts import meal_subject, meal_text_context, party_words
from notifications.services import messages_withdraw, notify
from people.models import User

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


# A new sign-up in one statement, so the meal row lock lasts only that statement and its
# commit: lock the meal if it is open (published, not begun) and not the person's own (so
# open to them: a published meal is shown to everyone), take the seats if the party fits,
# and insert the sign-up, confirmed or waitlisted. `queued_at` is read from the clock after
# the lock is granted, so the waitlist's order is the order of the lock. A second live
# sign-up breaks `meals_one_live_signup` and the whole statement (seats too) is undone.
_SEAT_OR_WAIT = """WITH meal AS (
    SELECT id, capacity, seats_taken FROM {meal}
    WHERE id = %(meal)s AND status = %(published)s AND published_at IS NOT NULL
        AND starts_at > %(now)s AND host_id <> %(person)s
    FOR UPDATE
),
seats AS (
    UPDATE {meal} m SET seats_taken = m.seats_taken + %(party)s
    FROM meal WHERE m.id = meal.id AND meal.seats_taken + %(party)s <= meal.capacity
    RETURNING m.id
)
INSERT INTO {signup} (meal_id, person_id, party_size, status, channel, dietary_needs,
    access_needs, created_at, queued_at, guest_name)
SELECT meal.id, %(person)s, %(party)s,
    CASE WHEN EXISTS (SELECT FROM seats) THEN %(confirmed)s ELSE %(waitlisted)s END,
    %(channel)s, %(dietary)s, %(access)s, %(now)s, clock_timestamp(), ''
FROM meal
RETURNING {columns}"""


def seat_or_wait(
    *,
    meal_id: int,
    person: User,
    party_size: int,
    channel: str,
    dietary_needs: str,
    access_needs: str,
) -> Signup:
    """A new sign-up, confirmed if the party fits in the seats left, else waitlisted; seats
    taken in the same statement (see `_SEAT_OR_WAIT`), which takes and holds the meal row lock.
    Raises MealNotOpen if the meal is not open to the person (not there, not published, begun,
    or theirs), AlreadySignedUp for a second live one. The sign-up's `meal` is not set."""
    fields = Signup._meta.concrete_fields
    connection = connections[router.db_for_write(Signup)]
    ops = connection.ops
    sql = _SEAT_OR_WAIT.format(
        meal=ops.quote_name(Meal._meta.db_table),
        signup=ops.quote_name(Signup._meta.db_table),
        columns=", ".join(ops.quote_name(f.column) for f in fields),
    )
    params: dict[str, Any] = {
        "meal": meal_id,
        "person": person.pk,
        "party": party_size,
        "channel": channel,
        "dietary": dietary_needs,
        "access": access_needs,
        "now": timezone.now(),
        "published": Meal.Status.PUBLISHED.value,
        "confirmed": Signup.Status.CONFIRMED.value,
        "waitlisted": Signup.Status.WAITLISTED.value,
    }
    # Outside a transaction the statement is its own (one round trip, no BEGIN or COMMIT);
    # inside one, a savepoint lets the caller go on after AlreadySignedUp.
    around = (
        transaction.atomic(using=connection.alias)
        if connection.in_atomic_block
        else contextlib.nullcontext()
    )
    try:
        with around, connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    except IntegrityError as exc:
        if constraint_name(exc) == ONE_LIVE_CONSTRAINT:
            raise AlreadySignedUp() from exc
        raise
    if row is None:
        raise MealNotOpen()
    signup = Signup.from_db(connection.alias, [f.attname for f in fields], row)
    signup.person = person
    return signup


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
    lifts_release(signups=[signup])
    # Reminders and the like about a meal they no longer go to; callers write any notice after.
    messages_withdraw(
        subject=meal_subject(meal), recipient=signup.person, reason="sign-up cancelled"
    )

"""Guests without the app: the host saves them seats by phone, and they answer YES or NO."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, Meal, Signup, SmsThread
from meals.services.errors import AlreadySignedUp, HoldExpired, NotEnoughSeats, SignupInvalid
from meals.services.seats import (
    check_open,
    check_party,
    drop_signup,
    insert_signup,
    locked_meal,
    locked_signup,
    promote_waitlist,
    take_seats,
)
from meals.texts import meal_subject, meal_text_context, party_words, shorten
from notifications.services import notify
from people.errors import NotAllowed
from people.models import User
from people.phones import textable_phone
from people.services import person_for_phone

GUEST_HOLD = dt.timedelta(hours=48)


@transaction.atomic
def guest_invite(*, meal: Meal, host: User, phone: str, name: str, party_size: int = 1) -> Signup:
    """The host saves seats for a neighbour without the app, who is texted to reply YES or NO.

    The seats are held for 48 hours (status `invited`); the SMS conversation then refers YES
    to this meal.
    """
    check_party(party_size)
    phone = textable_phone(phone)
    meal = locked_meal(meal)
    if meal.host_id != host.pk:
        raise NotAllowed("Only the host can invite guests.")
    check_open(meal)
    name = shorten(name or "", 80)
    # The name the host typed is theirs for this sign-up; it never names the account.
    person, _created = person_for_phone(phone=phone)
    if person.pk == host.pk:
        raise SignupInvalid({"phone": ["That is your own number."]})
    if Signup.objects.filter(meal=meal, person=person, status__in=LIVE_SIGNUP_STATUSES).exists():
        raise AlreadySignedUp("This neighbour is already signed up for this meal.")
    if meal.seats_taken + party_size > meal.capacity:
        raise NotEnoughSeats(f"Only {meal.capacity - meal.seats_taken} seats are free.")
    now = timezone.now()
    signup = insert_signup(
        meal=meal,
        person=person,
        party_size=party_size,
        channel=Signup.Channel.SMS,
        status=Signup.Status.INVITED,
        queued_at=now,
        hold_expires_at=now + GUEST_HOLD,
        invited_by=host,
        guest_name=name,
    )
    take_seats(meal, party_size)
    SmsThread.objects.update_or_create(person=person, defaults={"meal": meal, "meal_set_at": now})
    notify(
        recipient=person,
        template="guest_invited",
        context={**meal_text_context(meal), "party": party_words(party_size)},
        dedupe_key=f"guest-invited:{signup.pk}",
        subject=meal_subject(meal),
    )
    return signup


@transaction.atomic
def guest_accept(*, signup: Signup) -> Signup:
    """An invited guest says yes: their held seats become theirs. A second yes changes nothing."""
    meal, signup = locked_signup(signup)
    if signup.status == Signup.Status.CONFIRMED:
        return signup
    if signup.status != Signup.Status.INVITED:
        raise SignupInvalid(f"This invitation is {signup.status}.")
    check_open(meal)
    if signup.hold_expires_at is not None and signup.hold_expires_at <= timezone.now():
        raise HoldExpired()
    signup.status = Signup.Status.CONFIRMED
    signup.hold_expires_at = None
    signup.save(update_fields=["status", "hold_expires_at"])
    return signup


@transaction.atomic
def guest_decline(*, signup: Signup) -> Signup:
    """An invited guest says no: the held seats go to the waitlist."""
    meal, signup = locked_signup(signup)
    if signup.status == Signup.Status.CANCELLED:
        return signup
    if signup.status != Signup.Status.INVITED:
        raise SignupInvalid(f"This invitation is {signup.status}.")
    drop_signup(meal, signup)
    promote_waitlist(meal)
    return signup


def guest_holds_expire(*, now: dt.datetime | None = None) -> int:
    """Release seats held for guests who never answered; one transaction per meal."""
    now = now or timezone.now()
    meal_ids = (
        Signup.objects.filter(status=Signup.Status.INVITED, hold_expires_at__lte=now)
        .values_list("meal_id", flat=True)
        .distinct()
    )
    released = 0
    for meal_id in list(meal_ids):
        with transaction.atomic():
            meal = (
                Meal.objects.select_for_update(of=("self",))
                .select_related("host", "venue")
                .get(pk=meal_id)
            )
            expired = (
                Signup.objects.select_for_update(of=("self",))
                .select_related("person")
                .filter(meal=meal, status=Signup.Status.INVITED, hold_expires_at__lte=now)
            )
            for signup in expired:
                drop_signup(meal, signup)
                released += 1
            promote_waitlist(meal)
    return released

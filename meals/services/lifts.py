"""Lifts: drivers offer, guests ask, a checked driver takes a request, plans change.

Lock order: the meal's row (when taken: asking, cancelling, a party changing), the
driver's row, then the lift's. A driver's seats are counted per meal under the
driver's row lock (`lift_take`), so however many requests race for one car, the passengers
it carries to a meal never outnumber its seats.
"""

import datetime as dt
import uuid
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from meals.lift_selectors import lifts_open_for
from meals.lift_texts import DRIVER_TEXT_MAX
from meals.models import LIVE_SIGNUP_STATUSES, Driver, Lift, Meal, Signup
from meals.models.lifts import MAX_CAR_SEATS, MAX_DRIVE_KM, PICKUP_NOTE_MAX
from meals.services.lift_steps import (
    CarFull,
    CarStillNeeded,
    DriverInvalid,
    LiftAsked,
    LiftGone,
    LiftInvalid,
    lift_tell,
    lifts_release,
    unmatched_key,
    unmatched_notice_withdraw,
)
from meals.services.seats import constraint_name, locked_meal
from meals.services.signups import signup_create
from meals.texts import shorten
from notifications.gsm import gsm7_line
from people.errors import NotAllowed
from people.models import User
from venues.models import Organisation


def _check_driver(seats: int, max_km: Decimal) -> None:
    errors = {}
    if not isinstance(seats, int) or not 1 <= seats <= MAX_CAR_SEATS:
        errors["seats"] = [f"A car takes 1 to {MAX_CAR_SEATS} passengers."]
    if not 0 < max_km <= MAX_DRIVE_KM:
        errors["max_km"] = [f"Choose a distance over 0 and up to {MAX_DRIVE_KM} km."]
    if errors:
        raise DriverInvalid(errors)


def _check_carried(driver: Driver, *, seats: int, step_free: bool) -> None:
    """The lifts a driver has taken to meals yet to begin must still fit the car they describe:
    no fewer seats than they carry to any one meal, and step-free while someone needs it.
    Call while holding the driver's row lock."""
    ahead = Lift.objects.filter(
        driver=driver, status=Lift.Status.TAKEN, meal__starts_at__gt=timezone.now()
    )
    fullest = (
        ahead.values("meal")
        .annotate(carried=Sum("passengers"))
        .filter(carried__gt=seats)
        .order_by("-carried", "meal")
        .values_list("meal__title", "carried")
        .first()
    )
    if fullest is not None:
        raise CarStillNeeded(
            {
                "seats": [
                    f"You're driving {fullest[1]} to {fullest[0]}: withdraw from a lift there "
                    "before offering fewer seats."
                ]
            }
        )
    needs = ahead.filter(step_free=True).values_list("meal__title", flat=True).first()
    if needs is not None and not step_free:
        raise CarStillNeeded(
            {
                "step_free": [
                    f"You're driving someone who needs a step-free car to {needs}: "
                    "withdraw from that lift first."
                ]
            }
        )


@transaction.atomic
def driver_save(*, person: User, seats: int, step_free: bool, max_km: Decimal) -> Driver:
    """Offer lifts, or change the offer. An organisation's check stays with the person."""
    _check_driver(seats, Decimal(max_km))
    driver, _created = Driver.objects.select_for_update().get_or_create(
        person=person, defaults={"seats": seats, "step_free": step_free, "max_km": max_km}
    )
    if not _created:
        _check_carried(driver, seats=seats, step_free=step_free)
    driver.seats, driver.step_free, driver.max_km = seats, step_free, Decimal(max_km)
    driver.save(update_fields=["seats", "step_free", "max_km"])
    return driver


@transaction.atomic
def driver_check(*, driver: Driver, organisation: Organisation, by: User) -> Driver:
    """An officer of `organisation` records that the driver has been checked (PVG)."""
    if not by.is_superuser and not organisation.memberships.filter(person=by).exists():
        raise NotAllowed("Only an officer of the organisation can check a driver for it.")
    driver = Driver.objects.select_for_update().get(pk=driver.pk)
    driver.checked_by, driver.checked_at = organisation, timezone.now()
    driver.save(update_fields=["checked_by", "checked_at"])
    return driver


@transaction.atomic
def driver_uncheck(*, driver: Driver, by: User) -> Driver:
    """The organisation that checked a driver takes the check back; they see requests no more."""
    driver = Driver.objects.select_for_update().get(pk=driver.pk)
    org = driver.checked_by
    if org is not None and not by.is_superuser and not org.memberships.filter(person=by).exists():
        raise NotAllowed("Only the organisation that checked this driver can take it back.")
    driver.checked_by, driver.checked_at = None, None
    driver.save(update_fields=["checked_by", "checked_at"])
    # Unchecked, they are shown nothing about guests: the lifts they took reopen.
    _give_back_lifts(driver)
    return driver


def _request_point(meal: Meal, person: User) -> Point:
    """The point drivers will search by (the guest's coarse home), once a request may be made."""
    if meal.status != Meal.Status.PUBLISHED or meal.starts_at <= timezone.now():
        raise LiftInvalid("This meal is not taking lift requests now.")
    if person.home_location is None:
        raise LiftInvalid("Set your home area first, so drivers near you can see the request.")
    return person.home_location


def _note(pickup_note: str) -> str:
    note = gsm7_line(pickup_note or "")
    if len(note) > PICKUP_NOTE_MAX:
        raise LiftInvalid({"pickup_note": [f"Keep it to {PICKUP_NOTE_MAX} characters."]})
    return note


@transaction.atomic
def lift_request(
    *, meal: Meal, person: User, pickup_note: str = "", step_free: bool = False
) -> Lift:
    """Someone with a live place at `meal` asks to be driven; drivers see the request once the
    place is confirmed. Raises LiftInvalid (400), and LiftAsked (409) for a second request."""
    note = _note(pickup_note)
    area = _request_point(meal, person)
    # Under the meal row lock, as cancelling a place is: the place read is the place held.
    locked_meal(meal)
    signup = Signup.objects.filter(
        meal=meal, person=person, status__in=LIVE_SIGNUP_STATUSES
    ).first()
    if signup is None:
        raise LiftInvalid("Take a place at the meal before asking for a lift.")
    try:
        with transaction.atomic():
            return Lift.objects.create(
                signup=signup,
                meal=meal,
                guest=person,
                area=area,
                pickup_note=note,
                passengers=signup.party_size,
                step_free=step_free,
            )
    except IntegrityError as exc:
        if constraint_name(exc) == "meals_one_live_lift":
            raise LiftAsked() from exc
        raise


def signup_with_lift_create(
    *,
    meal: Meal,
    person: User,
    lift: bool,
    pickup_note: str = "",
    step_free: bool = False,
    **signup_fields,
) -> Signup:
    """Sign up (`signup_create`'s fields), and with `lift` ask for a lift in the same go:
    both are written, or neither. Without a lift the sign-up's own statement is the whole
    transaction (no savepoint around it)."""
    if not lift:
        return signup_create(meal=meal, person=person, **signup_fields)
    if meal.get_deferred_fields():
        meal.refresh_from_db()
    with transaction.atomic():
        _note(pickup_note)
        _request_point(meal, person)
        signup = signup_create(meal=meal, person=person, **signup_fields)
        lift_request(meal=meal, person=person, pickup_note=pickup_note, step_free=step_free)
    return signup


@transaction.atomic
def lift_cancel(*, lift: Lift, by: User) -> Lift:
    """The guest no longer needs the lift; a driver who had taken it is told."""
    if lift.guest_id != by.pk:
        raise NotAllowed("Only the guest can cancel their lift request.")
    if lift.meal.ends_at <= timezone.now():
        raise LiftInvalid("This meal is over.")
    locked_meal(lift.meal)
    lifts_release(signups=[lift.signup])
    lift.refresh_from_db()
    return lift


def _seats_left(driver: Driver, meal: Meal) -> int:
    """Call while holding the driver's row lock."""
    carried = Lift.objects.filter(driver=driver, meal=meal, status=Lift.Status.TAKEN).aggregate(
        n=Sum("passengers")
    )["n"]
    return driver.seats - (carried or 0)


@transaction.atomic
def lift_take(*, lift: Lift, by: User) -> Lift:
    """A checked driver takes an open request they can see ("I can take them"); the guest is
    texted who is coming and when. The driver's row is locked first, so racing takes of one
    car are counted one after another. Raises LiftGone (409) and CarFull (409)."""
    driver = Driver.objects.select_for_update().select_related("person").filter(person=by).first()
    if driver is None or not driver.checked or by.home_location is None:
        raise NotAllowed("Only a checked driver can take a lift.")
    locked = Lift.objects.select_for_update().filter(pk=lift.pk).first()
    if locked is None or locked.status != Lift.Status.OPEN:
        raise LiftGone()
    if not lifts_open_for(driver=driver).filter(pk=lift.pk).exists():
        raise LiftGone("This request is no longer one you can take.")
    if locked.passengers > _seats_left(driver, locked.meal):
        raise CarFull()
    locked.status, locked.driver, locked.taken_at = Lift.Status.TAKEN, driver, timezone.now()
    locked.save(update_fields=["status", "driver", "taken_at"])
    lift = Lift.objects.select_related("meal__venue", "meal__host", "guest", "driver__person").get(
        pk=lift.pk
    )
    unmatched_notice_withdraw(lift)
    lift_tell(
        lift=lift,
        recipient=lift.guest,
        template="lift_taken",
        dedupe_key=f"lift-taken:{lift.pk}:{uuid.uuid4().hex}",
    )
    return lift


@transaction.atomic
def lift_withdraw(*, lift: Lift, by: User) -> Lift:
    """The driver can no longer take the guest: the request is open again, the guest told."""
    driver = Driver.objects.select_for_update().filter(person=by).first()
    locked = Lift.objects.select_for_update().filter(pk=lift.pk).first()
    if driver is None or locked is None or locked.driver_id != driver.pk:
        raise NotAllowed("Only the driver who took this lift can withdraw.")
    if locked.status != Lift.Status.TAKEN or lift.meal.starts_at <= timezone.now():
        raise LiftInvalid("This lift can no longer be changed.")
    lift = Lift.objects.select_related("meal__venue", "meal__host", "guest", "driver__person").get(
        pk=lift.pk
    )
    # Told before the driver is let go: the text names them.
    lift_tell(
        lift=lift,
        recipient=lift.guest,
        template="lift_reopened",
        dedupe_key=f"lift-reopened:{lift.pk}:{uuid.uuid4().hex}",
    )
    # Open again: flagged to the host again if still open 24 hours before.
    lift.status, lift.driver, lift.taken_at, lift.host_told_at = Lift.Status.OPEN, None, None, None
    lift.save(update_fields=["status", "driver", "taken_at", "host_told_at"])
    return lift


@transaction.atomic
def lift_message_send(*, lift: Lift, by: User, text: str) -> None:
    """The driver texts the guest through Blether; neither sees the other's number."""
    if lift.driver is None or lift.driver.person_id != by.pk or lift.status != Lift.Status.TAKEN:
        raise NotAllowed("Only the driver who took this lift can text the guest.")
    if lift.meal.ends_at <= timezone.now():
        raise LiftInvalid("This meal is over.")
    words = " ".join((text or "").split())
    if not words:
        raise LiftInvalid({"text": ["Write a message."]})
    if len(words) > DRIVER_TEXT_MAX:
        raise LiftInvalid({"text": [f"Keep it to {DRIVER_TEXT_MAX} characters."]})
    Lift.objects.filter(pk=lift.pk).update(driver_texted_at=timezone.now())
    lift_tell(
        lift=lift,
        recipient=lift.guest,
        template="lift_driver_message",
        dedupe_key=f"lift-message:{lift.pk}:{uuid.uuid4().hex}",
        text=shorten(words, DRIVER_TEXT_MAX),
    )


# Requests nobody has taken this long before the meal are flagged to its host.
UNMATCHED_NOTICE = dt.timedelta(hours=24)


@transaction.atomic
def lifts_flag_unmatched() -> int:
    """Tell the host, once per request, of each lift nobody has taken 24 h before the meal.
    Safe to run any number of times: a flagged request is marked and keyed."""
    now = timezone.now()
    due = (
        Lift.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(
            status=Lift.Status.OPEN,
            host_told_at__isnull=True,
            signup__status=Signup.Status.CONFIRMED,
            meal__status=Meal.Status.PUBLISHED,
            meal__starts_at__gt=now,
            meal__starts_at__lte=now + UNMATCHED_NOTICE,
        )
        .select_related("meal__venue", "meal__host", "guest")
        .order_by("pk")
    )
    told = 0
    for lift in due:
        lift.host_told_at = now
        lift_tell(
            lift=lift,
            recipient=lift.meal.host,
            template="lift_unmatched",
            dedupe_key=unmatched_key(lift),
        )
        lift.save(update_fields=["host_told_at"])
        told += 1
    return told


@transaction.atomic
def guest_reply_to_driver(*, lift: Lift, text: str, dedupe_key: str) -> None:
    """Pass a guest's text to the driver of `lift` (`lift_selectors.lift_awaiting_reply`),
    with the guest's first name, never their number. Whether the driver can take texts, and
    the rate limit, are the caller's to check first."""
    if lift.driver is None:
        raise LiftInvalid("Nobody is driving this lift.")
    lift_tell(
        lift=lift,
        recipient=lift.driver.person,
        template="lift_guest_reply",
        dedupe_key=dedupe_key,
        text=shorten(gsm7_line(text), DRIVER_TEXT_MAX),
    )


@transaction.atomic
def driver_leave(*, person: User) -> None:
    """Someone who drives leaves Blether: the lifts they took to meals still to come reopen
    (each guest told) and the organisation's check goes; lifts already given stay counted."""
    driver = Driver.objects.filter(person=person).first()
    if driver is None:
        return
    _give_back_lifts(driver)
    Driver.objects.filter(pk=driver.pk).update(checked_by=None, checked_at=None)


def _give_back_lifts(driver: Driver) -> None:
    """Reopen the lifts `driver` took to meals yet to begin, each guest told."""
    ahead = Lift.objects.filter(
        driver=driver, status=Lift.Status.TAKEN, meal__starts_at__gt=timezone.now()
    ).select_related("meal")
    for lift in ahead.order_by("pk"):
        lift_withdraw(lift=lift, by=driver.person)


@transaction.atomic
def pickup_notes_forget() -> int:
    """Blank the pick-up notes of lifts to meals that have ended: nobody sees them after."""
    return (
        Lift.objects.filter(meal__ends_at__lte=timezone.now())
        .exclude(pickup_note="")
        .update(pickup_note="")
    )

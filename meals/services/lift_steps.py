"""What the lift services refuse, and the step that lets lifts go when places do.

Kept apart from `lifts` so `seats` and `meals` can release lifts without importing sign-ups.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from meals.lift_texts import lift_text_context
from meals.models import LIVE_LIFT_STATUSES, Driver, Lift, Meal, Signup
from meals.texts import meal_subject
from notifications.services import messages_withdraw, notify
from people.errors import Conflict, DomainError
from people.models import User


class LiftInvalid(DomainError):
    code = "lift_invalid"
    default_detail = "That lift cannot be arranged."


class DriverInvalid(DomainError):
    code = "driver_invalid"
    default_detail = "Those driving details cannot be saved."


class LiftAsked(Conflict):
    code = "lift_asked"
    default_detail = "You have already asked for a lift to this meal."


class LiftGone(Conflict):
    code = "lift_gone"
    default_detail = "Someone else has offered this lift, or it is no longer needed."


class CarFull(Conflict):
    code = "car_full"
    default_detail = "Your car has no seats left for this meal."


class NoRoomInCar(Conflict):
    code = "no_room_in_car"
    default_detail = "Your driver's car has no room for that."


class CarStillNeeded(Conflict):
    code = "car_still_needed"
    default_detail = "You are driving people to a meal in this car."


def lift_tell(*, lift: Lift, recipient: User, template: str, dedupe_key: str, **extra: str) -> None:
    """One text about `lift` (its context plus `extra`), kept under the meal's subject and
    dropped if still unsent when the meal begins."""
    notify(
        recipient=recipient,
        template=template,
        context={**lift_text_context(lift), **extra},
        dedupe_key=dedupe_key,
        subject=meal_subject(lift.meal),
        expires_at=lift.meal.starts_at,
    )


def _tell_driver(lift: Lift, template: str, dedupe_key: str) -> None:
    if lift.driver is not None:
        lift_tell(lift=lift, recipient=lift.driver.person, template=template, dedupe_key=dedupe_key)


def unmatched_key(lift: Lift) -> str:
    """The dedupe key of the host's notice that nobody has taken `lift`, one per flagging."""
    return f"{unmatched_prefix(lift)}{lift.host_told_at:%Y%m%dT%H%M%S.%f}"


def unmatched_prefix(lift: Lift) -> str:
    return f"lift-unmatched:{lift.pk}:"


def unmatched_notice_withdraw(lift: Lift) -> None:
    """The host's notice that nobody has taken `lift`, if still waiting (for the end of their
    quiet hours), is stale once a driver takes it or the guest lets it go."""
    if lift.host_told_at is not None:
        messages_withdraw(
            subject=meal_subject(lift.meal),
            recipient=lift.meal.host,
            dedupe_prefix=unmatched_prefix(lift),
            reason="lift sorted",
        )


def lifts_release(*, signups: Iterable[Signup]) -> int:
    """Cancel the live lifts of these sign-ups (their places are gone) and tell each driver
    who had taken one. Call while holding the meal row lock. Returns how many were let go."""
    ids = [s.pk for s in signups]
    if not ids:
        return 0
    locked = list(
        Lift.objects.select_for_update()
        .filter(signup_id__in=ids, status__in=LIVE_LIFT_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Read again once locked: a row PostgreSQL waited for is re-checked, but the rows joined to
    # it are not, so a driver who took the lift meanwhile would be missed (and not told).
    live = list(
        Lift.objects.filter(pk__in=locked)
        .select_related("meal", "meal__venue", "meal__host", "guest", "driver__person")
        .order_by("pk")
    )
    now = timezone.now()
    for lift in live:
        _tell_driver(lift, "lift_freed", f"lift-freed:{lift.pk}")
        unmatched_notice_withdraw(lift)
        lift.status, lift.driver, lift.cancelled_at = Lift.Status.CANCELLED, None, now
        lift.save(update_fields=["status", "driver", "cancelled_at"])
    return len(live)


def lift_party_change(*, signup: Signup, party_size: int) -> None:
    """Carry a new party size over to the sign-up's live lift. A driver who took it must still
    have room (NoRoomInCar, 409): their row is locked before the lift's, as `lift_take` does,
    and taken again if a take or a withdrawal moved the lift meanwhile. Call while holding
    the meal row lock."""
    for _attempt in range(3):
        seen = Lift.objects.filter(signup=signup, status__in=LIVE_LIFT_STATUSES).first()
        if seen is None:
            return
        driver = None
        if seen.driver_id is not None:
            driver = Driver.objects.select_for_update().get(pk=seen.driver_id)
        lift = Lift.objects.select_for_update().get(pk=seen.pk)
        if lift.driver_id == seen.driver_id:
            break
    else:
        raise Conflict("Your lift is changing hands just now: try again in a moment.")
    if driver is not None and lift.status == Lift.Status.TAKEN:
        others = Lift.objects.filter(driver=driver, meal_id=lift.meal_id, status=Lift.Status.TAKEN)
        carried = sum(others.exclude(pk=lift.pk).values_list("passengers", flat=True))
        if carried + party_size > driver.seats:
            raise NoRoomInCar(
                f"Your driver's car has no room for {party_size} of you. Cancel the lift "
                "first, and we'll look for another driver."
            )
    lift.passengers = party_size
    lift.save(update_fields=["passengers"])


def lifts_taken_signup_ids(meal: Meal) -> QuerySet[Lift, Any]:
    """The sign-ups of `meal` whose guest has a driver, as a subquery (`lifts_tell_moved`
    tells them of a move)."""
    return Lift.objects.filter(meal=meal, status=Lift.Status.TAKEN).values("signup_id")


def lifts_tell_moved(meal: Meal) -> None:
    """The drivers of `meal`'s taken lifts, and their guests, hear its new time or place and
    the new pick-up time (the guests instead of the plain "meal_changed"). Call after saving
    the move, with the meal's new revision."""
    taken = (
        Lift.objects.filter(meal=meal, status=Lift.Status.TAKEN)
        .select_related("meal__venue", "meal__host", "guest", "driver__person")
        .order_by("pk")
    )
    for lift in taken:
        _tell_driver(lift, "lift_meal_moved", f"lift-moved:{lift.pk}:{meal.revision}")
        lift_tell(
            lift=lift,
            recipient=lift.guest,
            template="lift_guest_meal_moved",
            dedupe_key=f"lift-guest-moved:{lift.pk}:{meal.revision}",
        )

"""Reads about lifts, scoped to who is asking.

Only a driver an organisation has checked sees open requests, and only those within their own
distance of home, for meals they are going to or that are within that distance too. The
pick-up note is shown to the guest and to the driver who took the lift, until the meal ends.
"""

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.measure import D
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from meals.models import (
    LIVE_LIFT_STATUSES,
    LIVE_SIGNUP_STATUSES,
    Driver,
    GuestQuestion,
    HostMessage,
    Lift,
    Meal,
    Signup,
)
from meals.sms import RELAY_WINDOW
from people.errors import NotAllowed, NotFound
from people.geo import KnnDistance
from people.models import User

_RELATED = ("meal", "meal__venue", "meal__host", "guest", "driver__person")


def driver_of(*, person: User) -> Driver | None:
    return Driver.objects.filter(person=person).select_related("checked_by").first()


def checked_driver(*, person: User) -> Driver:
    """The person's driver profile if they may see requests; NotAllowed (403) says why not."""
    driver = driver_of(person=person)
    if driver is None:
        raise NotAllowed("Offer lifts in your settings first.")
    if not driver.checked:
        raise NotAllowed(
            "An organisation has not checked you as a driver yet, so no requests are shown."
        )
    if person.home_location is None:
        raise NotAllowed("Set your home area first, so we can find requests near you.")
    return driver


def _going(person: User) -> Exists:
    return Exists(
        Signup.objects.filter(meal=OuterRef("meal"), person=person, status=Signup.Status.CONFIRMED)
    )


def lifts_open_for(*, driver: Driver) -> QuerySet[Lift]:
    """Open requests this checked driver can take, nearest first, each with `distance_m`: a
    party bigger than the car, or one needing a step-free car the driver lacks, is left out."""
    home = driver.person.home_location
    reach = D(m=float(driver.max_km) * 1000)
    here = Value(home, output_field=PointField(geography=True, srid=4326))
    lifts = (
        Lift.objects.filter(
            status=Lift.Status.OPEN,
            signup__status=Signup.Status.CONFIRMED,
            meal__status=Meal.Status.PUBLISHED,
            meal__starts_at__gt=timezone.now(),
            area__dwithin=(home, reach),
            passengers__lte=driver.seats,
        )
        .exclude(guest=driver.person)
        .filter(
            Q(meal__host=driver.person)
            | _going(driver.person)
            | Q(meal__location__dwithin=(home, reach))
        )
    )
    if not driver.step_free:
        lifts = lifts.filter(step_free=False)
    return (
        lifts.select_related(*_RELATED)
        .annotate(distance_m=Distance("area", home))
        .order_by(KnnDistance(F("area"), here), "pk")
    )


def lift_for(*, pk: object, person: User) -> Lift:
    """A lift as `person` may see it: the guest's own, the one they drive, or an open request
    they could take. NotFound (404) otherwise."""
    try:
        pk = int(str(pk))
    except ValueError:
        raise NotFound() from None
    lift = Lift.objects.select_related(*_RELATED).filter(pk=pk).first()
    if lift is None:
        raise NotFound()
    if lift.guest_id == person.pk or (
        lift.driver is not None and lift.driver.person_id == person.pk
    ):
        return lift
    driver = driver_of(person=person)
    if driver is None or not driver.checked or person.home_location is None:
        raise NotFound()
    if lifts_open_for(driver=driver).filter(pk=pk).exists():
        return lift
    raise NotFound()


def pickup_note_for(*, lift: Lift, viewer: User) -> str:
    """The street and door: for the guest and the driver who took the lift (while checked),
    until the meal ends; for nobody else, ever."""
    if lift.meal.ends_at <= timezone.now() or lift.status not in LIVE_LIFT_STATUSES:
        return ""
    if lift.guest_id == viewer.pk:
        return lift.pickup_note
    driver = lift.driver if lift.status == Lift.Status.TAKEN else None
    if driver is not None and driver.checked and driver.person_id == viewer.pk:
        return lift.pickup_note
    return ""


def lift_of(*, meal: Meal, person: User) -> Lift | None:
    """The person's live lift request for this meal, if any."""
    return (
        Lift.objects.filter(
            meal=meal,
            guest=person,
            status__in=LIVE_LIFT_STATUSES,
            signup__status__in=LIVE_SIGNUP_STATUSES,
        )
        .select_related(*_RELATED)
        .first()
    )


def lifts_driven_by(*, driver: Driver) -> QuerySet[Lift]:
    """The lifts this driver has taken for meals yet to end, soonest first."""
    return (
        Lift.objects.filter(
            driver=driver, status=Lift.Status.TAKEN, meal__ends_at__gt=timezone.now()
        )
        .select_related(*_RELATED)
        .order_by("meal__starts_at", "pk")
    )


def lift_awaiting_reply(*, person: User) -> Lift | None:
    """The lift whose driver texted `person` in the last 48 hours, while that is the last
    thing said to them: a host's message since (to a meal they hold a place at), or a guest's
    question to them as a host since, takes their next free text instead (meals.questions)."""
    now = timezone.now()
    lift = (
        Lift.objects.filter(
            guest=person,
            status=Lift.Status.TAKEN,
            driver_texted_at__gte=now - RELAY_WINDOW,
            meal__ends_at__gt=now,
        )
        .select_related(*_RELATED)
        .order_by("-driver_texted_at", "-pk")
        .first()
    )
    if lift is None:
        return None
    since = lift.driver_texted_at
    host_spoke = HostMessage.objects.filter(
        meal__signups__person=person,
        meal__signups__status__in=LIVE_SIGNUP_STATUSES,
        created_at__gt=since,
    ).exists()
    asked = GuestQuestion.objects.filter(meal__host=person, asked_at__gt=since).exists()
    return None if host_spoke or asked else lift

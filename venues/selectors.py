"""Reads about venues and bookings, scoped to who is asking, with related rows fetched."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import F, Prefetch, Q, QuerySet, Value

from people.geo import KnnDistance
from people.models import User
from venues.models import (
    LIVE_BOOKING_STATUSES,
    Booking,
    Membership,
    OpeningHours,
    Organisation,
    Venue,
)


def is_staff_of(person: User, organisation: Organisation | int) -> bool:
    """True when `person` is a member (admin or staff) of `organisation`."""
    if not person or not person.is_authenticated:
        return False
    organisation_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return Membership.objects.filter(person=person, organisation_id=organisation_id).exists()


def organisation_ids_of(person: User) -> list[int]:
    if not person or not person.is_authenticated:
        return []
    return list(Membership.objects.filter(person=person).values_list("organisation_id", flat=True))


def _with_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("organisation").prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )


def venues_search(
    *,
    near: Point | None = None,
    radius_m: float = 5000,
    kind: str | None = None,
    step_free: bool | None = None,
    min_capacity: int | None = None,
    organisation_id: int | None = None,
) -> QuerySet[Venue]:
    """Active venues; with `near`, only those within `radius_m`, nearest first with `distance_m`."""
    queryset = Venue.objects.active()
    if kind:
        queryset = queryset.filter(kind=kind)
    if step_free is not None:
        queryset = queryset.filter(step_free=step_free)
    if min_capacity is not None:
        queryset = queryset.filter(capacity__gte=min_capacity)
    if organisation_id is not None:
        queryset = queryset.filter(organisation_id=organisation_id)
    if near is None:
        return _with_related(queryset.order_by("name", "id"))
    here = Value(near, output_field=PointField(geography=True, srid=4326))
    queryset = (
        queryset.filter(location__dwithin=(near, D(m=radius_m)))
        .annotate(distance_m=Distance("location", near))
        .order_by(KnnDistance(F("location"), here), "id")
    )
    return _with_related(queryset)


def venues_visible_to(person: User) -> QuerySet[Venue]:
    """Active venues, plus inactive ones run by the person's organisations."""
    mine = Q(organisation_id__in=organisation_ids_of(person))
    return _with_related(Venue.objects.filter(Q(active=True) | mine).order_by("name", "id"))


def venue_availability(*, venue: Venue, start: dt.datetime, end: dt.datetime) -> dict:
    """Opening hours and the busy intervals overlapping [start, end); nobody's details."""
    busy = (
        Booking.objects.filter(
            venue=venue,
            status__in=LIVE_BOOKING_STATUSES,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .order_by("starts_at")
        .values("starts_at", "ends_at")
    )
    return {
        "opening_hours": list(venue.opening_hours.order_by("weekday", "opens")),
        "busy": list(busy),
    }


def bookings_visible_to(person: User) -> QuerySet[Booking]:
    """Bookings I made, plus those at venues my organisations run; newest slot first."""
    return (
        Booking.objects.filter(
            Q(requested_by=person) | Q(venue__organisation_id__in=organisation_ids_of(person))
        )
        .select_related("venue", "venue__organisation", "requested_by", "decided_by")
        .order_by("-starts_at", "-id")
    )


def organisation_staff(organisation: Organisation | int) -> QuerySet[User]:
    """Everyone who manages an organisation's venues and bookings."""
    organisation_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return User.objects.filter(
        memberships__organisation_id=organisation_id, is_active=True
    ).order_by("id")


def venue_free_slots(*, venue: Venue, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """The venue's opening windows within [start, end), less the live bookings: each free
    stretch as {"starts_at", "ends_at"} in local time, earliest first; nobody's details."""
    zone = start.tzinfo
    busy = venue_availability(venue=venue, start=start, end=end)["busy"]
    hours = list(venue.opening_hours.all())
    free = []
    day = start.date()
    while dt.datetime.combine(day, dt.time.min, tzinfo=zone) < end:
        for window in (h for h in hours if h.weekday == day.weekday()):
            opens = max(dt.datetime.combine(day, window.opens, tzinfo=zone), start)
            closes = min(dt.datetime.combine(day, window.closes, tzinfo=zone), end)
            cursor = opens
            for booked in busy:
                if booked["ends_at"] <= cursor or booked["starts_at"] >= closes:
                    continue
                if booked["starts_at"] > cursor:
                    free.append({"starts_at": cursor, "ends_at": booked["starts_at"]})
                cursor = max(cursor, booked["ends_at"])
            if cursor < closes:
                free.append({"starts_at": cursor, "ends_at": closes})
        day += dt.timedelta(days=1)
    return sorted(free, key=lambda slot: slot["starts_at"])


def bookings_awaiting_decision(
    *, organisation_ids: Iterable[int], now: dt.datetime
) -> QuerySet[Booking]:
    """Requested bookings at the given organisations' venues whose slot has not ended yet,
    soonest first: what an officer still has to approve or decline."""
    return (
        Booking.objects.filter(
            venue__organisation_id__in=list(organisation_ids),
            status=Booking.Status.REQUESTED,
            ends_at__gt=now,
        )
        .select_related("venue", "requested_by")
        .order_by("starts_at", "id")
    )


def booking_of_organisations(*, booking_id: int, organisation_ids: Iterable[int]) -> Booking:
    """The booking, if it is at one of the given organisations' venues; Booking.DoesNotExist
    otherwise, so a booking elsewhere is the same as no booking at all."""
    return Booking.objects.select_related("venue").get(
        pk=booking_id, venue__organisation_id__in=list(organisation_ids)
    )


def organisations_in(organisation_ids: Iterable[int]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=list(organisation_ids)).order_by("name", "id")

"""A venue's details and opening hours, and who runs it."""

import datetime as dt
from collections.abc import Sequence
from typing import TypedDict

from django.contrib.gis.geos import Point
from django.db import transaction

from people.errors import NotAllowed
from people.models import User
from people.unset import UNSET, Unset, given
from venues.models import Membership, OpeningHours, Organisation, Venue
from venues.selectors import is_staff_of
from venues.services.bookings import BookingInvalid


@transaction.atomic
def memberships_end(*, person: User) -> int:
    """When someone leaves Blether: they stop being staff of any organisation."""
    deleted, _ = Membership.objects.filter(person=person).delete()
    return deleted


class OpeningWindow(TypedDict):
    weekday: int  # 0 is Monday
    opens: dt.time
    closes: dt.time


@transaction.atomic
def venue_create(
    *,
    organisation: Organisation,
    by: User,
    name: str,
    kind: str,
    address: str,
    location: Point,
    capacity: int,
    step_free: bool | Unset = UNSET,
    accessible_toilet: bool | Unset = UNSET,
    hearing_loop: bool | Unset = UNSET,
    parking: bool | Unset = UNSET,
    kitchen: bool | Unset = UNSET,
    tea_urn: bool | Unset = UNSET,
    tables: bool | Unset = UNSET,
    outdoor_space: bool | Unset = UNSET,
    house_rules: str | Unset = UNSET,
    booking_policy: str | Unset = UNSET,
    min_notice_hours: int | Unset = UNSET,
    booking_horizon_days: int | Unset = UNSET,
    min_booking_minutes: int | Unset = UNSET,
    max_bookings_per_person: int | Unset = UNSET,
    active: bool | Unset = UNSET,
    opening_hours: Sequence[OpeningWindow] = (),
) -> Venue:
    """Add a venue to an organisation. Staff of that organisation only.

    What is left UNSET takes the model's default.
    """
    if not is_staff_of(by, organisation):
        raise NotAllowed("Only staff of this organisation can add its venues.")
    venue = Venue.objects.create(
        organisation=organisation,
        name=name,
        kind=kind,
        address=address,
        location=location,
        capacity=capacity,
        **given(
            step_free=step_free,
            accessible_toilet=accessible_toilet,
            hearing_loop=hearing_loop,
            parking=parking,
            kitchen=kitchen,
            tea_urn=tea_urn,
            tables=tables,
            outdoor_space=outdoor_space,
            house_rules=house_rules,
            booking_policy=booking_policy,
            min_notice_hours=min_notice_hours,
            booking_horizon_days=booking_horizon_days,
            min_booking_minutes=min_booking_minutes,
            max_bookings_per_person=max_bookings_per_person,
            active=active,
        ),
    )
    _replace_opening_hours(venue=venue, opening_hours=opening_hours)
    return venue


@transaction.atomic
def venue_update(
    *,
    venue: Venue,
    by: User,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    address: str | Unset = UNSET,
    location: Point | Unset = UNSET,
    capacity: int | Unset = UNSET,
    step_free: bool | Unset = UNSET,
    accessible_toilet: bool | Unset = UNSET,
    hearing_loop: bool | Unset = UNSET,
    parking: bool | Unset = UNSET,
    kitchen: bool | Unset = UNSET,
    tea_urn: bool | Unset = UNSET,
    tables: bool | Unset = UNSET,
    outdoor_space: bool | Unset = UNSET,
    house_rules: str | Unset = UNSET,
    booking_policy: str | Unset = UNSET,
    min_notice_hours: int | Unset = UNSET,
    booking_horizon_days: int | Unset = UNSET,
    min_booking_minutes: int | Unset = UNSET,
    max_bookings_per_person: int | Unset = UNSET,
    active: bool | Unset = UNSET,
    opening_hours: Sequence[OpeningWindow] | Unset = UNSET,
) -> Venue:
    """Change the given fields of a venue; `opening_hours`, when given, replaces the whole week."""
    changes = given(
        name=name,
        kind=kind,
        address=address,
        location=location,
        capacity=capacity,
        step_free=step_free,
        accessible_toilet=accessible_toilet,
        hearing_loop=hearing_loop,
        parking=parking,
        kitchen=kitchen,
        tea_urn=tea_urn,
        tables=tables,
        outdoor_space=outdoor_space,
        house_rules=house_rules,
        booking_policy=booking_policy,
        min_notice_hours=min_notice_hours,
        booking_horizon_days=booking_horizon_days,
        min_booking_minutes=min_booking_minutes,
        max_bookings_per_person=max_bookings_per_person,
        active=active,
    )
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    if not is_staff_of(by, venue.organisation_id):
        raise NotAllowed("Only staff of the organisation that runs this venue can change it.")
    for field, value in changes.items():
        setattr(venue, field, value)
    if changes:
        venue.save(update_fields=list(changes))
    if opening_hours is not UNSET:
        _replace_opening_hours(venue=venue, opening_hours=opening_hours)
    return venue


def _replace_opening_hours(*, venue: Venue, opening_hours: Sequence[OpeningWindow]) -> None:
    for window in opening_hours:
        if not 0 <= window["weekday"] <= 6:
            raise BookingInvalid({"opening_hours": ["weekday runs from 0 (Monday) to 6."]})
        if window["opens"] >= window["closes"]:
            raise BookingInvalid({"opening_hours": ["Each window must open before it closes."]})
    venue.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(
            venue=venue,
            weekday=window["weekday"],
            opens=window["opens"],
            closes=window["closes"],
        )
        for window in opening_hours
    )

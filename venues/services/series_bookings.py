"""One booking request for every date of a meal series. Each date is its own Booking under
the same exclusion constraint; a date that cannot be had (taken, or outside what the venue
takes) is listed with the reason and left out, never dropped without a word. The staff decide
all the dates at once (bookings._decide)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from notifications.gsm import gsm7_line
from notifications.services import notify
from people.models import User
from venues.models import Booking, SeriesBooking, Venue
from venues.selectors import organisation_staff
from venues.services.bookings import (
    BookingInvalid,
    SlotTaken,
    check_cap,
    check_slot,
    insert_booking,
    slot_when,
)


@dataclass(frozen=True)
class Clash:
    """A date of the series the venue could not give, and why."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str


def _book_one(
    venue: Venue, group: SeriesBooking, starts_at: dt.datetime, ends_at: dt.datetime, auto: bool
) -> Booking | Clash:
    try:
        check_slot(venue=venue, starts_at=starts_at, ends_at=ends_at)
        return insert_booking(
            venue=venue,
            requested_by=group.requested_by,
            starts_at=starts_at,
            ends_at=ends_at,
            note=group.note,
            series_booking=group,
            status=Booking.Status.CONFIRMED if auto else Booking.Status.REQUESTED,
            decided_at=timezone.now() if auto else None,
        )
    except (BookingInvalid, SlotTaken) as exc:
        return Clash(starts_at=starts_at, ends_at=ends_at, reason=str(exc.detail))


@transaction.atomic
def series_booking_request(
    *,
    venue: Venue,
    person: User,
    slots: Sequence[tuple[dt.datetime, dt.datetime]],
    note: str = "",
) -> tuple[SeriesBooking, list[Booking], list[Clash]]:
    """Ask for every slot of a series at once: confirmed at once under auto_confirm,
    otherwise requested, and the staff are told once. Returns the bookings made and the
    clashes. Raises BookingInvalid (400) when no slot at all can be had, and TooManyBookings
    (409) when the person already holds the venue's limit (a series counts as one). Takes the
    venue row lock (FOR NO KEY UPDATE), as booking_request does."""
    venue = (
        Venue.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation")
        .get(pk=venue.pk)
    )
    check_cap(venue=venue, person=person)
    group = SeriesBooking.objects.create(venue=venue, requested_by=person, note=note)
    auto = venue.booking_policy == Venue.BookingPolicy.AUTO_CONFIRM
    booked: list[Booking] = []
    clashes: list[Clash] = []
    for starts_at, ends_at in slots:
        outcome = _book_one(venue, group, starts_at, ends_at, auto)
        if isinstance(outcome, Booking):
            booked.append(outcome)
        else:
            clashes.append(outcome)
    if not booked:
        reasons = sorted({c.reason for c in clashes})
        raise BookingInvalid({"venue": [f"None of the dates can be booked: {' '.join(reasons)}"]})
    if not auto:
        context = {
            "requester": gsm7_line(person.first_name) or "A neighbour",
            "venue": gsm7_line(venue.name),
            "when": f"{len(booked)} dates from {slot_when(booked[0])}",
        }
        for staff in organisation_staff(venue.organisation_id):
            notify(
                recipient=staff,
                template="booking_requested",
                context=context,
                dedupe_key=f"series-booking-requested:{group.pk}:{staff.pk}",
            )
    return group, booked, clashes

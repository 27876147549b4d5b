"""Asking for a slot at a venue, deciding on it, cancelling it.

The database has the last word on overlaps.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from notifications.gsm import gsm7_line, measure
from notifications.services import notify
from notifications.templates import render, when_text
from people.errors import Conflict, DomainError, NotAllowed
from people.models import User
from venues.models import LIVE_BOOKING_STATUSES, Booking, OpeningHours, SeriesBooking, Venue
from venues.selectors import is_staff_of, organisation_staff

MAX_BOOKING = dt.timedelta(hours=12)
OVERLAP_CONSTRAINT = "venues_booking_no_overlap"
# Two concurrent inserts of overlapping slots can deadlock on each other's row; one retry
# inside a savepoint then meets the survivor's committed row and gets a clean 409.
DEADLOCK_RETRIES = 5


class BookingInvalid(DomainError):
    code = "booking_invalid"
    default_detail = "That booking cannot be made."


class SlotTaken(Conflict):
    code = "slot_taken"
    default_detail = "Sorry, that time is already booked at this venue. Try another time."


class TooManyBookings(Conflict):
    code = "too_many_bookings"
    default_detail = "You already hold as many bookings of this venue as it allows."


class BookingNotLive(Conflict):
    code = "booking_not_live"
    default_detail = "This booking has already been decided or cancelled."


class BookingInUse(Conflict):
    code = "booking_in_use"
    default_detail = "A meal uses this booking; its host must cancel the meal first."


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))


def _fit_reason(*, context: dict, reason: str) -> str:
    """As much of the staff's reason as still fits the decline text in one SMS."""
    reason = gsm7_line(reason)
    base = render("booking_declined", {**context, "reason": ""})
    for size in range(len(reason), 9, -1):
        shown = reason if size == len(reason) else reason[: size - 3].rstrip() + "..."
        if measure(f"{base} Reason: {shown}")[2] == 1:
            return f" Reason: {shown}"
    return ""


def slot_when(booking: Booking) -> str:
    """'Sat 28 Nov 12:00-14:30', in local time, for a text."""
    return when_text(booking.starts_at, booking.ends_at)


def check_slot(*, venue: Venue, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise BookingInvalid("Give times with a UTC offset, e.g. 2026-11-28T12:00:00+00:00.")
    if not venue.active:
        raise BookingInvalid("This venue is not taking bookings at the moment.")
    if ends_at <= starts_at:
        raise BookingInvalid("The booking must end after it starts.")
    if ends_at - starts_at > MAX_BOOKING:
        raise BookingInvalid("A booking can be at most 12 hours long.")
    if ends_at - starts_at < dt.timedelta(minutes=venue.min_booking_minutes):
        raise BookingInvalid(
            f"A booking at {venue.name} must be at least {venue.min_booking_minutes} minutes long."
        )
    now = timezone.now()
    if starts_at <= now:
        raise BookingInvalid("That time has already passed.")
    horizon = now + dt.timedelta(days=venue.booking_horizon_days)
    if starts_at > horizon:
        raise BookingInvalid(
            f"{venue.name} takes bookings up to {venue.booking_horizon_days} days ahead: "
            f"choose a start on or before {_local(horizon).day} {_local(horizon):%B %Y}."
        )
    if starts_at < now + dt.timedelta(hours=venue.min_notice_hours):
        raise BookingInvalid(
            f"{venue.name} asks for at least {venue.min_notice_hours} hours' notice."
        )
    start, end = _local(starts_at), _local(ends_at)
    fits = (
        start.date() == end.date()
        and OpeningHours.objects.filter(
            venue=venue,
            weekday=start.weekday(),
            opens__lte=start.time(),
            closes__gte=end.time(),
        ).exists()
    )
    if not fits:
        raise BookingInvalid(
            f"{venue.name} is not open for the whole of that time. "
            "Check its opening hours and try a time inside them."
        )


def check_cap(*, venue: Venue, person: User) -> None:
    """Call while holding the venue row lock, so two requests cannot both take the last place.
    A series' dates still to come count as one booking, as they were one request."""
    counts = Booking.objects.filter(
        venue=venue,
        requested_by=person,
        status__in=LIVE_BOOKING_STATUSES,
        starts_at__gt=timezone.now(),
    ).aggregate(
        single=Count("pk", filter=Q(series_booking__isnull=True)),
        series=Count("series_booking", distinct=True),
    )
    held = counts["single"] + counts["series"]
    if held >= venue.max_bookings_per_person:
        raise TooManyBookings(
            f"You already hold {held} bookings of {venue.name} yet to come, "
            f"which is as many as it allows. Cancel one or wait until one has passed."
        )


def insert_booking(**fields) -> Booking:
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with transaction.atomic():
                return Booking.objects.create(**fields)
        except IntegrityError as exc:
            if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) == (
                OVERLAP_CONSTRAINT
            ):
                raise SlotTaken() from exc
            raise
        except OperationalError as exc:
            deadlock = getattr(exc.__cause__, "sqlstate", None) == "40P01"
            if not deadlock or attempt == DEADLOCK_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def booking_request(
    *,
    venue: Venue,
    person: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
) -> Booking:
    """Ask for a slot: confirmed at once under auto_confirm, otherwise requested for staff.

    Raises BookingInvalid (400) for a slot the venue cannot take (outside its hours, too
    short, too far ahead), TooManyBookings (409) when the person already holds the venue's
    limit of bookings yet to come, and SlotTaken (409) when a live booking overlaps; the
    exclusion constraint decides the latter. Requests at one venue take its row lock (FOR NO
    KEY UPDATE, which leaves inserts referring to the venue free) so the limit holds.
    """
    venue = (
        Venue.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation")
        .get(pk=venue.pk)
    )
    check_slot(venue=venue, starts_at=starts_at, ends_at=ends_at)
    check_cap(venue=venue, person=person)
    auto = venue.booking_policy == Venue.BookingPolicy.AUTO_CONFIRM
    booking = insert_booking(
        venue=venue,
        requested_by=person,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
        status=Booking.Status.CONFIRMED if auto else Booking.Status.REQUESTED,
        decided_at=timezone.now() if auto else None,
    )
    if not auto:
        context = {
            "requester": gsm7_line(person.first_name) or "A neighbour",
            "venue": gsm7_line(venue.name),
            "when": slot_when(booking),
        }
        for staff in organisation_staff(venue.organisation_id):
            notify(
                recipient=staff,
                template="booking_requested",
                context=context,
                dedupe_key=f"booking-requested:{booking.pk}:{staff.pk}",
            )
    return booking


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("venue").get(pk=booking.pk)


def _decide(*, booking: Booking, by: User, status: str, reason: str = "") -> Booking:
    if booking.series_booking_id is not None:
        # The series first: clicks on two dates of one series wait for each other here
        # instead of each locking its date and then the other's (a deadlock).
        SeriesBooking.objects.select_for_update().get(pk=booking.series_booking_id)
    booking = _locked(booking)
    if not is_staff_of(by, booking.venue.organisation_id):
        raise NotAllowed("Only staff of the organisation that runs this venue can decide.")
    if booking.status != Booking.Status.REQUESTED:
        raise BookingNotLive(f"This booking is already {booking.status}.")
    booking.status = status
    booking.decided_by = by
    booking.decided_at = timezone.now()
    booking.decision_reason = reason
    booking.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if booking.series_booking_id is not None:
        # A series' dates are decided once, together.
        Booking.objects.filter(
            series_booking_id=booking.series_booking_id, status=Booking.Status.REQUESTED
        ).update(
            status=status, decided_by=by, decided_at=booking.decided_at, decision_reason=reason
        )
    return booking


def _decided_when(booking: Booking) -> str:
    """The slot a decision is about: one date, or the dates of a series from the first."""
    if booking.series_booking_id is None:
        return slot_when(booking)
    dates = Booking.objects.filter(series_booking_id=booking.series_booking_id)
    first = dates.order_by("starts_at").first() or booking
    return f"{dates.count()} dates from {slot_when(first)}"


@transaction.atomic
def booking_approve(*, booking: Booking, by: User) -> Booking:
    """Confirm a requested booking; the requester is told. Staff of the venue's organisation."""
    booking = _decide(booking=booking, by=by, status=Booking.Status.CONFIRMED)
    notify(
        recipient=booking.requested_by,
        template="booking_confirmed",
        context={"venue": gsm7_line(booking.venue.name), "when": _decided_when(booking)},
        dedupe_key=f"booking-decided:{booking.pk}",
    )
    return booking


@transaction.atomic
def booking_decline(*, booking: Booking, by: User, reason: str = "") -> Booking:
    """Turn down a requested booking, freeing the slot; the requester is told."""
    booking = _decide(booking=booking, by=by, status=Booking.Status.DECLINED, reason=reason)
    context = {"venue": gsm7_line(booking.venue.name), "when": _decided_when(booking)}
    notify(
        recipient=booking.requested_by,
        template="booking_declined",
        context={**context, "reason": _fit_reason(context=context, reason=reason)},
        dedupe_key=f"booking-decided:{booking.pk}",
    )
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User, meal_needs_it: bool = False) -> Booking:
    """Release a live booking. The requester or staff of the venue's organisation may.

    When staff cancel someone else's booking, the requester is told. `meal_needs_it` is the
    meals app's answer, given while it holds this booking's row lock: a booking a meal still
    needs is not released (BookingInUse). The faces cancel through meals.services.booking_cancel.
    """
    booking = _locked(booking)
    is_requester = booking.requested_by_id == by.pk
    if not is_requester and not is_staff_of(by, booking.venue.organisation_id):
        raise NotAllowed("Only the person who booked or the venue's staff can cancel.")
    if booking.status not in LIVE_BOOKING_STATUSES:
        raise BookingNotLive(f"This booking is already {booking.status}.")
    # Guests would keep a place at a venue whose slot had gone to someone else.
    if meal_needs_it:
        raise BookingInUse()
    booking.status = Booking.Status.CANCELLED
    booking.save(update_fields=["status"])
    if not is_requester:
        notify(
            recipient=booking.requested_by,
            template="booking_cancelled",
            context={"venue": gsm7_line(booking.venue.name), "when": slot_when(booking)},
            dedupe_key=f"booking-cancelled:{booking.pk}",
        )
    return booking

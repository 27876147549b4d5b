"""Writes about venues and bookings, by subject; import them from here.

- `bookings`: asking for a slot, deciding on it, cancelling it;
- `venues`: a venue's details and opening hours, and who runs it.
"""

from venues.services.bookings import (
    BookingInUse,
    BookingInvalid,
    BookingNotLive,
    SlotTaken,
    TooManyBookings,
    booking_approve,
    booking_cancel,
    booking_decline,
    booking_request,
)
from venues.services.series_bookings import Clash, series_booking_request
from venues.services.venues import OpeningWindow, memberships_end, venue_create, venue_update

__all__ = [
    "BookingInUse",
    "BookingInvalid",
    "BookingNotLive",
    "Clash",
    "OpeningWindow",
    "SlotTaken",
    "TooManyBookings",
    "booking_approve",
    "booking_cancel",
    "booking_decline",
    "booking_request",
    "memberships_end",
    "series_booking_request",
    "venue_create",
    "venue_update",
]

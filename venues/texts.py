"""Texts about venue bookings, registered with the notifications app at start-up."""

from notifications.templates import register

register(
    "booking_requested",
    category="transactional",
    text="Blether: {requester} asks to book {venue} on {when}. "
    "Please approve or decline it in the Blether app.",
)
register(
    "booking_confirmed",
    category="transactional",
    text="Blether: your booking of {venue} on {when} is confirmed.",
)
register(
    "booking_declined",
    category="transactional",
    text="Blether: sorry, {venue} cannot take your booking on {when}.{reason}",
)
register(
    "booking_cancelled",
    category="transactional",
    text="Blether: {venue} has cancelled your booking on {when}. Sorry for the trouble.",
)

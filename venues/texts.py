"""Texts about venue bookings, which the venues app gives notifications at start-up."""

from notifications.templates import Template, register

BOOKING_TEXTS = {
    "booking_requested": Template(
        "transactional",
        "Blether: {requester} asks to book {venue} on {when}. "
        "Please approve or decline it in the Blether app.",
    ),
    "booking_confirmed": Template(
        "transactional",
        "Blether: your booking of {venue} on {when} is confirmed.",
    ),
    "booking_declined": Template(
        "transactional",
        "Blether: sorry, {venue} cannot take your booking on {when}.{reason}",
    ),
    "booking_cancelled": Template(
        "transactional",
        "Blether: {venue} has cancelled your booking on {when}. Sorry for the trouble.",
    ),
}


def register_templates() -> None:
    """Give notifications the booking texts, which it renders by name; VenuesConfig.ready
    calls it."""
    for name, template in BOOKING_TEXTS.items():
        register(name, category=template.category, text=template.text)

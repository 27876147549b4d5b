"""What every page's template may use."""

from django.conf import settings


def blether(request) -> dict:
    # The number people text (JOIN <code>, MEALS), as the SMS conversation names it.
    return {"sms_number": settings.SMS_PUBLIC_NUMBER or "Blether's number"}

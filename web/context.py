"""What every page's template may use."""

from django.conf import settings


def blether(request) -> dict:
    return {"sms_number": settings.BLETHER_SMS_NUMBER}

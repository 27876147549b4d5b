"""SMS gateways. Only this package may import twilio."""

from functools import cache

from django.conf import settings

from notifications.gateways.base import (
    Gateway,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
    UnknownOutcome,
)

__all__ = [
    "Gateway",
    "PermanentFailure",
    "SendResult",
    "TemporaryFailure",
    "UnknownOutcome",
    "get_gateway",
    "reset_gateway_cache",
]


@cache
def _build(name: str) -> Gateway:
    if name == "console":
        from notifications.gateways.console import ConsoleGateway

        return ConsoleGateway()
    if name == "twilio":
        from notifications.gateways.twilio import TwilioGateway

        return TwilioGateway.from_settings()
    raise ValueError(f"unknown SMS_BACKEND {name!r}")


def get_gateway() -> Gateway:
    return _build(settings.SMS_BACKEND)


def reset_gateway_cache() -> None:
    _build.cache_clear()

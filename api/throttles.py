"""DRF throttles as thin adapters over people.ratelimit, which does the counting for every face.

Each throttle only says which limit a request falls under (its scope and whom it counts);
a throttled request gets DRF's 429 with Retry-After. With `AllOrNothingThrottling` a request
counts against a view's limits only when every one of them lets it through, so a refused
retry does not use up the hourly quota of codes.
"""

from typing import cast

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from people import ratelimit
from people.errors import InvalidPhone
from people.network import client_ip
from people.phones import normalise_phone


class RateLimitThrottle(BaseThrottle):
    """One limit of `settings.RATE_LIMITS`; subclasses name the scope and whom it counts."""

    scope = ""

    def ident(self, request, view) -> str | None:
        """Whom this request counts against; None when the limit does not apply to it."""
        raise NotImplementedError

    def limit(self, request, view) -> ratelimit.Limit | None:
        ident = self.ident(request, view)
        return None if ident is None else ratelimit.Limit(self.scope, ident)

    def allow_request(self, request, view) -> bool:
        limit = self.limit(request, view)
        self._wait = None if limit is None else ratelimit.hit(limit)
        return self._wait is None

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class AllOrNothingThrottling(APIView):
    """View mixin: one all-or-nothing hit over every throttle's limit."""

    def check_throttles(self, request: Request) -> None:
        # A view of this kind lists only RateLimitThrottles.
        throttles = cast(list[RateLimitThrottle], self.get_throttles())
        limits = [t.limit(request, self) for t in throttles]
        wait = ratelimit.hit(*(limit for limit in limits if limit is not None))
        if wait is not None:
            self.throttled(request, wait)
        self.counted_limits = [limit for limit in limits if limit is not None]


def _phone_from(request) -> str | None:
    data = request.data
    raw = data.get("phone") if hasattr(data, "get") else None
    if not isinstance(raw, str):
        return None
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        return None  # the serializer will answer 400


class _PhoneThrottle(RateLimitThrottle):
    def ident(self, request, view) -> str | None:
        return _phone_from(request)


class LoginCodePhoneMinuteThrottle(_PhoneThrottle):
    scope = "login_code_phone_minute"


class LoginCodePhoneHourThrottle(_PhoneThrottle):
    scope = "login_code_phone_hour"


class _IPThrottle(RateLimitThrottle):
    def ident(self, request, view) -> str:
        return client_ip(
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        )


class LoginCodeIPThrottle(_IPThrottle):
    scope = "login_code_ip"


class LoginTokenIPThrottle(_IPThrottle):
    scope = "login_token_ip"


class PostcodeLookupThrottle(RateLimitThrottle):
    """Per person (rate `postcode_lookups`): each new postcode may reach the postcode service."""

    scope = "postcode_lookups"

    def ident(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return str(request.user.pk)

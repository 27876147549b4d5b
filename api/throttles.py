"""Throttles for sign-in: per phone (normalised) and per client IP.

A request counts against a limit only when every limit on the view lets it
through (`AllOrNothingThrottling`), so a refused retry does not use up the
hourly quota of codes.
"""

from rest_framework.throttling import SimpleRateThrottle

from people.errors import InvalidPhone
from people.network import client_ip
from people.phones import normalise_phone


class _PeekableThrottle(SimpleRateThrottle):
    """A rate throttle that can say yes or no before it records the request."""

    def get_ident(self, request) -> str:
        return client_ip(
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        )

    def would_allow(self, request, view) -> bool:
        self._recordable = False
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return False
        self._recordable = True
        return True

    def record(self) -> None:
        if self._recordable:
            self.throttle_success()

    def forget(self) -> None:
        """Take back a request recorded by `record()` that was then refused and sent nothing."""
        if not self._recordable:
            return
        history = self.cache.get(self.key, [])
        if self.now in history:
            history.remove(self.now)
            self.cache.set(self.key, history, self.duration)


class AllOrNothingThrottling:
    """View mixin: check every throttle first, then record the request in all of them."""

    def check_throttles(self, request):
        throttles = self.get_throttles()
        waits = [t.wait() for t in throttles if not t.would_allow(request, self)]
        if waits:
            self.throttled(request, max((w for w in waits if w is not None), default=None))
        for throttle in throttles:
            throttle.record()
        self.recorded_throttles = throttles


def _phone_from(request) -> str | None:
    data = request.data
    raw = data.get("phone") if hasattr(data, "get") else None
    if not isinstance(raw, str):
        return None
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        return None  # the serializer will answer 400


class _PhoneThrottle(_PeekableThrottle):
    def get_cache_key(self, request, view):
        phone = _phone_from(request)
        if phone is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": phone}


class LoginCodePhoneMinuteThrottle(_PhoneThrottle):
    scope = "login_code_phone_minute"


class LoginCodePhoneHourThrottle(_PhoneThrottle):
    scope = "login_code_phone_hour"


class _IPThrottle(_PeekableThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginCodeIPThrottle(_IPThrottle):
    scope = "login_code_ip"


class LoginTokenIPThrottle(_IPThrottle):
    scope = "login_token_ip"

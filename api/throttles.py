"""Throttles for sign-in: per phone (normalised) and per client IP."""

from rest_framework.throttling import SimpleRateThrottle

from people.errors import InvalidPhone
from people.phones import normalise_phone


class _PhoneThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        raw = request.data.get("phone") if hasattr(request, "data") else None
        if not isinstance(raw, str):
            return None
        try:
            phone = normalise_phone(raw)
        except InvalidPhone:
            return None  # the serializer will answer 400
        return self.cache_format % {"scope": self.scope, "ident": phone}


class LoginCodePhoneMinuteThrottle(_PhoneThrottle):
    scope = "login_code_phone_minute"


class LoginCodePhoneHourThrottle(_PhoneThrottle):
    scope = "login_code_phone_hour"


class _IPThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginCodeIPThrottle(_IPThrottle):
    scope = "login_code_ip"


class LoginTokenIPThrottle(_IPThrottle):
    scope = "login_token_ip"

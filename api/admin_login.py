"""The admin's login, throttled per address and per username through people.ratelimit.

Every password tried counts, right or wrong: 40 guesses and then the right one must not
get in. Set on the default admin site in api/admin.py.
"""

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from people.network import client_ip
from people.ratelimit import Limit, hit


def _client_ip(request) -> str:
    return client_ip(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
    )


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": (
            "Too many sign-in attempts from here or for this account. "
            "Wait %(wait)s, then try again."
        ),
    }

    @sensitive_variables()
    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and self.cleaned_data.get("password"):
            wait = hit(
                Limit("admin_login_ip", _client_ip(self.request)),
                Limit("admin_login_username", username.strip().casefold()),
            )
            if wait is not None:
                raise ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"wait": _minutes(wait)},
                )
        return super().clean()

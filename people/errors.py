"""The one base class of domain errors; every app's errors derive from it.

It lives in the lowest app so every other app may import it. `api/` maps each
error to its HTTP status in one exception handler.
"""

from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "invalid"
    default_detail = "This request could not be carried out."

    def __init__(
        self, detail: str | dict[str, Any] | list[Any] | None = None, *, code: str | None = None
    ) -> None:
        self.detail = detail if detail is not None else self.default_detail
        if code:
            self.code = code
        super().__init__(str(self.detail))


class NotAllowed(DomainError):
    status_code = 403
    code = "not_allowed"
    default_detail = "You are not allowed to do that."


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_detail = "Not found."


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_detail = "That conflicts with the current state."


class InvalidPhone(DomainError):
    code = "invalid_phone"
    default_detail = "Enter a mobile number, like 07700 900123 or +447700900123."


class LoginCodeInvalid(DomainError):
    code = "invalid_code"
    default_detail = "That code is wrong or has expired. Ask for a new one."


class PhoneRegionNotAllowed(InvalidPhone):
    code = "phone_region_not_allowed"
    default_detail = "Blether can only text UK mobile numbers."


class TextsStopped(Conflict):
    """The number has texted STOP: carriers refuse our texts to it (21610) until START."""

    code = "texts_stopped"
    default_detail = (
        "You have stopped texts from Blether. Text START to Blether's number, then try again."
    )

from dataclasses import dataclass

# Provider refusals after which a number is not texted again (see ARCHITECTURE.md).
OPTED_OUT_CODES = frozenset({"21610"})
# 21612: the number cannot take SMS (a landline). 21408 is our account's region setting, not theirs.
INVALID_NUMBER_CODES = frozenset({"21211", "21614", "21612"})


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str = "sent"


class GatewayError(Exception):
    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


class TemporaryFailure(GatewayError):
    """Nothing was sent (429, 5xx, connection refused): safe to try again later."""


class PermanentFailure(GatewayError):
    """The provider refused this number for good (21610 opted out, 21211 invalid, ...)."""


class UnknownOutcome(GatewayError):
    """The request may have reached the provider and no answer came: never send it again."""


class Gateway:
    name = "base"

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        raise NotImplementedError

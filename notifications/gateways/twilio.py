"""Twilio through its official SDK.

Errors are sorted by what they tell us about the text:
- nothing was sent (429, 5xx, connection refused): TemporaryFailure, retried later;
- the provider refused for good (opted out, invalid, other 4xx): PermanentFailure;
- the request left and no answer came back (read timeout, connection dropped
  mid-request): UnknownOutcome, never resent.
"""

import logging
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from notifications.gateways.base import (
    INVALID_NUMBER_CODES,
    OPTED_OUT_CODES,
    Gateway,
    GatewayError,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
    UnknownOutcome,
)

DEFAULT_TIMEOUT_SECONDS = 10.0
# The SDK logs every request and its headers at INFO; one line per text is plenty.
_sdk_logger = logging.getLogger("notifications.gateways.twilio.sdk")
_sdk_logger.setLevel(logging.WARNING)


class RedirectingHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, sending to another Twilio-compatible base URL when asked."""

    def __init__(self, *, base_url: str = "", timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        super().__init__(timeout=timeout, logger=_sdk_logger)
        self.base_url = base_url.rstrip("/")

    def rewrite(self, url: str) -> str:
        if not self.base_url:
            return url
        target = urlsplit(self.base_url)
        parts = urlsplit(url)
        path = target.path.rstrip("/") + parts.path
        return urlunsplit((target.scheme, target.netloc, path, parts.query, parts.fragment))

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        return super().request(
            method, self.rewrite(url), params, data, headers, auth, timeout, allow_redirects
        )


def _is_connection_refused(exc: requests.ConnectionError) -> bool:
    """True when the TCP connection was never made, so the provider cannot have the text."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    seen = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return True
        name = type(cause).__name__
        if name in {"NewConnectionError", "NameResolutionError"}:
            return True
        inner = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        cause = getattr(cause, "reason", None) or inner or cause.__cause__ or cause.__context__
    return False


class TwilioGateway(Gateway):
    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        messaging_service_sid: str = "",
        from_number: str = "",
        api_base_url: str = "",
        http_client: HttpClient | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        if not (messaging_service_sid or from_number):
            raise ValueError("Twilio needs a Messaging Service SID or a From number")
        self.messaging_service_sid = messaging_service_sid
        self.from_number = from_number
        self.http_client = http_client or RedirectingHttpClient(
            base_url=api_base_url, timeout=timeout
        )
        self.client = Client(account_sid, auth_token, http_client=self.http_client)

    @classmethod
    def from_settings(cls) -> "TwilioGateway":
        return cls(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
            from_number=settings.TWILIO_FROM_NUMBER,
            api_base_url=settings.TWILIO_API_BASE_URL,
            timeout=settings.TWILIO_TIMEOUT_SECONDS,
        )

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        sender = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        if status_callback:
            sender["status_callback"] = status_callback
        try:
            message = self.client.messages.create(to=to, body=body, **sender)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise self._classify(exc) from exc
        except requests.ConnectionError as exc:
            if _is_connection_refused(exc):
                raise TemporaryFailure("could not reach Twilio", code="connect") from exc
            raise UnknownOutcome("connection lost mid-request", code="lost") from exc
        except requests.Timeout as exc:
            raise UnknownOutcome("no answer from Twilio in time", code="timeout") from exc
        except (requests.RequestException, TwilioException) as exc:
            raise UnknownOutcome("unexpected transport error", code="transport") from exc
        # str(): the SDK annotates the JSON status string as its class of Status constants.
        return SendResult(provider_sid=message.sid or "", status=str(message.status or "queued"))

    def _classify(self, exc: TwilioRestException | TwilioServiceException) -> GatewayError:
        status = int(getattr(exc, "status", 0) or 0)
        code = str(exc.code) if exc.code is not None else str(status)
        if status == 429 or status >= 500:
            return TemporaryFailure(f"Twilio answered {status}", code=code)
        if code in OPTED_OUT_CODES:
            return PermanentFailure("recipient has opted out", code=code)
        if code in INVALID_NUMBER_CODES:
            return PermanentFailure("not a textable mobile number", code=code)
        return PermanentFailure(f"Twilio refused the message ({status})", code=code)

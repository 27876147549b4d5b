"""Shared by the SMS tests: a recording HTTP client for the Twilio SDK, and signed webhooks."""

import json
import logging
from urllib.parse import urlencode

from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT = "AC" + "0" * 32
SERVICE = "MG" + "1" * 32


def created(sid: str = "SM" + "a" * 32) -> tuple[int, dict]:
    return 201, {"sid": sid, "status": "queued", "account_sid": ACCOUNT}


class RecordingHttpClient(HttpClient):
    """Answers the SDK from a script of (status, body) pairs or exceptions; records each call."""

    def __init__(self, *answers):
        super().__init__(logging.getLogger("tests.twilio"), False)
        self.answers = list(answers)
        self.calls: list[dict] = []

    def request(
        self,
        method,
        url,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.calls.append({"method": method, "url": url, "data": dict(data or {}), "auth": auth})
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, body = answer
        text = body if isinstance(body, str) else json.dumps(body)
        return Response(status, text)


def sign(path: str, params: dict, token: str = TOKEN, base: str = "https://blether.test") -> str:
    return RequestValidator(token).compute_signature(base + path, params)


def post_signed(
    client, path: str, params: dict, *, token: str = TOKEN, signature: str | None = None
):
    """POST a Twilio-style form to `path`, signed as Twilio would sign it."""
    sig = sign(path, params, token) if signature is None else signature
    extra = {"HTTP_X_TWILIO_SIGNATURE": sig} if sig else {}
    return client.post(
        path, urlencode(params), content_type="application/x-www-form-urlencoded", **extra
    )

"""One place where domain errors become HTTP answers."""

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from api.middleware import (
    DATABASE_UNAVAILABLE_DETAIL,
    RETRY_AFTER_SECONDS,
    database_unavailable,
    log_database_unavailable,
    mark_logged,
)
from people.errors import DomainError

_MB = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
TOO_BIG = f"The request body is larger than Blether takes ({_MB:g} MB)."
TOO_MANY_FIELDS = (
    f"The form has more fields than Blether takes ({settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})."
)


def database_unavailable_response(exc: Exception, context: dict[str, Any]) -> Response:
    """503 + Retry-After for a lost database connection (see api.middleware), logged once."""
    set_rollback()
    log_database_unavailable(context["request"], exc)
    response = Response({"detail": DATABASE_UNAVAILABLE_DETAIL}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    mark_logged(response)
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if database_unavailable(exc):
        return database_unavailable_response(exc, context)
    if isinstance(exc, DomainError):
        detail = exc.detail
        data = detail if isinstance(detail, dict) else {"detail": detail}
        if isinstance(detail, list):
            data = {"detail": detail}
        answer = Response(data, status=exc.status_code)
        retry_after = getattr(exc, "retry_after", None)  # a 503 says when to come back
        if retry_after:
            answer["Retry-After"] = str(retry_after)
        return answer
    if isinstance(exc, RequestDataTooBig):
        # Django's SuspiciousOperation would otherwise answer a bare "Bad request." (or,
        # under DEBUG, its HTML debug page); the client should know what to change.
        return Response({"detail": TOO_BIG}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": TOO_MANY_FIELDS}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        wait = getattr(exc, "wait", None)
        # DRF rounds down and may say 0; a client should always be told to wait.
        response["Retry-After"] = str(max(math.ceil(wait or 0), 1))
    return response


# Django's own error pages, for requests that never reach a DRF view (no URL matched,
# a crash outside a view). Wired in api/urls.py as handler400/handler404/handler500.
def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Bad request."}, status=400)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Something went wrong on our side."}, status=500)

"""One place where domain errors become HTTP answers."""

import math

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
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


def database_unavailable_response(exc, context) -> Response:
    """503 + Retry-After for a lost database connection (see api.middleware), logged once."""
    set_rollback()
    log_database_unavailable(context["request"], exc)
    response = Response({"detail": DATABASE_UNAVAILABLE_DETAIL}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    mark_logged(response)
    return response


def exception_handler(exc, context):
    if database_unavailable(exc):
        return database_unavailable_response(exc, context)
    if isinstance(exc, DomainError):
        detail = exc.detail
        data = detail if isinstance(detail, dict) else {"detail": detail}
        if isinstance(detail, list):
            data = {"detail": detail}
        response = Response(data, status=exc.status_code)
        return response
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
def bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request."}, status=400)


def not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    return JsonResponse({"detail": "Something went wrong on our side."}, status=500)

"""One place where domain errors become HTTP answers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from people.errors import DomainError


def exception_handler(exc, context):
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
        if wait is not None and "Retry-After" not in response:
            response["Retry-After"] = str(max(int(wait), 1))
    return response

"""A database that has gone away (a restart, a failover, no free connection) answers 503.

Such a request did nothing: the transaction it was in died with the connection. The client
is told to try again shortly, in JSON like every other error, and the server logs one line
instead of a traceback per request. Errors of a working connection (a constraint, a deadlock,
a timeout) are left alone: they are not "try again later".
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE_DETAIL = "Blether is briefly unavailable. Please try again in a few seconds."

# SQLSTATEs of a connection that is gone or cannot be had: class 08 (connection exception),
# the server shutting down, crashing or starting up, and "too many clients already".
_GONE_CLASSES = ("08",)
_GONE_STATES = {"57P01", "57P02", "57P03", "53300"}


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__ or exc
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def database_unavailable(exc: BaseException) -> bool:
    """Is `exc` a lost or refused database connection (not an error of a working one)?"""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    state = _sqlstate(exc)
    # No SQLSTATE: the driver itself found the connection broken, refused or timed out.
    return state is None or state.startswith(_GONE_CLASSES) or state in _GONE_STATES


def log_database_unavailable(request: HttpRequest, exc: BaseException) -> None:
    """One line per request: method, path (never the query string) and what the driver said."""
    cause = exc.__cause__ or exc
    logger.warning(
        "database unavailable, answered 503: %s %s (%s %s)",
        request.method,
        request.path,
        type(cause).__name__,
        _sqlstate(exc) or "no sqlstate",
    )


def mark_logged(response) -> None:
    """Tell Django's request logger this answer is already logged (it checks this attribute)."""
    response._has_been_logged = True


class DatabaseUnavailableMiddleware:
    """For views outside DRF (admin, pages); DRF views go through api.exceptions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        log_database_unavailable(request, exception)
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE_DETAIL}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        mark_logged(response)
        return response

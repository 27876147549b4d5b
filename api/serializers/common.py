"""Shapes shared by many endpoints, chiefly DRF's error bodies for the schema."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class DetailOut(serializers.Serializer):
    detail = serializers.CharField()


def detail_response(description: str) -> OpenApiResponse:
    """An error answered as {"detail": "..."} (401, 403, 404, 409, 429)."""
    return OpenApiResponse(DetailOut, description=description)


def invalid_response(description: str = "Invalid input") -> OpenApiResponse:
    """A 400: {"field": ["message"]} or {"detail": "message"}."""
    return OpenApiResponse(OpenApiTypes.OBJECT, description=description)


UNAUTHENTICATED = detail_response("No token, or it has expired")
THROTTLED = detail_response("Too many requests; see the Retry-After header")
BAD_PAGE = invalid_response("A bad `page` or `page_size`, e.g. page_size=0")
NO_SUCH_PAGE = detail_response("No such page")

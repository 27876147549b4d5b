import json
from collections.abc import Callable

from django.http import HttpResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_SIZE_ERROR = "Give a whole number from 1."
MAX_PAGE_SIZE = 100


class PageSizeField(serializers.IntegerField):
    """`page_size` where a view checks its query itself: the same rule and words as Pagination."""

    default_error_messages = {"invalid": PAGE_SIZE_ERROR, "min_value": PAGE_SIZE_ERROR}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("help_text", f"1-{MAX_PAGE_SIZE}; more is served as {MAX_PAGE_SIZE}")
        super().__init__(**kwargs)


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (1-100); a page_size that is not a whole number is a 400."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: [PAGE_SIZE_ERROR]})
        return min(size, self.max_page_size)


class UncountedPagination(Pagination):
    """Pagination's `?page=`, `?page_size=` and links, without counting every match: the page
    is fetched with one row more than it shows, which says whether a next page exists, and
    `count` is null. For lists whose matches are costly to count (the nearby meals). Each page
    costs as much as all before it, so pages past the thousandth are not served (404)."""

    max_page = 1000

    def paginate_rows(self, fetch: Callable[..., list], request) -> list:
        """`fetch(offset=, limit=)` gives the rows from `offset`, at most `limit`. A page past
        the last is a 404, as for Pagination."""
        self.request = request
        size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        try:
            self.number = int(raw)
        except ValueError:
            self.number = 0
        if not 1 <= self.number <= self.max_page:
            raise NotFound(self.invalid_page_message)
        rows = fetch(offset=(self.number - 1) * size, limit=size + 1)
        if not rows and self.number > 1:
            raise NotFound(self.invalid_page_message)
        self.more = len(rows) > size
        return rows[:size]

    def get_paginated_response(self, data) -> Response:
        return Response(self._envelope(data))

    def _envelope(self, results) -> dict:
        assert self.request is not None  # set by paginate_rows
        url = self.request.build_absolute_uri()
        following = self.number + 1 if self.more else None
        return {
            "count": None,
            "next": following and replace_query_param(url, self.page_query_param, following),
            "previous": self._previous_link(url),
            "results": results,
        }

    def get_paginated_json_response(self, items: list[str]) -> HttpResponse:
        """The page as `get_paginated_response` renders it, from items that are JSON text
        already: the envelope is encoded and the items are put in it as they are, byte for byte
        what DRF's JSONRenderer would write (compact; U+2028 and U+2029 escaped)."""
        envelope = json.dumps(self._envelope([]), ensure_ascii=False, separators=(",", ":"))
        body = f"{envelope[: -len('[]}')]}[{','.join(items)}]}}"
        body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return HttpResponse(body.encode(), content_type="application/json")

    def _previous_link(self, url: str) -> str | None:
        if self.number == 1:
            return None
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

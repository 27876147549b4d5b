from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

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

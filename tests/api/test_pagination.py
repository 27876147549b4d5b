"""api.pagination: page sizes a client may ask for."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.pagination import Pagination


def page_of(query: str, items=range(250)) -> dict:
    request = Request(APIRequestFactory().get(f"/api/things/{query}"))
    paginator = Pagination()
    page = paginator.paginate_queryset(list(items), request)
    return paginator.get_paginated_response(page).data


def test_twenty_a_page_by_default():
    body = page_of("")

    assert body["count"] == 250
    assert body["results"] == list(range(20))
    assert body["previous"] is None
    assert body["next"] == "http://testserver/api/things/?page=2"


def test_a_page_size_is_honoured_up_to_one_hundred():
    assert len(page_of("?page_size=5")["results"]) == 5
    assert len(page_of("?page_size=100")["results"]) == 100
    assert len(page_of("?page_size=1000")["results"]) == 100


@pytest.mark.parametrize("size", ["0", "-3", "abc", "null", "2.5", ""])
def test_a_page_size_that_is_not_a_positive_whole_number_is_a_400(size):
    with pytest.raises(ValidationError) as caught:
        page_of(f"?page_size={size}")

    assert caught.value.detail == {"page_size": ["Give a whole number from 1."]}

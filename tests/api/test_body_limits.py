"""A body past Django's upload limits is a clear JSON 4xx on every path, DEBUG or not, and
nothing is written: never Django's bare "Bad request." nor, under DEBUG, its HTML debug page."""

import json

import pytest
from django.conf import settings

from api.exceptions import TOO_BIG, TOO_MANY_FIELDS
from meals.models import Meal
from notifications.models import Message

pytestmark = pytest.mark.django_db

LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def huge_json(field: str) -> str:
    return json.dumps({field: "x" * (LIMIT + 1)})


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_json_body_past_the_limit_is_a_413_that_says_so(
    api_client, host_client, resident_client, settings, debug
):
    settings.DEBUG = debug
    answers = [
        api_client.post("/api/auth/code/", huge_json("phone"), content_type="application/json"),
        api_client.post("/api/auth/token/", huge_json("code"), content_type="application/json"),
        host_client.post("/api/meals/", huge_json("title"), content_type="application/json"),
        resident_client.patch(
            "/api/me/", huge_json("display_name"), content_type="application/json"
        ),
    ]
    assert [(r.status_code, r["Content-Type"], r.json()) for r in answers] == [
        (413, "application/json", {"detail": TOO_BIG})
    ] * 4
    assert TOO_BIG == "The request body is larger than Blether takes (2.5 MB)."
    assert Meal.objects.count() == 0
    assert Message.objects.count() == 0


@pytest.fixture
def twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = "test-twilio-token"


def test_a_form_body_past_the_limit_is_a_413_too(api_client, twilio_token):
    # The signature covers the fields, so the body is read to check it, and found too big.
    response = api_client.post(
        "/api/sms/inbound/",
        f"From=%2B447700900123&MessageSid=SM1&Body={'x' * (LIMIT + 1)}",
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE="forged",
    )
    assert (response.status_code, response.json()) == (413, {"detail": TOO_BIG})


def test_a_form_with_too_many_fields_is_a_400_that_says_so(api_client, twilio_token):
    fields = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = api_client.post(
        "/api/sms/inbound/",
        fields,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE="forged",
    )
    assert (response.status_code, response.json()) == (400, {"detail": TOO_MANY_FIELDS})
    assert TOO_MANY_FIELDS == "The form has more fields than Blether takes (1000)."

"""Meals never published stay with their host; who brings a dish is for the people coming;
a host's invitation never names the neighbour's account."""

import datetime as dt
import itertools
import re
from html import unescape

import pytest
from django.utils import timezone

from meals.models import Meal, Signup
from meals.selectors import meal_by_code
from people.models import User
from tests.conftest import client_for
from tests.factories import DishFactory, MealFactory, SignupFactory, UserFactory, answer_safety
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.notifications.twilio_helpers import TOKEN, post_signed

pytestmark = pytest.mark.django_db

HIDDEN_CLOSE = "7 Hidden Close"
_sids = itertools.count(1)


def _street_draft(host_client) -> dict:
    starts = (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    response = host_client.post(
        "/api/meals/",
        {
            "kind": "street_tea",
            "title": "Tea on the close",
            "setting": "street",
            "location": {"lat": 55.6361, "lng": -4.7874},
            "place_description": HIDDEN_CLOSE,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "capacity": 8,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _sms(client, body: str, phone: str) -> str:
    params = {"MessageSid": f"SMpriv{next(_sids)}", "From": phone, "Body": body}
    response = post_signed(client, "/api/sms/inbound/", params)
    assert response.status_code == 200, response.content
    found = re.search(r"<Message>(.*)</Message>", response.content.decode(), re.S)
    return unescape(found.group(1)) if found else ""


def _every_read(client, meal_id: int) -> dict:
    """The status code of every way a signed-in person can reach a meal by its id."""
    base = f"/api/meals/{meal_id}/"
    return {
        "detail": client.get(base).status_code,
        "dishes": client.get(base + "dishes/").status_code,
        "sign up": client.post(base + "signups/", {}, format="json").status_code,
        "add dish": client.post(base + "dishes/", {"name": "Scones"}, format="json").status_code,
        "feedback": client.post(base + "feedback/", {"felt_welcome": 5}).status_code,
        "message": client.post(base + "messages/", {"text": "Hello"}).status_code,
    }


def test_a_cancelled_draft_stays_with_its_host_doorstep_included(host_client, resident_client):
    draft = _street_draft(host_client)
    cancelled = host_client.post(f"/api/meals/{draft['id']}/cancel/", {"reason": "Changed plan"})
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["published_at"]) == ("cancelled", None)

    assert _every_read(resident_client, draft["id"]) == dict.fromkeys(
        ("detail", "dishes", "sign up", "add dish", "feedback", "message"), 404
    )
    listed = resident_client.get("/api/meals/", {"near": "55.6361,-4.7874"}).json()
    assert listed["results"] == []
    own = host_client.get(f"/api/meals/{draft['id']}/")
    assert (own.status_code, own.json()["place_description"]) == (200, HIDDEN_CLOSE)


def test_a_draft_cancelled_because_its_host_left_is_hidden(host, host_client, resident_client):
    draft = _street_draft(host_client)

    assert host_client.delete("/api/me/").status_code == 204

    meal = Meal.objects.get(pk=draft["id"])
    assert (meal.status, meal.published_at) == ("cancelled", None)
    response = resident_client.get(f"/api/meals/{draft['id']}/")
    assert response.status_code == 404
    assert HIDDEN_CLOSE not in response.content.decode()


def test_a_published_meal_once_cancelled_shows_what_it_showed_when_published(
    host_client, resident_client
):
    draft = _street_draft(host_client)
    answer_safety(Meal.objects.get(pk=draft["id"]))
    assert host_client.post(f"/api/meals/{draft['id']}/publish/").status_code == 200
    before = resident_client.get(f"/api/meals/{draft['id']}/").json()

    cancelled = host_client.post(f"/api/meals/{draft['id']}/cancel/", {"reason": "Rain"})
    assert cancelled.status_code == 200
    after = resident_client.get(f"/api/meals/{draft['id']}/").json()

    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"status", "cancelled_reason"}
    assert (after["status"], after["cancelled_reason"]) == ("cancelled", "Rain")
    assert (after["place_description"], after["location"]) == (HIDDEN_CLOSE, before["location"])


def test_a_never_published_meal_has_no_share_code_by_text(api_client, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    neighbour = UserFactory(phone="+447700900431", has_app=False)
    hidden = MealFactory(code="H7D2", status="cancelled", published_at=None, title="Secret tea")
    called_off = MealFactory(code="C4K2", status="cancelled", title="Rained off tea")

    assert meal_by_code("h7d2") is None
    assert meal_by_code("c4k2") == called_off
    assert _sms(api_client, "JOIN H7D2", neighbour.phone) == (
        "Sorry, no meal has the code H7D2. Text MEALS to see what's on near you."
    )
    assert _sms(api_client, "NO H7D2", neighbour.phone) == (
        "Sorry, no meal has the code H7D2. Text MEALS to see what's on near you."
    )
    assert "Rained off tea" in _sms(api_client, "JOIN C4K2", neighbour.phone)
    assert not Signup.objects.filter(meal=hidden).exists()


def test_who_brings_each_dish_is_named_to_the_host_and_people_coming(host, host_client):
    meal = MealFactory(host=host, capacity=10)
    coming = SignupFactory(meal=meal, person=UserFactory(display_name="Ailsa Craig")).person
    waiting = SignupFactory(
        meal=meal, person=UserFactory(display_name="Wendy Wait"), status="waitlisted"
    ).person
    stranger = UserFactory(display_name="Sandy Muir")
    dishes = [
        DishFactory(meal=meal, added_by=host, name="Soup"),
        DishFactory(meal=meal, added_by=coming, name="Tablet"),
        DishFactory(meal=meal, added_by=waiting, name="Scones"),
    ]
    named = [{"id": d.added_by.pk, "first_name": d.added_by.first_name} for d in dishes]

    def cooks(client) -> list:
        response = client.get(f"/api/meals/{meal.pk}/dishes/")
        assert response.status_code == 200
        return [d["added_by"] for d in response.json()["results"]]

    assert cooks(host_client) == named
    assert cooks(client_for(coming)) == named
    assert cooks(client_for(waiting)) == [None, None, named[2]]
    assert cooks(client_for(stranger)) == [None, None, None]
    assert "Ailsa" not in client_for(stranger).get(f"/api/meals/{meal.pk}/dishes/").content.decode()
    added = client_for(waiting).post(
        f"/api/meals/{meal.pk}/dishes/", {"name": "Pancakes"}, format="json"
    )
    assert (added.status_code, added.json()["added_by"]) == (
        201,
        {"id": waiting.pk, "first_name": "Wendy"},
    )


def test_a_host_inviting_a_known_number_never_renames_the_account(host, host_client):
    meal = MealFactory(host=host, capacity=4)
    unnamed = UserFactory(display_name="", phone="+447700900557", has_app=True)

    response = host_client.post(
        f"/api/meals/{meal.pk}/guests/", {"phone": "07700 900557", "name": "Peggy"}, format="json"
    )

    assert (response.status_code, response.json()["first_name"]) == (201, "Peggy")
    unnamed.refresh_from_db()
    assert unnamed.display_name == ""
    assert Signup.objects.get(pk=response.json()["id"]).guest_name == "Peggy"
    fresh = host_client.post(
        f"/api/meals/{meal.pk}/guests/", {"phone": "07700 900558", "name": "Auntie Jean"}
    )
    assert fresh.status_code == 201
    assert User.objects.get(phone="+447700900558").display_name == ""

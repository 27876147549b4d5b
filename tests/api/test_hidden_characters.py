"""Names and titles other people see refuse invisible controls: a right-to-left override
(U+202E) or a control character would let one resident make their name or a meal's title read
as something else in everyone's app. Emoji, accents and other scripts are kept."""

import pytest

from api.fields import HIDDEN_CHARACTERS
from meals.models import Meal
from tests.factories import MealFactory, MembershipFactory, VenueFactory
from venues.models import Venue

pytestmark = pytest.mark.django_db

SPOOFS = ["\u202eevil", "Agnes\u2066 (host)\u2069", "Tea\u200f", "Bell\x07", "Line\nbreak"]
REFUSED = [HIDDEN_CHARACTERS]


def street_meal(title: str) -> dict:
    return {
        "kind": "street_tea",
        "title": title,
        "setting": "street",
        "capacity": 5,
        "location": {"lat": 55.6336, "lng": -4.7842},
        "place_description": "Outside number 4",
        "starts_at": "2036-06-10T14:00:00Z",
        "ends_at": "2036-06-10T15:00:00Z",
    }


@pytest.mark.parametrize("text", SPOOFS)
def test_a_name_or_title_with_hidden_characters_is_refused_and_nothing_changes(
    resident, resident_client, host, host_client, text
):
    meal = MealFactory(host=host, title="Soup")
    membership = MembershipFactory(person=host, role="staff")
    venue = VenueFactory(organisation=membership.organisation, name="Bank Street")

    answers = [
        resident_client.patch("/api/me/", {"display_name": text}, format="json"),
        host_client.post("/api/meals/", street_meal(text), format="json"),
        host_client.patch(f"/api/meals/{meal.pk}/", {"title": text}, format="json"),
        host_client.patch(f"/api/venues/{venue.pk}/", {"name": text}, format="json"),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [
        (400, {"display_name": REFUSED}),
        (400, {"title": REFUSED}),
        (400, {"title": REFUSED}),
        (400, {"name": REFUSED}),
    ]
    resident.refresh_from_db()
    assert resident.display_name == "Morag Reid"
    assert list(Meal.objects.values_list("title", flat=True)) == ["Soup"]
    assert Venue.objects.get(pk=venue.pk).name == "Bank Street"
    assert HIDDEN_CHARACTERS == "Leave out invisible control characters."


def test_emoji_accents_and_other_scripts_are_kept(resident, resident_client):
    name = "Zoë 👩‍🍳 Ó Briain مريم"
    response = resident_client.patch("/api/me/", {"display_name": name}, format="json")
    assert (response.status_code, response.json()["display_name"]) == (200, name)

"""The Offer lifts page in Settings when the car described no longer fits the lifts taken."""

import pytest

from meals.models import Driver
from tests.api.test_lift_changes import _taken
from tests.lift_world import driver, lunch
from tests.web.conftest import web_client

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]


def test_the_offer_lifts_page_says_why_fewer_seats_are_refused():
    meal = lunch()
    ann = driver(seats=2)
    _taken(meal, ann, party=2)

    response = web_client(ann.person).post("/settings/lifts/", {"seats": "1", "max_km": "5.0"})

    assert response.status_code == 409
    assert (
        "You&#x27;re driving 2 to Lunch at the Hub: withdraw from a lift there before offering "
        "fewer seats." in response.content.decode()
    )
    assert Driver.objects.get(pk=ann.pk).seats == 2

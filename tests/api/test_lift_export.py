"""A driver's and a guest's lifts in "download my data": the driver's lifts without the guest's
name, home or note; the guest's own note while it is kept."""

import pytest

from meals.services.lifts import lift_take
from tests.conftest import client_for
from tests.lift_world import driver, guest_with_lift, lunch

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]


def test_the_export_holds_the_lifts_a_driver_took_and_nothing_of_the_guest():
    meal = lunch()
    ann = driver()
    lift = lift_take(lift=guest_with_lift(meal, note="14 Ardrossan Road"), by=ann.person)

    mine = client_for(ann.person).get("/api/me/export/")
    theirs = client_for(lift.guest).get("/api/me/export/")

    driven = mine.json()["lifts_driven"]
    assert driven == [
        {
            "id": lift.pk,
            "meal": {"id": meal.pk, "code": "CAR42", "title": "Lunch at the Hub"},
            "passengers": 1,
            "taken_at": lift.taken_at.isoformat(),
        }
    ]
    assert "14 Ardrossan Road" not in mine.content.decode()
    assert "Jean" not in mine.content.decode()
    assert theirs.json()["lifts_driven"] == []
    assert [a["pickup_note"] for a in theirs.json()["lifts_asked"]] == ["14 Ardrossan Road"]

"""The beat tasks of lifts: requests nobody took by 24 h before are flagged to the host once;
pick-up notes are blanked once the meal ends."""

import datetime as dt

import pytest
import time_machine

from meals.models import Lift
from meals.services.lifts import lift_take
from meals.tasks import flag_unmatched_lifts, forget_pickup_notes
from meals.texts import meal_text_context
from notifications.models import Message
from tests.lift_world import driver, guest_with_lift, lunch

pytestmark = pytest.mark.django_db


@pytest.mark.clock("14:00")
def test_a_request_nobody_took_by_24_hours_before_is_flagged_to_the_host_once():
    meal = lunch()
    waiting = guest_with_lift(meal)
    taken = guest_with_lift(meal, name="Isa Reid")
    lift_take(lift=taken, by=driver().person)
    a_day_before = meal.starts_at - dt.timedelta(hours=24)

    with time_machine.travel(a_day_before - dt.timedelta(minutes=1), tick=False):
        too_early = flag_unmatched_lifts()
    with time_machine.travel(a_day_before, tick=False):
        first, again = flag_unmatched_lifts(), flag_unmatched_lifts()

    assert (too_early, first, again) == (0, 1, 0)
    rows = Message.objects.filter(template="lift_unmatched")
    when = meal_text_context(meal)["when"]
    assert [(m.recipient_id, m.body) for m in rows] == [
        (
            meal.host_id,
            f"Nobody has offered Jean a lift to Lunch at the Hub ({when}, code CAR42) yet. "
            "Could you ask around?",
        )
    ]
    assert Lift.objects.get(pk=waiting.pk).host_told_at == a_day_before
    assert Lift.objects.get(pk=taken.pk).host_told_at is None


@pytest.mark.clock("14:00")
def test_pickup_notes_are_kept_until_the_meal_ends_then_blanked():
    meal = lunch()
    guest_with_lift(meal, note="Flat 2")

    with time_machine.travel(meal.ends_at - dt.timedelta(seconds=1), tick=False):
        before = forget_pickup_notes()
    with time_machine.travel(meal.ends_at, tick=False):
        after, again = forget_pickup_notes(), forget_pickup_notes()

    assert (before, after, again) == (0, 1, 0)
    assert Lift.objects.get().pickup_note == ""

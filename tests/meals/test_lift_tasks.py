"""The beat tasks of lifts: requests nobody took by 24 h before are flagged to the host once;
pick-up notes are blanked once the meal ends."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from meals.models import Lift, Signup
from meals.services.lifts import lift_cancel, lift_take, lift_withdraw
from meals.tasks import flag_unmatched_lifts, forget_pickup_notes
from meals.texts import meal_text_context
from notifications.dispatch import dispatch_due
from notifications.models import Message
from tests.clock import london
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


@pytest.mark.clock("14:00")
def test_a_request_flagged_at_night_reaches_the_host_in_the_morning_not_never(sms_outbox):
    meal = lunch()
    guest_with_lift(meal)
    night = london("22:30", on=timezone.localdate(meal.starts_at) - dt.timedelta(days=1))
    morning = meal.host.quiet_end

    with time_machine.travel(night, tick=False):
        flagged = flag_unmatched_lifts()
        dispatch_due()
    at_night = list(sms_outbox)
    wake = london(morning.strftime("%H:%M"), on=timezone.localdate(meal.starts_at))
    with time_machine.travel(wake, tick=False):
        dispatch_due()

    assert (flagged, at_night) == (1, [])
    assert [t["to"] for t in sms_outbox] == [meal.host.phone]
    assert Message.objects.get(template="lift_unmatched").status == "sent"
    assert wake < meal.starts_at


def _flagged_at_night(meal):
    """The request is flagged at 22:30 the night before; the text waits for the morning."""
    night = london("22:30", on=timezone.localdate(meal.starts_at) - dt.timedelta(days=1))
    with time_machine.travel(night, tick=False):
        flag_unmatched_lifts()
        dispatch_due()
    return night


@pytest.mark.clock("14:00")
@pytest.mark.parametrize("then", ["taken", "cancelled"])
def test_a_flag_still_waiting_for_the_morning_is_not_sent_once_the_lift_is_sorted(sms_outbox, then):
    meal = lunch()
    lift = guest_with_lift(meal)
    night = _flagged_at_night(meal)

    with time_machine.travel(night + dt.timedelta(hours=1), tick=False):
        if then == "taken":
            lift_take(lift=lift, by=driver().person)
        else:
            lift_cancel(lift=lift, by=lift.guest)
    with time_machine.travel(meal.starts_at - dt.timedelta(hours=3), tick=False):
        dispatch_due()

    assert [t["to"] for t in sms_outbox if t["to"] == meal.host.phone] == []
    assert Message.objects.get(template="lift_unmatched").status == "suppressed"


@pytest.mark.clock("14:00")
def test_a_request_reopened_inside_the_last_day_is_flagged_to_the_host_again():
    meal = lunch()
    lift = guest_with_lift(meal)
    ann = driver()
    a_day_before = meal.starts_at - dt.timedelta(hours=24)
    with time_machine.travel(a_day_before, tick=False):
        first = flag_unmatched_lifts()
        lift_take(lift=lift, by=ann.person)
    with time_machine.travel(a_day_before + dt.timedelta(hours=2), tick=False):
        lift_withdraw(lift=Lift.objects.get(pk=lift.pk), by=ann.person)
        again, once_more = flag_unmatched_lifts(), flag_unmatched_lifts()

    assert (first, again, once_more) == (1, 1, 0)
    assert Message.objects.filter(template="lift_unmatched", recipient=meal.host).count() == 2


@pytest.mark.clock("14:00")
def test_no_flag_for_a_request_let_go_nor_for_a_guest_still_waiting_for_a_place():
    meal = lunch()
    let_go = guest_with_lift(meal)
    lift_cancel(lift=let_go, by=let_go.guest)
    waiting = guest_with_lift(meal, name="Isa Reid")
    Signup.objects.filter(pk=waiting.signup_id).update(status="waitlisted")

    with time_machine.travel(meal.starts_at - dt.timedelta(hours=24), tick=False):
        flagged = flag_unmatched_lifts()

    assert flagged == 0
    assert Message.objects.filter(template="lift_unmatched").count() == 0

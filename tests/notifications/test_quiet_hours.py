"""The default quiet hours (21:00-09:00 London) on a pinned clock.

At 03:00 a text waits with not_before = 09:00 that day and nothing is sent; at 14:00 it goes.
Sign-in codes and replies go at any hour. Nine o'clock is read off the wall clock, also on the
mornings the clocks change.
"""

import datetime as dt

import pytest
import time_machine

from notifications.dispatch import dispatch_due
from notifications.models import Message
from notifications.quiet import LONDON
from notifications.services import notify
from notifications.tasks import sweep_outbox
from notifications.templates import register
from tests.clock import at_nine
from tests.factories import UserFactory

register("quiet_test_nudge", category="nudge", text="Tea at the Harbour, code T7K2")
register("quiet_test_news", category="transactional", text="Your place at T7K2 is confirmed")
register("quiet_test_reply", category="reply", text="Got it: T7K2")

pytestmark = pytest.mark.django_db

BODIES = {
    "quiet_test_nudge": "Tea at the Harbour, code T7K2",
    "quiet_test_news": "Your place at T7K2 is confirmed",
    "quiet_test_reply": "Got it: T7K2",
    "login_code": "Your Blether code is 123456. It works for 10 minutes. Never share it.",
}


def text(person, template: str, key: str = "q1") -> Message:
    context = {"code": "123456"} if template == "login_code" else {}
    return notify(recipient=person, template=template, context=context, dedupe_key=key)


@pytest.mark.clock("03:00", "14:00")
@pytest.mark.parametrize("template", ["quiet_test_nudge", "quiet_test_news"])
def test_a_text_waits_until_nine_at_night_and_goes_by_day(sms_outbox, clock, template):
    person = UserFactory()
    assert (person.quiet_start, person.quiet_end) == (dt.time(21), dt.time(9))
    message = text(person, template)

    dispatch_due()

    message.refresh_from_db()
    if clock.hour == 3:
        assert (message.status, message.not_before) == ("queued", at_nine(clock))
        assert message.not_before == dt.datetime(*clock.timetuple()[:3], 9, tzinfo=LONDON)
        assert sms_outbox == []
    else:
        assert (message.status, message.not_before) == ("sent", clock)
        assert [(s["to"], s["body"]) for s in sms_outbox] == [(person.phone, BODIES[template])]


@pytest.mark.clock("03:00", "14:00")
@pytest.mark.parametrize("template", ["login_code", "quiet_test_reply"])
def test_sign_in_codes_and_replies_go_at_any_hour(sms_outbox, clock, template):
    person = UserFactory()
    message = text(person, template)

    dispatch_due()

    message.refresh_from_db()
    assert (message.status, message.not_before) == ("sent", clock)
    assert [(s["to"], s["body"]) for s in sms_outbox] == [(person.phone, BODIES[template])]


@pytest.mark.clock("22:30")
def test_a_text_written_late_in_the_evening_waits_until_nine_the_next_morning(sms_outbox, clock):
    message = text(UserFactory(), "quiet_test_nudge")

    dispatch_due()

    message.refresh_from_db()
    next_morning = at_nine(clock + dt.timedelta(days=1))
    assert (message.status, message.not_before, sms_outbox) == ("queued", next_morning, [])


@pytest.mark.clock("03:00")
def test_the_text_held_overnight_goes_with_the_first_sweep_after_nine(sms_outbox, clock):
    person = UserFactory()
    message = text(person, "quiet_test_nudge")
    dispatch_due()

    with time_machine.travel(at_nine(clock) - dt.timedelta(minutes=1), tick=False):
        sweep_outbox()
    message.refresh_from_db()
    assert (message.status, sms_outbox) == ("queued", [])

    with time_machine.travel(at_nine(clock) + dt.timedelta(minutes=1), tick=False):
        sweep_outbox()
    message.refresh_from_db()
    assert message.status == "sent"
    assert [(s["to"], s["body"]) for s in sms_outbox] == [
        (person.phone, BODIES["quiet_test_nudge"])
    ]


@pytest.mark.parametrize(
    ("at", "wakes_utc"),
    [
        # 28 March 2027: at 01:00 GMT the clocks go forward; 09:00 BST is 08:00 UTC.
        ("2027-03-28T00:30", dt.datetime(2027, 3, 28, 8, 0, tzinfo=dt.UTC)),
        # 31 October 2027: at 02:00 BST the clocks go back; 09:00 GMT is 09:00 UTC.
        ("2027-10-31T01:30", dt.datetime(2027, 10, 31, 9, 0, tzinfo=dt.UTC)),
    ],
    ids=["clocks-forward", "clocks-back"],
)
def test_on_the_mornings_the_clocks_change_texts_wait_until_nine_on_the_wall_clock(
    sms_outbox, at, wakes_utc
):
    with time_machine.travel(dt.datetime.fromisoformat(at).replace(tzinfo=LONDON), tick=False):
        message = text(UserFactory(), "quiet_test_nudge")
        dispatch_due()

    message.refresh_from_db()
    assert (message.status, message.not_before, sms_outbox) == ("queued", wakes_utc, [])
    assert message.not_before.astimezone(LONDON).time() == dt.time(9)
